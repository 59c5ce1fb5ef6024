"""Reading the history (HIS-1): per customer or global, filtered, private rows withheld."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, text
from sqlmodel import Session, col, select

from ispterm.audit.model import AuditEvent
from ispterm.billing.model import Invoice
from ispterm.context import Ctx
from ispterm.customers.lookup import customer_by_number
from ispterm.customers.model import Customer
from ispterm.errors import ValidationError
from ispterm.store.rows import saved_id


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

    def to_json(self) -> dict[str, Any]:
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
                .join(Customer, col(Customer.id) == col(AuditEvent.customer_id), isouter=True))
        if number is not None:
            stmt = stmt.where(AuditEvent.customer_id == customer_by_number(s, number).id)
        if not ctx.sees_all_private_notes:
            stmt = stmt.where(visible_rows(ctx))
        if text and text.strip():
            wanted = text.strip()
            like = f"%{wanted}%"
            matches = [col(AuditEvent.field).ilike(like), col(AuditEvent.old).ilike(like),
                       col(AuditEvent.new).ilike(like), col(AuditEvent.summary).ilike(like),
                       col(AuditEvent.operator).ilike(like), col(AuditEvent.entity).ilike(like),
                       # rows about an invoice whose number matches, also those written before
                       # their summaries named the invoice
                       and_(col(AuditEvent.entity) == "invoice",
                            col(AuditEvent.entity_id).in_(
                                select(col(Invoice.id)).where(col(Invoice.number).ilike(like))))]
            if number is None and wanted.isdigit() and len(wanted) < 10:
                matches.append(col(Customer.number) == int(wanted))  # the global trail of one customer
            stmt = stmt.where(or_(*matches))
        stmt = (stmt.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
                .limit(limit).offset(offset))
        rows = s.exec(stmt).all()
        about = _about(s, [e for e, _ in rows])
        return [HistoryEntry(saved_id(e.id), e.at, e.operator, num, e.entity, e.entity_id, e.action,
                             e.field, e.old, e.new, e.summary,
                             about.get((e.entity, e.entity_id)) if e.entity_id is not None else None)
                for e, num in rows]


def visible_rows(ctx: Ctx) -> ColumnElement[bool]:
    """The one rule for which audit rows an operator who does not see every private note
    may read, as a SQL condition.

    Rows about a note follow the note as it is now, not as it was when the row was written:
    a note made private takes the text its creation and edits recorded with it (and a note
    made public again gives them back). Other rows carry ``private_to`` when written.
    """
    from ispterm.notes.model import Note

    # "WHERE private" as the partial index ix_note_private_author has it, so it is used.
    others_private = select(col(Note.id)).where(text("note.private"), col(Note.author_id) != ctx.actor.id)
    about_note = col(AuditEvent.entity) == "note"
    entity_id, private_to = col(AuditEvent.entity_id), col(AuditEvent.private_to)
    return or_(
        and_(about_note, or_(entity_id.is_(None), entity_id.not_in(others_private))),
        and_(~about_note, or_(private_to.is_(None), private_to == ctx.actor.id)),
    )


def _about(s: Session, events: list[AuditEvent]) -> dict[tuple[str, int], str]:
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
        for iid, number in s.exec(select(col(Invoice.id), col(Invoice.number))
                                  .where(col(Invoice.id).in_(wanted["invoice"]))):
            out[("invoice", saved_id(iid))] = invoice_label(number)
    if wanted["payment"]:
        for pid, amount, currency, received in s.exec(
                select(col(Payment.id), col(Payment.amount), col(Payment.currency),
                       col(Payment.received_on))
                .where(col(Payment.id).in_(wanted["payment"]))):
            out[("payment", saved_id(pid))] = payment_label(pid, amount, currency, received)
    return out
