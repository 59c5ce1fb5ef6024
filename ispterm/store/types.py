"""Column types that keep money exact and times in UTC on every database."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


class Money(TypeDecorator):
    """Decimal amounts stored as integer hundredths.

    Integers are exact and sum exactly on SQLite and PostgreSQL alike (SQLite's NUMERIC
    is a float underneath); SUM() keeps this type, so aggregates come back as Decimal too.
    """

    impl = BigInteger
    cache_ok = True

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError(f"{type(self).__name__} values must be Decimal, never float")
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
        return int(amount * 100)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)

    @property
    def python_type(self):
        return Decimal


class Percent(Money):
    """A rate in percent (VAT 21.00) with the same exact two-place storage as money."""

    cache_ok = True


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes, stored as UTC.

    SQLite has no time zones, so naive UTC is stored there and made aware on the way out;
    PostgreSQL gets ``timestamptz``. A naive datetime on the way in is a bug and refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self):
        return datetime


def utcnow() -> datetime:
    """The machine's clock, in UTC. Services never call it: they take ``ctx.now()``; it is
    the default of ``Ctx.clock`` and the clock of what runs outside a Ctx (the sender)."""
    return datetime.now(UTC)


# The instant of the unit of work being written here (``Ctx.write`` sets it for the length of
# its transaction), so that a row's default ``created_at``/``updated_at`` is the Ctx clock's
# time, like every other time stamped in that transaction, and not the machine's.
unit_now: ContextVar[datetime | None] = ContextVar("ispterm_unit_now", default=None)


def default_now() -> datetime:
    """The default of a time column: the instant of the current ``Ctx.write``; outside one
    (a migration, a Session no Ctx opened) there is no Ctx clock, only the machine's."""
    return unit_now.get() or utcnow()


def session_now(session) -> datetime:
    """The instant of the unit of work ``session`` belongs to: the Ctx clock, read once by
    ``Ctx.write`` (every row of one change carries the same time). A Session no Ctx opened
    (there is none in ispterm) has no clock but the machine's."""
    return session.info.get("now") or utcnow()
