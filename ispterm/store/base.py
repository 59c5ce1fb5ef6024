"""The one metadata every table hangs on, with a constraint naming convention.

Alembic needs stable constraint names to alter tables (SQLite batch mode rebuilds them),
so the convention is set here, before any model module defines a table.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from ispterm.store import types
from ispterm.store.types import Money, Percent, UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


def money_field(default: Decimal | None = Decimal("0.00"), **kw) -> Decimal:
    return Field(default=default, sa_type=Money, **kw)


def percent_field(default: Decimal | None = Decimal("0.00"), **kw) -> Decimal:
    return Field(default=default, sa_type=Percent, **kw)


def time_field(nullable: bool = False, default_now: bool = True, **kw) -> datetime:
    if default_now:
        # The time of the Ctx.write the row is made in (the Ctx clock), not the machine's.
        return Field(default_factory=types.default_now, sa_type=UTCDateTime, nullable=nullable, **kw)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, **kw)


__all__ = ["Field", "SQLModel", "metadata", "money_field", "percent_field", "time_field"]
