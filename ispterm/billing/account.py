"""Account statement (BIL-10): opening balance, the period's invoices and payments, closing.

Balances follow BIL-6 (payments - invoiced, cancelled records excluded): the opening balance
is everything dated before ``date_from``, the closing one adds the period's entries, so the
closing balance of a statement up to today equals the card's balance.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ispterm.billing.groups import view
from ispterm.billing.model import BillingGroup, Invoice, Payment
from ispterm.billing.printing import party
from ispterm.context import Ctx
from ispterm.customers.lookup import customer_by_number
from ispterm.documents.models import ZERO, StatementDoc, StatementEntry
from ispterm.errors import ValidationError


def account_statement(ctx: Ctx, number: int, date_from: date, date_to: date) -> StatementDoc:
    if date_to < date_from:
        raise ValidationError("date_to", "the end of the period is before its start")
    with ctx.read() as s:
        c = customer_by_number(s, number)
        group = s.get(BillingGroup, c.billing_group_id)
        live_inv = (Invoice.customer_id == c.id) & (Invoice.status != "cancelled")
        live_pay = (Payment.customer_id == c.id) & Payment.cancelled_at.is_(None)
        before_inv = s.execute(select(func.sum(Invoice.total))
                               .where(live_inv, Invoice.issued_on < date_from)).scalar() or ZERO
        before_pay = s.execute(select(func.sum(Payment.amount))
                               .where(live_pay, Payment.received_on < date_from)).scalar() or ZERO
        rows = [(i.issued_on, 0, i.id, "invoice", f"invoice {i.number} (VS {i.vs}, due {i.due_on})", -i.total)
                for i in s.execute(select(Invoice).where(live_inv, Invoice.issued_on >= date_from,
                                                         Invoice.issued_on <= date_to)).scalars()]
        rows += [(p.received_on, 1, p.id, "payment", f"payment{' VS ' + p.vs if p.vs else ''} ({p.source})",
                  p.amount)
                 for p in s.execute(select(Payment).where(live_pay, Payment.received_on >= date_from,
                                                          Payment.received_on <= date_to)).scalars()]
        rows.sort()
        opening = before_pay - before_inv
        running = opening
        entries = []
        for day, _, _, kind, ref, amount in rows:
            running += amount
            entries.append(StatementEntry(day, kind, ref, amount, running))
        invoiced = -sum((e.amount for e in entries if e.kind == "invoice"), ZERO)
        paid = sum((e.amount for e in entries if e.kind == "payment"), ZERO)
        return StatementDoc(party(c), view(group), group.currency, date_from, date_to, opening,
                            tuple(entries), running, invoiced, paid)


def statement_pdf(ctx: Ctx, number: int, date_from: date, date_to: date) -> bytes:
    from ispterm.documents.statement import render  # reportlab: only when a PDF is made

    return render(account_statement(ctx, number, date_from, date_to))
