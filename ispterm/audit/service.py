"""Reading the history (HIS-1): per customer or global, filtered, private rows withheld."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, text
from sqlmodel import select

from ispterm.audit.model import AuditEvent
from ispterm.billing.model import Invoice
from ispterm.context import Ctx
from ispterm.customers.lookup import customer_by_number
from ispterm.customers.model import Customer
from ispterm.errors import ValidationError


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    operator: str
    customer_number: int | None
    entity: str
    entity_id: int | None
    action: str
    field: str | None
    old: str | None
    new: str | None
    summary: str | None
    # The record the row is about, when the entity alone does not say which: "invoice
    # FV202600042", "payment 17 (500.00 CZK received 2026-11-03)". Read from the invoice or
    # payment itself, so rows written before their summaries named it say it too.
    about: str | None = None

    def describe(self) -> str:
        if self.field:
            return f"{self.about or self.entity} {self.field}: {self.old or '∅'} -> {self.new or '∅'}"
        return self.summary or f"{self.entity} {self.action}"

    def to_json(self) -> dict:
        return {
            "id": self.id, "at": self.at.isoformat(), "operator": self.operator,
            "customer": self.customer_number, "entity": self.entity, "entity_id": self.entity_id,
            "action": self.action, "field": self.field, "old": self.old, "new": self.new,
            "summary": self.summary, "about": self.about,
        }


def history(ctx: Ctx, number: int | None = None, *, limit: int = 50, offset: int = 0,
            text: str | None = None) -> list[HistoryEntry]:
    """Newest first. Rows about private notes show only to their author and master admins."""
    if limit < 1 or limit > 10_000:
        raise ValidationError("limit", "must be between 1 and 10000")
    with ctx.read() as s:
        stmt = (select(AuditEvent, Customer.number)
                .join(Customer, Customer.id == AuditEvent.customer_id, isouter=True))
        if number is not None:
            stmt = stmt.where(AuditEvent.customer_id == customer_by_number(s, number).id)
        if not ctx.sees_all_private_notes:
            stmt = stmt.where(visible_rows(ctx))
        if text and text.strip():
            wanted = text.strip()
            like = f"%{wanted}%"
            matches = [AuditEvent.field.ilike(like), AuditEvent.old.ilike(like),
                       AuditEvent.new.ilike(like), AuditEvent.summary.ilike(like),
                       AuditEvent.operator.ilike(like), AuditEvent.entity.ilike(like),
                       # rows about an invoice whose number matches, also those written before
                       # their summaries named the invoice
                       and_(AuditEvent.entity == "invoice",
                            AuditEvent.entity_id.in_(select(Invoice.id).where(Invoice.number.ilike(like))))]
            if number is None and wanted.isdigit() and len(wanted) < 10:
                matches.append(Customer.number == int(wanted))  # the global trail of one customer
            stmt = stmt.where(or_(*matches))
        stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
        rows = s.exec(stmt).all()
        about = _about(s, [e for e, _ in rows])
        return [HistoryEntry(e.id, e.at, e.operator, num, e.entity, e.entity_id, e.action, e.field,
                             e.old, e.new, e.summary, about.get((e.entity, e.entity_id)))
                for e, num in rows]


def visible_rows(ctx: Ctx):
    """The one rule for which audit rows an operator who does not see every private note
    may read, as a SQL condition.

    Rows about a note follow the note as it is now, not as it was when the row was written:
    a note made private takes the text its creation and edits recorded with it (and a note
    made public again gives them back). Other rows carry ``private_to`` when written.
    """
    from ispterm.notes.model import Note

    # "WHERE private" as the partial index ix_note_private_author has it, so it is used.
    others_private = select(Note.id).where(text("note.private"), Note.author_id != ctx.actor.id)
    about_note = AuditEvent.entity == "note"
    return or_(
        and_(about_note, or_(AuditEvent.entity_id.is_(None), AuditEvent.entity_id.not_in(others_private))),
        and_(~about_note, or_(AuditEvent.private_to.is_(None), AuditEvent.private_to == ctx.actor.id)),
    )


def _about(s, events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """The invoices and payments a page of rows is about, named as their rows name them
    (two queries at most, by primary key)."""
    from ispterm.audit.rows import invoice_label, payment_label
    from ispterm.billing.model import Payment

    wanted: dict[str, set[int]] = {"invoice": set(), "payment": set()}
    for e in events:
        if e.entity in wanted and e.entity_id is not None:
            wanted[e.entity].add(e.entity_id)
    out: dict[tuple[str, int], str] = {}
    if wanted["invoice"]:
        for iid, number in s.exec(select(Invoice.id, Invoice.number).where(Invoice.id.in_(wanted["invoice"]))):
            out[("invoice", iid)] = invoice_label(number)
    if wanted["payment"]:
        for pid, amount, currency, received in s.exec(
                select(Payment.id, Payment.amount, Payment.currency, Payment.received_on)
                .where(Payment.id.in_(wanted["payment"]))):
            out[("payment", pid)] = payment_label(pid, amount, currency, received)
    return out
