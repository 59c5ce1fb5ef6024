"""Property: any sequence of run invoices, hand invoices (CZK rounding), payments and
cancellations keeps balance == payments - invoiced, never loses a cent, and the run's bulk
credit settlement always equals a full reallocation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from ispterm.billing import invoicing as inv
from ispterm.billing import service as bs
from ispterm.customers import service as cs

events = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.just(0)),
        st.tuples(st.just("hand"), st.integers(1, 150_000)),
        st.tuples(st.just("pay"), st.integers(1, 200_000)),
        st.tuples(st.just("cancel_invoice"), st.integers(0, 20)),
        st.tuples(st.just("cancel_payment"), st.integers(0, 20)),
    ),
    min_size=1, max_size=10,
)


def _state(ctx, cid: int):
    from ispterm.billing.model import Invoice, Payment, PaymentAllocation

    with ctx.read() as s:
        allocations = sorted(s.execute(
            select(PaymentAllocation.payment_id, PaymentAllocation.invoice_id, PaymentAllocation.amount)
            .join(Payment, Payment.id == PaymentAllocation.payment_id).where(Payment.customer_id == cid)).all())
        invoices = sorted(s.execute(select(Invoice.id, Invoice.status, Invoice.paid_on)
                                    .where(Invoice.customer_id == cid)).all())
    return allocations, invoices


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=events, price=st.integers(1, 99_999), due_days=st.integers(0, 60))
def test_money_is_never_lost(sqlite_url, events, price, due_days):
    from ispterm.connect import open_ctx
    from ispterm.customers import contacts
    from ispterm.customers.model import Customer, Service

    ctx = open_ctx(sqlite_url, "admin")
    with ctx.write() as s:  # earlier examples' customers stay out of this one's runs
        s.execute(update(Customer).values(former=True))
    n = cs.create(ctx, "Property", {"due_days": str(due_days)})
    contacts.add_service(ctx, n, "Plan", str(Decimal(price) / 100))
    cid = cs.get_card(ctx, n).id
    with ctx.write() as s:
        s.execute(update(Service).where(Service.customer_id == cid).values(started_on=date(2000, 1, 1)))
    invoiced, paid = Decimal("0.00"), Decimal("0.00")
    invoice_ids, payment_ids = [], []
    day, month = date(2025, 1, 1), 0
    for kind, value in events:
        day += timedelta(days=5)
        if kind == "run":
            month += 1
            period = f"{2030 + month // 12}-{month % 12 + 1:02d}"
            before = {i.id for i in bs.invoices(ctx, n)}
            inv.invoice_run(ctx, period, issued_on=day)
            bulk = _state(ctx, cid)
            with ctx.write() as s:
                bs.reallocate(s, cid)
            assert _state(ctx, cid) == bulk
            for i in bs.invoices(ctx, n):
                if i.id not in before:
                    invoice_ids.append((i.id, i.total))
                    invoiced += i.total
        elif kind == "hand":
            view = inv.issue_invoice(ctx, n, [inv.Line("x", Decimal(value) / 100)], issued_on=day)
            assert view.total == view.total.quantize(Decimal("1"))  # CZK: whole crowns
            invoice_ids.append((view.id, view.total))
            invoiced += view.total
        elif kind == "pay":
            amount = Decimal(value) / 100
            payment_ids.append((bs.record_payment(ctx, n, amount, day).id, amount))
            paid += amount
        elif kind == "cancel_invoice" and invoice_ids:
            iid, total = invoice_ids.pop(value % len(invoice_ids))
            inv.cancel_invoice(ctx, iid)
            invoiced -= total
        elif kind == "cancel_payment" and payment_ids:
            pid, amount = payment_ids.pop(value % len(payment_ids))
            bs.cancel_payment(ctx, pid)
            paid -= amount
    standing = cs.get_card(ctx, n).standing
    assert standing.balance == paid - invoiced
    views = bs.invoices(ctx, n)
    allocated = sum((p.allocated for p in bs.payments(ctx, n) if not p.cancelled), Decimal("0.00"))
    assert allocated + sum((i.outstanding for i in views), Decimal("0.00")) == invoiced
    assert allocated <= paid
