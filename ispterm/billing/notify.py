"""Billing mail through the durable mail queue: account summaries (BIL-10) and suspension
notices (BIL-9).

Everything goes through ``ispterm.messaging`` (the durable queue, MSG-3): nothing is sent
from here directly, and a message is queued only when all of it is right.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from ispterm.context import Ctx
from ispterm.errors import ValidationError


def require_sender(ctx: Ctx) -> None:
    """Refuse up front (before any change) when no sender address is configured."""
    from ispterm.settings.service import get_setting

    if not get_setting(ctx, "sender_addresses"):
        raise ValidationError("sender", "no sender address is configured; set one with "
                                        "'ispterm settings set sender_addresses ADDRESS'")


def queue_mail(ctx: Ctx, number: int, *, to: list[str], subject: str, body: str,
               attachments: list[tuple[str, str, bytes]] = ()):
    """Queue one e-mail to a customer (``to``: main|billing|contact:ID|address)."""
    from ispterm.messaging.compose import Attachment
    from ispterm.messaging.service import send_email

    return send_email(ctx, number, to=to, subject=subject, body=body,
                      attachments=[Attachment(name, kind, data) for name, kind, data in attachments])


def billing_recipients(ctx: Ctx, number: int) -> list[str]:
    """The default billing contacts; without any, the billing e-mail (which falls back to main)."""
    from ispterm.customers.lookup import customer_by_number
    from ispterm.customers.model import Contact

    with ctx.read() as s:
        c = customer_by_number(s, number)
        ids = s.exec(select(Contact.id).where(Contact.customer_id == c.id, Contact.billing_default,
                                              Contact.email.is_not(None))).all()
        if ids:
            return [f"contact:{i}" for i in ids]
        if not (c.billing_email or c.email):
            raise ValidationError("to", f"customer {number} has no billing e-mail and no billing contact")
        return ["billing" if c.billing_email else "main"]


def send_account_summary(ctx: Ctx, number: int, date_from: date, date_to: date):
    """Queue the account statement PDF to the default billing contacts."""
    from ispterm.billing.account import account_statement
    from ispterm.documents.statement import render
    from ispterm.money import fmt

    doc = account_statement(ctx, number, date_from, date_to)
    body = (f"Dear customer,\n\nplease find attached the statement of your account {number} for "
            f"{date_from:%d.%m.%Y} – {date_to:%d.%m.%Y}.\nOpening balance {fmt(doc.opening, doc.currency)}, "
            f"closing balance {fmt(doc.closing, doc.currency)}.\n\n{doc.supplier.company_name}\n")
    return queue_mail(ctx, number, to=billing_recipients(ctx, number),
                      subject=f"Account statement {number} {date_from:%d.%m.%Y} – {date_to:%d.%m.%Y}",
                      body=body, attachments=[(f"statement-{number}-{date_from}-{date_to}.pdf",
                                               "application/pdf", render(doc))])
