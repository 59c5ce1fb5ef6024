"""Balance and scoring (BIL-6/7) from invoices and payments, exact to the cent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ispterm.billing import invoicing as bi
from ispterm.billing import service as bs
from ispterm.billing.balance import scoring_of
from ispterm.customers import service as cs
from ispterm.errors import PermissionDenied, ValidationError

FEE = bi.Line("Fiber 250", Decimal("500.00"))  # prices include 21 % VAT


def test_line_totals_round_to_the_cent():
    assert bi.line_total(FEE) == (Decimal("500.00"), Decimal("86.78"))
    assert bi.line_total(bi.Line("x", Decimal("0.05"), 3, Decimal("21.00"))) == (Decimal("0.15"), Decimal("0.03"))
    assert bi.line_total(bi.Line("x", Decimal("100.00"), 1, Decimal("0.00"))) == (Decimal("100.00"), Decimal("0.00"))


def test_seed_example_two_days_early_for_ten_months(ctx):
    n = cs.create(ctx, "Early Payer")
    for month in range(1, 11):
        inv = bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, month, 1), due_on=date(2025, month, 15))
        bs.record_payment(ctx, n, inv.total, date(2025, month, 13))
    st_ = cs.get_card(ctx, n).standing
    assert (st_.scoring, st_.average_scoring) == (20, Decimal("2.00"))
    assert st_.balance == Decimal("0.00")
    assert st_.paid_invoices == 10


def test_late_payer_scores_negative_and_owes(ctx):
    n = cs.create(ctx, "Late Payer")
    for month in range(1, 11):
        bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, month, 1), due_on=date(2025, month, 15))
    for month in range(1, 10):
        bs.record_payment(ctx, n, "500.00", date(2025, month, 17))
    st_ = cs.get_card(ctx, n).standing
    assert (st_.scoring, st_.average_scoring) == (-18, Decimal("-2.00"))
    assert st_.balance == Decimal("-500.00")
    assert st_.open_invoices == 1


def test_partial_and_over_payments(ctx):
    n = cs.create(ctx, "Partial")
    first = bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, 1, 1), due_on=date(2025, 1, 15))
    bs.record_payment(ctx, n, "200.00", date(2025, 1, 10))
    assert bs.invoices(ctx, n)[0].outstanding == Decimal("300.00")
    bs.record_payment(ctx, n, "1000.00", date(2025, 1, 20))
    inv = bs.invoices(ctx, n)[0]
    assert (inv.status, inv.paid_on, inv.outstanding) == ("paid", date(2025, 1, 20), Decimal("0.00"))
    assert cs.get_card(ctx, n).standing.balance == Decimal("700.00")
    # The overpayment settles the next invoice at once.
    bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, 2, 1), due_on=date(2025, 2, 15))
    assert [i.status for i in bs.invoices(ctx, n)] == ["paid", "paid"]
    assert first.number != bs.invoices(ctx, n)[0].number


def test_cancelling_reallocates(ctx):
    n = cs.create(ctx, "Cancel")
    a = bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, 1, 1), due_on=date(2025, 1, 15))
    b = bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, 2, 1), due_on=date(2025, 2, 15))
    pay = bs.record_payment(ctx, n, "500.00", date(2025, 1, 14))
    bi.cancel_invoice(ctx, a.id)
    by_id = {i.id: i for i in bs.invoices(ctx, n)}
    assert by_id[a.id].status == "cancelled" and by_id[b.id].status == "paid"
    assert cs.get_card(ctx, n).standing.scoring == (b.due_on - date(2025, 1, 14)).days
    bs.cancel_payment(ctx, pay.id)
    assert cs.get_card(ctx, n).standing.balance == Decimal("-500.00")
    with pytest.raises(ValidationError, match="already cancelled"):
        bs.cancel_payment(ctx, pay.id)


def test_invoice_numbers_are_gapless_per_year(ctx):
    n = cs.create(ctx, "Numbers")
    nums = [bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, 1 + i, 1)).number for i in range(3)]
    nums.append(bi.issue_invoice(ctx, n, [FEE], issued_on=date(2026, 1, 1)).number)
    assert nums == ["202500001", "202500002", "202500003", "202600001"]


def test_due_days_from_customer_or_setting(ctx):
    n = cs.create(ctx, "Due")
    assert bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, 1, 1)).due_on == date(2025, 1, 15)
    cs.update(ctx, n, {"due_days": "30"})
    assert bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, 1, 1)).due_on == date(2025, 1, 31)


def test_payment_rules(ctx, as_role):
    n = cs.create(ctx, "Rules")
    with pytest.raises(ValidationError, match="amount"):
        bs.record_payment(ctx, n, "-5", date(2025, 1, 1))
    with pytest.raises(ValidationError, match="amount"):
        bs.record_payment(ctx, n, "abc", date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        bs.record_payment(as_role("support"), n, "5", date(2025, 1, 1))
    assert bs.payments(ctx, n) == []


def test_scoring_of_is_pure():
    d = date(2025, 1, 15)
    assert scoring_of([]) == (0, Decimal("0.00"), 0)
    assert scoring_of([(d, d - timedelta(days=3)), (d, d + timedelta(days=1))]) == (2, Decimal("1.00"), 2)


events = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), st.integers(1, 200_000)),
        st.tuples(st.just("payment"), st.integers(1, 200_000)),
        st.tuples(st.just("cancel_invoice"), st.integers(0, 20)),
        st.tuples(st.just("cancel_payment"), st.integers(0, 20)),
    ),
    min_size=1, max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=events)
def test_balance_is_payments_minus_invoiced_for_any_sequence(sqlite_url, events):
    """Property: any mix of invoices, payments and cancellations never loses a cent."""
    from ispterm.connect import open_ctx

    ctx = open_ctx(sqlite_url, "admin")
    n = cs.create(ctx, "Property")
    invoiced, paid = Decimal("0.00"), Decimal("0.00")
    inv_ids, pay_ids = [], []
    day = date(2025, 1, 1)
    for kind, value in events:
        day += timedelta(days=3)
        if kind == "invoice":
            amount = Decimal(value) / 100
            inv = bi.issue_invoice(ctx, n, [bi.Line("x", amount, 1, Decimal("0.00"))], issued_on=day)
            inv_ids.append((inv.id, inv.total))
            invoiced += inv.total
        elif kind == "payment":
            amount = Decimal(value) / 100
            pay = bs.record_payment(ctx, n, amount, day)
            pay_ids.append((pay.id, amount))
            paid += amount
        elif kind == "cancel_invoice" and inv_ids:
            inv_id, total = inv_ids.pop(value % len(inv_ids))
            bi.cancel_invoice(ctx, inv_id)
            invoiced -= total
        elif kind == "cancel_payment" and pay_ids:
            pay_id, amount = pay_ids.pop(value % len(pay_ids))
            bs.cancel_payment(ctx, pay_id)
            paid -= amount
    standing = cs.get_card(ctx, n).standing
    assert standing.balance == paid - invoiced
    views = bs.invoices(ctx, n)
    allocated = sum((p.allocated for p in bs.payments(ctx, n) if not p.cancelled), Decimal("0.00"))
    outstanding = sum((i.outstanding for i in views), Decimal("0.00"))
    assert allocated + outstanding == invoiced
    assert allocated <= paid
    assert all((i.status == "paid") == (i.outstanding == 0 and i.status != "cancelled") for i in views
               if i.status != "cancelled")
