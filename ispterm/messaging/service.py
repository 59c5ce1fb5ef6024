"""Sending mail and SMS from the card and scripts; the queue and the e-mail history.

Everything is checked before anything is written: recipients, sender, template, variables,
attachments. Then one transaction queues the message with its communication-log and
history rows. Delivery is the sender's job (``sender.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from ispterm import validation as v
from ispterm.context import Ctx
from ispterm.errors import ConfigError, NotFound, ValidationError
from ispterm.messaging import compose, queue, sms
from ispterm.messaging import templates as tpl
from ispterm.messaging.catalog import find, system_variables
from ispterm.messaging.compose import Attachment, RecipientOption
from ispterm.messaging.model import (
    PRIORITIES,
    STATUSES,
    OutboundAttachment,
    OutboundMessage,
    SenderChoice,
)
from ispterm.operators.roles import COMM_WRITE

PRIORITY_NAMES = {n: k for k, n in PRIORITIES.items()}


@dataclass(frozen=True)
class Queued:
    id: int
    kind: str
    message_id: str
    to: str
    subject: str | None
    priority: str
    sms: sms.SmsCount | None = None


@dataclass(frozen=True)
class QueueItem:
    id: int
    kind: str
    status: str
    priority: str
    attempts: int
    customer: int | None
    contact_id: int | None
    to: str
    sender: str | None
    subject: str | None
    created_at: datetime
    created_by: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    error: str | None
    reply: str | None
    message_id: str
    attachments: tuple[tuple[str, int], ...] = ()

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "status": self.status, "priority": self.priority,
                "attempts": self.attempts, "customer": self.customer, "contact_id": self.contact_id,
                "to": self.to, "sender": self.sender, "subject": self.subject,
                "created_at": self.created_at.isoformat(), "created_by": self.created_by,
                "next_attempt_at": self.next_attempt_at.isoformat(),
                "sent_at": self.sent_at.isoformat() if self.sent_at else None,
                "error": self.error, "reply": self.reply, "message_id": self.message_id,
                "attachments": [{"name": n, "size": s} for n, s in self.attachments]}


@dataclass(frozen=True)
class Senders:
    addresses: tuple[str, ...]
    preselected: str | None  # the operator's last choice, else the first address


@dataclass(frozen=True)
class ComposeOptions:
    """What the e-mail compose dialog offers for one customer (MSG-2)."""

    recipients: tuple[RecipientOption, ...]
    senders: Senders
    templates: tuple[str, ...]
    variables: tuple[tpl.Variable, ...]


# --- what the dialogs need ------------------------------------------------------------------


def _configured_senders(s: Session) -> list[str]:
    from ispterm.settings.service import get_value

    return [a.strip() for a in str(get_value(s, "sender_addresses") or "").split(",") if a.strip()]


def senders(ctx: Ctx) -> Senders:
    with ctx.read() as s:
        addresses = _configured_senders(s)
        last = s.get(SenderChoice, ctx.actor.id) if ctx.actor.id else None
    pre = last.sender if last and last.sender in addresses else (addresses[0] if addresses else None)
    return Senders(tuple(addresses), pre)


def compose_options(ctx: Ctx, number: int) -> ComposeOptions:
    from ispterm.customers.service import get_card
    from ispterm.messaging.catalog import list_templates, variables

    card = get_card(ctx, number)
    return ComposeOptions(tuple(compose.recipient_options(card)), senders(ctx),
                          tuple(t.name for t in list_templates(ctx, "email")), tuple(variables(ctx)))


def sms_count(ctx: Ctx, text: str) -> sms.SmsCount:
    """Characters and parts for the live counter, with ``sms_divide_after_chars`` applied."""
    from ispterm.settings.service import get_setting

    return sms.count(text, int(get_setting(ctx, "sms_divide_after_chars") or 0))


def _priority(name: str | None) -> int:
    key = "normal" if name is None else name.strip().lower()
    if key not in PRIORITIES:
        raise ValidationError("priority", f"must be one of {', '.join(PRIORITIES)}, got {name!r}")
    return PRIORITIES[key]


def _sender(ctx: Ctx, s: Session, requested: str | None) -> tuple[str | None, str]:
    """(display name, address) of the sender: a system address, ``Name <address>`` allowed
    for this message's From (the choice remembered is the address)."""
    configured = _configured_senders(s)
    typed = v.mailbox(requested, field="sender") if requested else None
    if typed:
        name, address = typed
        if configured and address not in configured:
            raise ValidationError("sender", f"{address} is not a system address; choose from {', '.join(configured)}")
        if ctx.actor.id:
            choice = s.get(SenderChoice, ctx.actor.id)
            if choice is None:
                s.add(SenderChoice(operator_id=ctx.actor.id, sender=address))
            else:
                choice.sender = address
        return name, address
    last = s.get(SenderChoice, ctx.actor.id) if ctx.actor.id else None
    if last and last.sender in configured:
        return None, last.sender
    if not configured:
        raise ValidationError("sender", "no sender address is configured; "
                                        "set one with 'ispterm settings set sender_addresses ADDRESS'")
    return None, configured[0]


