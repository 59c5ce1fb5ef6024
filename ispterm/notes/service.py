"""Notes (NOT-1..4). Private notes reach only their author and master admins, everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, true
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from ispterm.context import Ctx
from ispterm.customers.lookup import customer_by_number
from ispterm.customers.model import Customer
from ispterm.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ispterm.notes.model import Note
from ispterm.operators.model import Operator
from ispterm.operators.roles import NOTE_WRITE
from ispterm.store.rows import saved_id

MAX_NOTE = 20_000


@dataclass(frozen=True)
class NoteView:
    id: int
    customer_number: int
    author: str
    text: str
    private: bool
    alert: bool
    created_at: datetime
    updated_at: datetime
    updated_by: str | None
    deleted: bool
    version: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "customer": self.customer_number, "author": self.author,
            "text": self.text, "private": self.private, "alert": self.alert,
            "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by, "deleted": self.deleted, "version": self.version,
        }


def visible_notes_filter(ctx: Ctx) -> ColumnElement[bool]:
    """The one rule for private notes, as a SQL condition every note query must carry."""
    if ctx.sees_all_private_notes:
        return true()
    return or_(col(Note.private).is_(False), col(Note.author_id) == ctx.actor.id)


def _check_text(text: str) -> str:
    from ispterm import validation as v

    checked = v.text_block(text or "", field="text", max_len=MAX_NOTE)
    if not checked:
        raise ValidationError("text", "a note needs some text")
    return checked


def _views(s: Session, rows: Iterable[tuple[Note, str, int]]) -> list[NoteView]:
    out = []
    for note, login, number in rows:
        out.append(NoteView(saved_id(note.id), number, login, note.text, note.private, note.alert,
                            note.created_at, note.updated_at, note.updated_by,
                            note.deleted_at is not None, note.version))
    return out


def _query(ctx: Ctx) -> Select[Note, str, int]:
    return (select(Note, Operator.login, Customer.number)
            .join(Operator, col(Operator.id) == col(Note.author_id))
            .join(Customer, col(Customer.id) == col(Note.customer_id))
            .where(visible_notes_filter(ctx)))


def add_note(ctx: Ctx, number: int, text: str, *, private: bool = False, alert: bool = False) -> NoteView:
    ctx.require(NOTE_WRITE)
    text = _check_text(text)
    if ctx.actor.id is None:
        raise PermissionDenied("notes need a real operator as author")
    with ctx.write() as s:
        c = customer_by_number(s, number)
        note = Note(customer_id=saved_id(c.id), author_id=ctx.actor.id, text=text, private=private, alert=alert,
                    updated_by=ctx.actor.login)
        s.add(note)
        s.flush()
        return _views(s, [(note, ctx.actor.login, c.number)])[0]


def list_notes(ctx: Ctx, number: int, *, include_deleted: bool = False,
               alerts_only: bool = False) -> list[NoteView]:
    with ctx.read() as s:
        c = customer_by_number(s, number)
        stmt = _query(ctx).where(Note.customer_id == c.id)
        if not include_deleted:
            stmt = stmt.where(col(Note.deleted_at).is_(None))
        if alerts_only:
            stmt = stmt.where(Note.alert)
        return _views(s, s.exec(stmt.order_by(col(Note.created_at).desc(), col(Note.id).desc())))


def _editable(ctx: Ctx, s: Session, note_id: int, expected_version: int | None) -> Note:
    row = s.exec(_query(ctx).where(Note.id == note_id).with_for_update(of=Note)).first()
    if row is None:
        # A private note of someone else is reported exactly like a missing one.
        raise NotFound(f"note {note_id} does not exist")
    note = row[0]
    if expected_version is not None and note.version != expected_version:
        raise Conflict(f"note {note_id}", note.updated_by, note.updated_at)
    return note


def edit_note(ctx: Ctx, note_id: int, *, text: str | None = None, private: bool | None = None,
              alert: bool | None = None, expected_version: int | None = None) -> NoteView:
    ctx.require(NOTE_WRITE)
    with ctx.write() as s:
        note = _editable(ctx, s, note_id, expected_version)
        if private is not None and private != note.private and note.author_id != ctx.actor.id \
                and not ctx.sees_all_private_notes:
            raise PermissionDenied("only the author or a master admin may change whether a note is private")
        if text is not None:
            note.text = _check_text(text)
        if private is not None:
            note.private = private
        if alert is not None:
            note.alert = alert
        s.flush()
        return _views(s, s.exec(_query(ctx).where(Note.id == note.id)))[0]


def delete_note(ctx: Ctx, note_id: int, *, expected_version: int | None = None) -> None:
    ctx.require(NOTE_WRITE)
    with ctx.write() as s:
        note = _editable(ctx, s, note_id, expected_version)
        if note.deleted_at is not None:
            raise ValidationError("note", f"note {note_id} is already deleted")
        note.deleted_at = ctx.now()
        note.deleted_by = ctx.actor.login


def restore_note(ctx: Ctx, note_id: int) -> None:
    ctx.require(NOTE_WRITE)
    with ctx.write() as s:
        note = _editable(ctx, s, note_id, None)
        note.deleted_at = None
        note.deleted_by = None
