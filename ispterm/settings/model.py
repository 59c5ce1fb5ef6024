"""System settings and code lists: shared rules that live in the database, not in config."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint

from ispterm.store.base import Field, SQLModel, time_field


class Setting(SQLModel, table=True):
    """One system setting; the value is JSON text, typed by the registry in settings.registry."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="null")
    updated_at: datetime = time_field()
    updated_by: str | None = Field(default=None, max_length=64)


CODE_KINDS = ("status", "group", "mark", "payment_type", "campaign", "task_type", "portal_level")


class CodeItem(SQLModel, table=True):
    """An entry of a code list (statuses, groups, marks, payment types, ...), by ``kind``."""

    __tablename__ = "code_item"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    name: str = Field(max_length=100)
    color: str | None = Field(default=None, max_length=32)
    sort: int = Field(default=0)
    is_default: bool = Field(default=False)
    active: bool = Field(default=True)
    # Task types only: offered on the card when the type has a customer field (SUP-1).
    customer_field: bool = Field(default=False)
    # Statuses only: a semantic tag the billing rules use (connected, suspended, disconnected).
    tag: str | None = Field(default=None, max_length=32)


class AdditionalField(SQLModel, table=True):
    """An operator-defined extra field (INF-8) and the object kinds that use it."""

    __tablename__ = "additional_field"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=100)
    type: str = Field(default="text", max_length=16)
    choices: str | None = Field(default=None)
    for_person: bool = Field(default=True)
    for_company: bool = Field(default=True)
    for_contact: bool = Field(default=False)
    sort: int = Field(default=0)
    active: bool = Field(default=True)