# --- variables ---------------------------------------------------------------------------------


def _invoice(i) -> dict:
    return {"number": i.number, "issued_on": i.issued_on, "due_on": i.due_on, "total": i.total,
            "outstanding": i.outstanding, "vs": i.vs}


def card_context(ctx: Ctx, card, *, contact=None, extra: dict | None = None) -> dict[str, Any]:
    """The built-in variables for one customer (and contact), plus system variables."""
    from ispterm.billing.service import invoices
    from ispterm.settings.service import get_setting

    values = card.values
    active = next((x for x in card.services if x.active), None)
    open_invoices = [i for i in invoices(ctx, card.number) if i.outstanding > 0 and i.status != "cancelled"]
    balance = card.standing.balance
    out: dict[str, Any] = {
        "number": card.number, "name": card.name, "legal_form": values.get("legal_form"),
        "street": values.get("street") or "", "city": values.get("city") or "", "zip": values.get("zip") or "",
        "email": values.get("email") or "", "billing_email": card.invoice_email or "",
        "phone": values.get("phone") or "", "mobile": values.get("mobile") or "",
        "status": card.status or "", "portal_login": values.get("portal_login") or str(card.number),
        "vs": str(card.number), "balance": balance, "owed": -balance if balance < 0 else Decimal("0.00"),
        "currency": get_setting(ctx, "currency"),
        "due_total": sum((i.outstanding for i in open_invoices), Decimal("0.00")),
        "due_invoices": [_invoice(i) for i in sorted(open_invoices, key=lambda i: i.due_on)],
        "service_plan": active.plan if active else "", "service_price": active.price if active else "",
        "service_ip": active.ips[0].address if active and active.ips else "",
        "service_ips": ", ".join(i.address for i in active.ips) if active else "",
        "service_mac": next((i.mac for i in active.ips if i.mac), "") if active else "",
        "service_dns": (active.dns or "") if active else "",
        "contact_name": contact.name if contact else "", "contact_login": (contact.portal_login or "") if contact else "",
        "portal_password": "", "today": ctx.today(), "operator": ctx.actor.name or ctx.actor.login, "text": "",
    }
    with ctx.read() as s:
        own = system_variables(s)
    return {**own, **out, **(extra or {})}


# Templates that ask the customer to pay what they owe (``owed``/``due_total``/``due_invoices``).
REMINDER_TEMPLATES = frozenset({"payment_reminder"})


def refuse_empty_reminder(number: int, template: str | None, context: dict[str, Any]) -> None:
    """A payment reminder to a customer who owes nothing (no unpaid invoice, no negative
    balance) is refused, e-mail or SMS, whoever sends it: it would ask for 0.00."""
    if (template or "").strip() not in REMINDER_TEMPLATES:
        return
    if context["owed"] <= 0 and context["due_total"] <= 0:
        raise ValidationError("template", f"customer {number} owes nothing: no payment reminder is sent")


