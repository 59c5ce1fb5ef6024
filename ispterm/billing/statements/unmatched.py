"""Payments nobody could match (``customer_id`` empty): the list and assigning one by hand.

The reason shown is recomputed with the same rule the import used, so it is current (a VS may
have become someone's alternative VS since). Assigning checks the same things matching does
(not deleted, same currency), is audited, and settles the customer's invoices at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ispterm.audit.recorder import record
from ispterm.audit.rows import payment_label
from ispterm.billing.model import BillingGroup, Payment
from ispterm.billing.service import live_payment, reallocate
from ispterm.billing.statements.matching import Candidate, Matcher, check
from ispterm.billing.statements.model import BankStatement
from ispterm.context import Ctx
from ispterm.customers.lookup import customer_by_number
from ispterm.customers.model import Customer
from ispterm.errors import NotFound, ValidationError
from ispterm.operators.roles import PAYMENT_WRITE


@dataclass(frozen=True)
class UnmatchedPayment:
    id: int
    received_on: date
    amount: Decimal
    currency: str
    vs: str | None
    counterparty: str | None
    message: str | None
    bank_ref: str | None
    statement: str | None  # file name of the statement it came from
    reason: str


@dataclass(frozen=True)
class Assigned:
    payment_id: int
    customer_number: int
    amount: Decimal
    balance: Decimal


def unmatched(ctx: Ctx, *, limit: int | None = None, offset: int = 0) -> list[UnmatchedPayment]:
    """Unmatched, not cancelled payments, newest first."""
    with ctx.read() as s:
        conn = s.connection()
        stmt = (select(Payment, BankStatement.file_name)
                .outerjoin(BankStatement, BankStatement.id == Payment.statement_id)
                .where(Payment.customer_id.is_(None), Payment.cancelled_at.is_(None))
                .order_by(Payment.received_on.desc(), Payment.id.desc()).offset(offset))
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = s.exec(stmt).all()
        matcher = Matcher(conn, (p.vs for p, _ in rows))
        return [UnmatchedPayment(p.id, p.received_on, p.amount, p.currency, p.vs, p.counterparty,
                                 p.message, p.bank_ref, file_name,
                                 matcher.match(p.vs, p.currency).reason or "matches now: assign it")
                for p, file_name in rows]


def unmatched_count(ctx: Ctx) -> int:
    with ctx.read() as s:
        return s.exec(select(func.count()).select_from(Payment)
                      .where(Payment.customer_id.is_(None), Payment.cancelled_at.is_(None))).one()[0]


def assign(ctx: Ctx, payment_id: int, number: int) -> Assigned:
    """Give an unmatched payment to customer ``number`` and settle their invoices with it."""
    from ispterm.billing.balance import standing

    ctx.require(PAYMENT_WRITE)
    with ctx.write() as s:
        payment = live_payment(s, payment_id)
        if payment.customer_id is not None:
            owner = s.get_one(Customer, payment.customer_id)
            raise ValidationError("payment", f"payment {payment_id} already belongs to customer {owner.number}")
        customer = customer_by_number(s, number, lock=True)
        group = s.get(BillingGroup, customer.billing_group_id)
        verdict = check(Candidate(customer.id, customer.number, group.currency, customer.deleted_at is not None),
                        payment.currency)
        if verdict.customer is None:
            raise ValidationError("customer", f"cannot assign payment {payment_id}: {verdict.reason}")
        payment.customer_id = customer.id
        reallocate(s, customer.id)
        record(s, customer_id=customer.id, entity="payment", entity_id=payment.id, action="assign",
               summary=f"unmatched {payment_label(payment.id, payment.amount, payment.currency, payment.received_on)} "
                       f"(VS {payment.vs or '-'}) assigned by hand")
        s.flush()
        balance = standing(s.connection(), customer.id).balance
        return Assigned(payment.id, customer.number, payment.amount, balance)


def suggestions(ctx: Ctx, payment_id: int, *, limit: int = 5):
    """Customers the payment may belong to, found by the payer's name (banks write it as
    "NOVAK JAN": the search ignores case and accents), for the unmatched screen to offer."""
    from ispterm.customers.service import search

    with ctx.read() as s:
        payment = s.get(Payment, payment_id)
        if payment is None:
            raise NotFound(f"payment {payment_id} does not exist")
        name = (payment.counterparty or "").strip()
    words = [w for w in name.replace(",", " ").split() if len(w) > 1 and not w.isdigit()]
    if not words:
        return []
    rows = search(ctx, " ".join(words), limit=limit)
    if not rows and len(words) > 1:
        rows = search(ctx, words[0], limit=limit)  # the surname alone
    return rows
