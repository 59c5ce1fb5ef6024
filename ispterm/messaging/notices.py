"""Mail that the system sends on its own behalf: per-contact mails (MSG-6) and SUP-3/SUP-4.

Welcome and password-reset mails generate a portal password, store only its argon2 hash on
the contact and put the password in the mail, whose body is blanked once it is delivered.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlmodel import select

from ispterm.context import Ctx
from ispterm.errors import NotFound, ValidationError
from ispterm.messaging.compose import attachment
from ispterm.messaging.service import Queued, send_email, send_system_email
from ispterm.operators.roles import COMM_WRITE

CONTACT_MAILS = ("welcome", "password_reset", "account_statement")
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(length: int = 12) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def _new_portal_password(ctx: Ctx, contact_id: int) -> tuple[int, str]:
    """Set a fresh password (hashed) and a login if missing; returns (customer number, password)."""
    from ispterm.customers.model import Contact, Customer

    password = generate_password()
    with ctx.write() as s:
        contact = s.exec(select(Contact).where(Contact.id == contact_id).with_for_update()).first()
        if contact is None:
            raise NotFound(f"contact {contact_id} does not exist")
        if not contact.email:
            raise ValidationError("email", f"contact {contact.name} has no e-mail address")
        number = s.get(Customer, contact.customer_id).number
        contact.portal_password_hash = hash_password(password)
        contact.portal_login = contact.portal_login or f"{number}-{contact.id}"
        contact.portal_access = True
    return number, password


def send_contact_mail(ctx: Ctx, contact_id: int, which: str, *, sender: str | None = None,
                      attachments: list = (), period: tuple[date, date] | None = None) -> Queued:
    """Welcome, password reset or account statement to one contact person (MSG-6).

    The account statement carries the statement PDF of ``period`` (default: the last 12 months).
    """
    from ispterm.customers.model import Contact, Customer

    ctx.require(COMM_WRITE)
    if which not in CONTACT_MAILS:
        raise ValidationError("mail", f"must be one of {', '.join(CONTACT_MAILS)}, got {which!r}")
    extra = {}
    if which in ("welcome", "password_reset"):
        number, password = _new_portal_password(ctx, contact_id)
        extra["portal_password"] = password
    else:
        with ctx.read() as s:
            contact = s.get(Contact, contact_id)
            if contact is None:
                raise NotFound(f"contact {contact_id} does not exist")
            number = s.get(Customer, contact.customer_id).number
        if which == "account_statement":
            from ispterm.billing.account import statement_pdf

            today = ctx.today()
            start, end = period or (today - timedelta(days=365), today)
            if start > end:
                raise ValidationError("period", f"starts after it ends ({start} > {end})")
            attachments = [*attachments, attachment(f"statement-{number}-{start}-{end}.pdf",
                                                    statement_pdf(ctx, number, start, end))]
    return send_email(ctx, number, to=f"contact:{contact_id}", template=which, extra=extra,
                      sender=sender, attachments=list(attachments), sensitive=bool(extra))


def notify_auth_request(ctx: Ctx, number: int, text: str) -> Queued | None:
    """SUP-3: a portal authorization request goes to technicians who opted in and to
    ``ur_auth_request_mail``; None when nobody is to be told."""
    from ispterm.customers.service import get_card
    from ispterm.messaging.service import card_context
    from ispterm.operators.model import Operator
    from ispterm.settings.service import get_setting

    card = get_card(ctx, number)
    with ctx.read() as s:
        to = [e for e in s.exec(select(Operator.email).where(Operator.send_tasks_to_email, Operator.active,
                                                             Operator.email.is_not(None))) if e]
    system = get_setting(ctx, "ur_auth_request_mail")
    if system:
        to.append(system)
    if not to:
        return None
    context = card_context(ctx, card, extra={"text": text})
    return send_system_email(ctx, list(dict.fromkeys(to)), template="auth_request", context=context,
                             customer_id=card.id)


def notify_contact_change(ctx: Ctx, number: int, changes: dict[str, tuple[str | None, str | None]]) -> Queued | None:
    """SUP-4: the system administrator (``admin_email``) hears of contact data changed in the portal."""
    from ispterm.customers.service import get_card
    from ispterm.messaging.service import card_context
    from ispterm.settings.service import get_setting

    admin = get_setting(ctx, "admin_email")
    if not admin:
        return None
    card = get_card(ctx, number)
    text = "\n".join(f"{k}: {old or '-'} -> {new or '-'}" for k, (old, new) in changes.items())
    return send_system_email(ctx, [admin], template="contact_change",
                             context=card_context(ctx, card, extra={"text": text}), customer_id=card.id)


def send_service_settings(ctx: Ctx, number: int, *, to: str = "main", technician: str | None = None,
                          sender: str | None = None, priority: str = "normal") -> Queued:
    """MSG-5: the customer's service settings as a PDF, to the customer or to a technician."""
    from ispterm.documents.service_settings import settings_pdf
    from ispterm.operators.model import Operator

    ctx.require(COMM_WRITE)
    if technician:
        with ctx.read() as s:
            op = s.exec(select(Operator).where(Operator.login == technician)).first()
        if op is None:
            raise ValidationError("technician", f"unknown operator {technician!r}")
        if not op.email:
            raise ValidationError("technician", f"operator {technician} has no e-mail address")
        to = op.email
    pdf = attachment(f"service-settings-{number}.pdf", settings_pdf(ctx, number))
    return send_email(ctx, number, to=to, template="service_settings", attachments=[pdf],
                      sender=sender, priority=priority)