def _render_parts(context: dict, subject: str | None, body: str | None, html: str | None):
    return (tpl.render(subject, context, field="subject").strip() if subject else None,
            tpl.render(body, context, field="body") if body else "",
            tpl.render(html, context, field="html", html=True) if html else None)


# --- e-mail ---------------------------------------------------------------------------------------


def send_email(ctx: Ctx, number: int, *, to: str | list[str] = "main", template: str | None = None,
               subject: str | None = None, body: str | None = None, html: str | None = None,
               attachments: list[Attachment] = (), priority: str = "normal", sender: str | None = None,
               extra: dict | None = None, contact_id: int | None = None, sensitive: bool = False) -> Queued:
    """Queue an e-mail to a customer; nothing is queued if any part is wrong."""
    from ispterm.customers.service import get_card

    ctx.require(COMM_WRITE)
    prio = _priority(priority)
    if len(attachments) > compose.MAX_ATTACHMENTS:
        raise ValidationError("attach", f"at most {compose.MAX_ATTACHMENTS} attachments, got {len(attachments)}")
    if template is None and not subject:
        raise ValidationError("subject", "give a template or a subject")
    if template is None and not (body or html):
        raise ValidationError("body", "give a template or a body")
    card = get_card(ctx, number)
    targets = [compose.resolve(card, spec) for spec in ([to] if isinstance(to, str) else list(to) or ["main"])]
    contact = None
    cid = contact_id or next((t.contact_id for t in targets if t.contact_id), None)
    if cid is not None:
        contact = next((c for c in card.contacts if c.id == cid), None)
        if contact is None:
            raise ValidationError("contact", f"contact {cid} is not a contact of customer {number}")
    context = card_context(ctx, card, contact=contact, extra=extra)
    refuse_empty_reminder(number, template, context)
    with ctx.write() as s:
        if template is not None:
            t = find(s, "email", template)
            subject = subject or t.subject
            body = body if body is not None else t.body
            html = html if html is not None else t.html
        rendered = _render_parts(context, subject, body, html)
        compose.header_value(rendered[0], "subject")
        if not rendered[0]:
            raise ValidationError("subject", "the subject is empty")
        from_name, from_ = _sender(ctx, s, sender)
        recipients = list(dict.fromkeys(t.address for t in targets))
        names: dict[str, str] = {}  # display names, for the To header only; the first typed wins
        for t in targets:
            if t.name:
                names.setdefault(t.address, t.name)
        msg = queue.enqueue(s, kind="email", recipients=recipients, subject=rendered[0], body=rendered[1],
                            html=rendered[2], sender=from_, attachments=list(attachments), priority=prio,
                            message_id=compose.new_message_id(from_), customer_id=card.id,
                            contact_id=cid, sensitive=sensitive, names=names,
                            sender_name=from_name)
        return Queued(msg.id, "email", msg.message_id, msg.recipients, msg.subject, PRIORITY_NAMES[prio])


def send_system_email(ctx: Ctx, recipients: list[str], *, template: str, context: dict,
                      customer_id: int | None = None) -> Queued:
    """System mail (notifications) from the first system address, not to a customer address."""
    with ctx.write() as s:
        t = find(s, "email", template)
        subject, body, html = _render_parts({**system_variables(s), **context}, t.subject, t.body, t.html)
        configured = _configured_senders(s)
        if not configured:
            raise ValidationError("sender", "no sender address is configured (sender_addresses)")
        msg = queue.enqueue(s, kind="email", recipients=recipients, subject=subject or template, body=body,
                            html=html, sender=configured[0], message_id=compose.new_message_id(configured[0]),
                            customer_id=customer_id)
        return Queued(msg.id, "email", msg.message_id, msg.recipients, msg.subject, "normal")


# --- SMS --------------------------------------------------------------------------------------------


