"""Balance (BIL-6) and scoring (BIL-7), computed from invoices and payments, never stored.

Balance = payments received - invoiced (cancelled ones excluded): positive means overpaid,
negative means the customer owes. Scoring = sum over paid invoices of (due date - date the
invoice became fully paid) in days: paying early scores plus, late scores minus. Average
scoring = scoring / number of those paid invoices (paid 2 days early for 10 months gives
20 and 2). Unpaid invoices do not enter either figure until they are paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ispterm.billing.model import Invoice, Payment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Standing:
    balance: Decimal
    invoiced: Decimal
    paid: Decimal
    scoring: int
    average_scoring: Decimal
    paid_invoices: int
    open_invoices: int


def scoring_of(pairs: Iterable[tuple[date, date]]) -> tuple[int, Decimal, int]:
    """(scoring, average scoring, count) from (due_on, paid_on) pairs of paid invoices."""
    days = [(due - paid).days for due, paid in pairs]
    if not days:
        return 0, Decimal("0.00"), 0
    total = sum(days)
    average = (Decimal(total) / Decimal(len(days))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return total, average, len(days)


def balances(conn: Connection, customer_ids: list[int]) -> dict[int, Decimal]:
    """Balance of several customers in two grouped queries (list screens, search results)."""
    if not customer_ids:
        return {}
    invoiced = dict(conn.execute(
        select(Invoice.customer_id, func.sum(Invoice.total))
        .where(Invoice.customer_id.in_(customer_ids), Invoice.status != "cancelled")
        .group_by(Invoice.customer_id)
    ).all())
    paid = dict(conn.execute(
        select(Payment.customer_id, func.sum(Payment.amount))
        .where(Payment.customer_id.in_(customer_ids), Payment.cancelled_at.is_(None))
        .group_by(Payment.customer_id)
    ).all())
    return {cid: (paid.get(cid) or ZERO) - (invoiced.get(cid) or ZERO) for cid in customer_ids}


def standing(conn: Connection, customer_id: int) -> Standing:
    invoiced = conn.execute(
        select(func.sum(Invoice.total)).where(Invoice.customer_id == customer_id,
                                              Invoice.status != "cancelled")
    ).scalar() or ZERO
    paid = conn.execute(
        select(func.sum(Payment.amount)).where(Payment.customer_id == customer_id,
                                               Payment.cancelled_at.is_(None))
    ).scalar() or ZERO
    pairs = conn.execute(
        select(Invoice.due_on, Invoice.paid_on).where(Invoice.customer_id == customer_id,
                                                      Invoice.status == "paid",
                                                      Invoice.paid_on.is_not(None))
    ).all()
    open_count = conn.execute(
        select(func.count()).select_from(Invoice).where(Invoice.customer_id == customer_id,
                                                        Invoice.status == "issued")
    ).scalar() or 0
    score, average, count = scoring_of(pairs)
    return Standing(paid - invoiced, invoiced, paid, score, average, count, open_count)
