"""Invoices and payments of one customer (BIL-5), and how payments settle invoices.

Allocation is recomputed from scratch for the customer after every change: payments in the
order received settle non-cancelled invoices oldest due first; an invoice is paid on the
day the payment that completes it arrived. Recomputing (instead of patching) keeps balance,
paid dates and scoring right after cancellations and late corrections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func
from sqlmodel import Session, select

from ispterm import validation as v
from ispterm.billing.model import Invoice, Payment, PaymentAllocation
from ispterm.context import Ctx
from ispterm.customers.lookup import customer_by_number
from ispterm.errors import NotFound, ValidationError
from ispterm.operators.roles import PAYMENT_WRITE

CENT = Decimal("0.01")

@dataclass(frozen=True)
class InvoiceView:
    id: int
    number: str
    issued_on: date
    due_on: date
    vs: str
    total: Decimal
    vat_total: Decimal
    status: str
    paid_on: date | None
    outstanding: Decimal


@dataclass(frozen=True)
class PaymentView:
    id: int
    received_on: date
    amount: Decimal
    vs: str | None
    source: str
    cancelled: bool
    allocated: Decimal


def record_payment(ctx: Ctx, number: int, amount: str | Decimal, received_on: date, *,
                   vs: str | None = None, message: str | None = None,
                   source: str = "manual", bank_ref: str | None = None) -> PaymentView:
    ctx.require(PAYMENT_WRITE)
    value = amount if isinstance(amount, Decimal) else v.decimal_money(amount, field="amount")
    if value is None or value <= 0:
        raise ValidationError("amount", "must be a positive amount")
    vs = v.vs(vs, field="vs") if vs else None
    with ctx.write() as s:
        c = customer_by_number(s, number, lock=True)
        payment = Payment(customer_id=c.id, received_on=received_on, amount=value, vs=vs or str(c.number),
                          source=source, bank_ref=bank_ref, message=message, created_by=ctx.actor.login)
        s.add(payment)
        s.flush()
        reallocate(s, c.id)
        return [p for p in payment_views(s, c.id) if p.id == payment.id][0]


def live_payment(s: Session, payment_id: int) -> Payment:
    """The payment, row-locked for a change; a missing or cancelled one is refused."""
    payment = s.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise NotFound(f"payment {payment_id} does not exist")
    if payment.cancelled_at is not None:
        raise ValidationError("payment", f"payment {payment_id} is already cancelled")
    return payment


def cancel_payment(ctx: Ctx, payment_id: int) -> None:
    ctx.require(PAYMENT_WRITE)
    with ctx.write() as s:
        payment = live_payment(s, payment_id)
        payment.cancelled_at = ctx.now()
        if payment.customer_id is not None:
            reallocate(s, payment.customer_id)


def reallocate(s: Session, customer_id: int) -> None:
    """Recompute which payment settles which invoice, and the invoices' status and paid date."""
    s.flush()
    payment_ids = select(Payment.id).where(Payment.customer_id == customer_id)
    s.execute(delete(PaymentAllocation).where(PaymentAllocation.payment_id.in_(payment_ids)))
    invoices = list(s.exec(select(Invoice).where(Invoice.customer_id == customer_id,
                                                 Invoice.status != "cancelled")
                           .order_by(Invoice.due_on, Invoice.id)))
    payments = s.exec(select(Payment).where(Payment.customer_id == customer_id,
                                            Payment.cancelled_at.is_(None))
                      .order_by(Payment.received_on, Payment.id)).all()
    allocations, paid_on = settle([(inv.id, inv.total, inv.issued_on) for inv in invoices],
                                  [(p.id, p.amount, p.received_on) for p in payments])
    for payment_id, invoice_id, part in allocations:
        s.add(PaymentAllocation(payment_id=payment_id, invoice_id=invoice_id, amount=part))
    for inv in invoices:
        status = "paid" if inv.id in paid_on else "issued"
        if inv.status != status or inv.paid_on != paid_on.get(inv.id):
            inv.status = status
            inv.paid_on = paid_on.get(inv.id)


def settle(invoices: list[tuple[int, Decimal, date]], payments: list[tuple[int, Decimal, date]],
           ) -> tuple[list[tuple[int, int, Decimal]], dict[int, date]]:
    """The allocation rule, on plain values so bulk paths (statement import) share it.

    ``invoices`` are (id, total, issued_on) oldest due first, ``payments`` (id, amount,
    received_on) in the order received. Returns (payment_id, invoice_id, amount) allocations
    and the paid date of every invoice that is fully paid.
    """
    owed = {inv_id: total for inv_id, total, _ in invoices}
    paid_on: dict[int, date] = {}
    queue = [inv_id for inv_id, total, _ in invoices if total > 0]
    for inv_id, total, issued_on in invoices:
        if total <= 0:
            paid_on[inv_id] = issued_on
    allocations = []
    at = 0
    for payment_id, amount, received_on in payments:
        left = amount
        while left > 0 and at < len(queue):
            inv_id = queue[at]
            part = min(left, owed[inv_id])
            allocations.append((payment_id, inv_id, part))
            owed[inv_id] -= part
            left -= part
            if owed[inv_id] == 0:
                paid_on[inv_id] = received_on
                at += 1
    return allocations, paid_on


def _outstanding(s: Session, customer_id: int) -> dict[int, Decimal]:
    rows = s.exec(select(PaymentAllocation.invoice_id, func.sum(PaymentAllocation.amount))
                  .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
                  .where(Invoice.customer_id == customer_id).group_by(PaymentAllocation.invoice_id))
    return dict(rows.all())


def invoice_views(s: Session, customer_id: int, only: int | None = None) -> list[InvoiceView]:
    """A customer's invoices with what is still owed, in the caller's transaction (the
    invoicing module answers an issued invoice with it)."""
    settled = _outstanding(s, customer_id)
    stmt = select(Invoice).where(Invoice.customer_id == customer_id)
    if only is not None:
        stmt = stmt.where(Invoice.id == only)
    out = []
    for inv in s.exec(stmt.order_by(Invoice.issued_on.desc(), Invoice.id.desc())):
        left = Decimal("0.00") if inv.status == "cancelled" else inv.total - (settled.get(inv.id) or Decimal("0.00"))
        out.append(InvoiceView(inv.id, inv.number, inv.issued_on, inv.due_on, inv.vs, inv.total,
                               inv.vat_total, inv.status, inv.paid_on, left))
    return out


def payment_views(s: Session, customer_id: int) -> list[PaymentView]:
    """A customer's payments with what each settles, in the caller's transaction."""
    allocated = dict(s.exec(select(PaymentAllocation.payment_id, func.sum(PaymentAllocation.amount))
                            .join(Payment, Payment.id == PaymentAllocation.payment_id)
                            .where(Payment.customer_id == customer_id)
                            .group_by(PaymentAllocation.payment_id)).all())
    return [PaymentView(p.id, p.received_on, p.amount, p.vs, p.source, p.cancelled_at is not None,
                        allocated.get(p.id) or Decimal("0.00"))
            for p in s.exec(select(Payment).where(Payment.customer_id == customer_id)
                            .order_by(Payment.received_on.desc(), Payment.id.desc()))]


def invoices(ctx: Ctx, number: int) -> list[InvoiceView]:
    with ctx.read() as s:
        return invoice_views(s, customer_by_number(s, number).id)


def payments(ctx: Ctx, number: int) -> list[PaymentView]:
    with ctx.read() as s:
        return payment_views(s, customer_by_number(s, number).id)