def _technician_mobile(s: Session, login: str) -> str:
    from ispterm.operators.model import Operator

    op = s.exec(select(Operator).where(Operator.login == login)).first()
    if op is None:
        raise ValidationError("to", f"unknown operator {login!r}")
    if not op.mobile:
        raise ValidationError("to", f"operator {login} has no mobile number")
    return op.mobile


def send_sms(ctx: Ctx, number: int, text: str | None = None, *, to: str | None = None,
             template: str | None = None, priority: str = "normal") -> list[Queued]:
    """Queue an SMS about a customer: to their mobile, a technician (login) or a typed number.

    With ``sms_divide_after_chars`` set, a long text becomes several SMS (one row each).
    Refused when the caller's config names no gateway: nothing could ever send it.
    """
    from ispterm.customers.service import get_card
    from ispterm.settings.service import get_setting

    ctx.require(COMM_WRITE)
    if ctx.config is not None and not ctx.config.sms.url:
        raise ConfigError("no SMS gateway is configured (sms.url is empty), so nothing was queued")
    prio = _priority(priority)
    if template is None and not (text or "").strip():
        raise ValidationError("text", "an SMS needs a text or a template")
    card = get_card(ctx, number)
    region = get_setting(ctx, "phone_region")
    divide_after = int(get_setting(ctx, "sms_divide_after_chars") or 0)
    context = card_context(ctx, card)
    refuse_empty_reminder(number, template, context)
    with ctx.write() as s:
        if template is not None:
            text = find(s, "sms", template).body if not text else text
        # Refused here, not per part: parts are cut at any character, spaces included.
        body = v.text_block(tpl.render(text, context, field="text"), field="text", max_len=queue.MAX_TEXT)
        if not body:
            raise ValidationError("text", "the SMS is empty")
        spec = (to or "customer").strip()
        if spec == "customer":
            phone = card.values.get("mobile")
            if not phone:
                raise ValidationError("to", f"customer {number} has no mobile number")
        elif spec.startswith("+") or spec[:1].isdigit():
            phone = v.phone(spec, field="to", region=region)
        else:
            phone = _technician_mobile(s, spec)
        out = []
        for piece in sms.divide(body, divide_after):
            msg = queue.enqueue(s, kind="sms", recipients=[phone], body=piece, priority=prio,
                                message_id=compose.new_message_id(None), customer_id=card.id)
            out.append(Queued(msg.id, "sms", msg.message_id, phone, None, PRIORITY_NAMES[prio], sms.count(piece)))
        return out


# --- the queue --------------------------------------------------------------------------------------


def _items(s: Session, rows: list[OutboundMessage]) -> list[QueueItem]:
    from ispterm.customers.model import Customer

    ids = [r.id for r in rows]
    files: dict[int, list[tuple[str, int]]] = {}
    if ids:
        for mid, name, size in s.exec(select(OutboundAttachment.message_id, OutboundAttachment.filename,
                                             OutboundAttachment.size).where(OutboundAttachment.message_id.in_(ids))):
            files.setdefault(mid, []).append((name, size))
    cids = {r.customer_id for r in rows if r.customer_id}
    numbers = dict(s.exec(select(Customer.id, Customer.number).where(Customer.id.in_(cids))).all()) if cids else {}
    return [QueueItem(r.id, r.kind, r.status, PRIORITY_NAMES.get(r.priority, str(r.priority)), r.attempts,
                      numbers.get(r.customer_id), r.contact_id, r.recipients, r.sender, r.subject, r.created_at,
                      r.created_by, r.next_attempt_at, r.sent_at, r.last_error, r.reply, r.message_id,
                      tuple(files.get(r.id, ()))) for r in rows]


