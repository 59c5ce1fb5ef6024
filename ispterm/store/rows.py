"""Typed access to stored rows where the models' types are wider than what the database holds.

A table model types its surrogate key ``id: int | None``: None only until the row's first
flush. A row read from the database, or flushed, has its key, and ``saved_id`` says so where
the key is used (with a check, not a cast). ``Session.get`` may find nothing, but not for a
key a foreign key holds: ``referenced`` is that look-up. ``table_of`` is the Core table of a
model, which SQLModel sets as ``__table__`` on every ``table=True`` class without declaring it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Table, inspect
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

_Model = TypeVar("_Model", bound=SQLModel)


def saved_id(value: int | None) -> int:
    """The primary key of a row that was read or flushed (it has one: never None there)."""
    if value is None:
        raise RuntimeError("the row has no primary key yet: it was never flushed")
    return value


def referenced(session: Session, model: type[_Model], key: Any) -> _Model:
    """The row a foreign key points at (``session.get``; the constraint says it exists)."""
    row = session.get(model, key)
    if row is None:
        raise LookupError(f"{model.__name__} {key!r} does not exist, though a foreign key names it")
    return row


def table_of(model: type[SQLModel]) -> Table:
    """The Core ``Table`` a table model is mapped to (for bulk ``insert``/``update``)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


__all__ = ["referenced", "saved_id", "table_of"]