def list_queue(ctx: Ctx, *, status: str | None = None, kind: str | None = None, number: int | None = None,
               limit: int = 200, offset: int = 0) -> list[QueueItem]:
    """The queue screen: newest first, filtered by status, kind or customer; ``offset`` pages."""
    from ispterm.customers.lookup import customer_by_number

    if status and status not in STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
    if kind and kind not in ("email", "sms"):
        raise ValidationError("kind", f"must be email or sms, got {kind!r}")
    with ctx.read() as s:
        stmt = select(OutboundMessage)
        if status:
            stmt = stmt.where(OutboundMessage.status == status)
        if kind:
            stmt = stmt.where(OutboundMessage.kind == kind)
        if number is not None:
            stmt = stmt.where(OutboundMessage.customer_id == customer_by_number(s, number).id)
        rows = list(s.exec(stmt.order_by(OutboundMessage.id.desc()).offset(max(offset, 0)).limit(limit)))
        return _items(s, rows)


def queue_counts(ctx: Ctx) -> dict[str, int]:
    """Messages per status (every status present, zero when none), for the queue badge."""
    from sqlalchemy import func

    with ctx.read() as s:
        rows = s.exec(select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)).all()
    return {**dict.fromkeys(STATUSES, 0), **{status: n for status, n in rows}}


def get_message(ctx: Ctx, message_id: int) -> QueueItem:
    with ctx.read() as s:
        row = s.get(OutboundMessage, message_id)
        if row is None:
            raise NotFound(f"message {message_id} does not exist")
        return _items(s, [row])[0]


def _locked(s: Session, message_id: int) -> OutboundMessage:
    row = s.exec(select(OutboundMessage).where(OutboundMessage.id == message_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"message {message_id} does not exist")
    return row


def _log(s: Session, row: OutboundMessage, status: str, summary: str) -> None:
    from ispterm.audit.recorder import record
    from ispterm.support.model import Communication

    if row.communication_id:
        comm = s.get(Communication, row.communication_id)
        if comm is not None:
            comm.status = status
    record(s, customer_id=row.customer_id, entity="message", entity_id=row.id,
           action=f"{row.kind}_{status}", summary=summary)


def retry(ctx: Ctx, message_id: int) -> QueueItem:
    """Queue a failed or cancelled message again, now, with a fresh count of attempts."""
    ctx.require(COMM_WRITE)
    with ctx.write() as s:
        row = _locked(s, message_id)
        if row.status not in ("failed", "cancelled", "queued"):
            raise ValidationError("status", f"message {message_id} is {row.status}; only failed, cancelled "
                                            "or waiting messages can be retried")
        row.status, row.attempts, row.next_attempt_at = "queued", 0, ctx.now()
        _log(s, row, "queued", f"message {message_id} queued again by {ctx.actor.login}")
        s.flush()
        return _items(s, [row])[0]


def cancel(ctx: Ctx, message_id: int) -> QueueItem:
    """Cancel a message that is not being sent right now."""
    ctx.require(COMM_WRITE)
    with ctx.write() as s:
        row = _locked(s, message_id)
        if row.status != "queued":
            raise ValidationError("status", f"message {message_id} is {row.status}; only queued messages can "
                                            "be cancelled")
        row.status = "cancelled"
        _log(s, row, "cancelled", f"message {message_id} cancelled by {ctx.actor.login}")
        s.flush()
        return _items(s, [row])[0]


def email_history(ctx: Ctx, number: int, contact_id: int | None = None, *, limit: int = 200,
                  offset: int = 0, status: str | None = None) -> list[QueueItem]:
    """HIS-2: the customer's (or one contact's) e-mail with delivery state and errors, newest first."""
    from ispterm.customers.lookup import customer_by_number

    if status and status not in STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
    with ctx.read() as s:
        c = customer_by_number(s, number)
        stmt = select(OutboundMessage).where(OutboundMessage.customer_id == c.id, OutboundMessage.kind == "email")
        if contact_id is not None:
            stmt = stmt.where(OutboundMessage.contact_id == contact_id)
        if status:
            stmt = stmt.where(OutboundMessage.status == status)
        stmt = stmt.order_by(OutboundMessage.id.desc()).offset(max(offset, 0)).limit(limit)
        return _items(s, list(s.exec(stmt)))
