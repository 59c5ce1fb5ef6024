"""Gapless invoice numbers (BIL-3): one series per billing group and year.

A number is the group's prefix, the year and a sequence of at least five digits
(``FV202600042``). The last sequence of each series lives in ``invoice_series``; issuing
locks that row (``FOR UPDATE`` on PostgreSQL; on SQLite the immediate write transaction
already serialises writers), so two processes issuing at once never share or skip a number,
and a rolled-back transaction gives its numbers back.
"""

from __future__ import annotations

import re

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection

from ispterm.billing.model import InvoiceSeries

SERIES = InvoiceSeries.__table__


def format_number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}{year}{seq:05d}"


def parse_number(number: str, prefix: str) -> tuple[int, int] | None:
    """(year, sequence) of a number in the group's series, or None for a foreign shape."""
    if prefix and not number.startswith(prefix):
        return None
    m = re.fullmatch(r"([0-9]{4})([0-9]{5,})", number[len(prefix):])
    return (int(m.group(1)), int(m.group(2))) if m else None


def _insert_ignore(conn: Connection, group_id: int, year: int, last: int) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(SERIES).values(billing_group_id=group_id, year=year, last=last)
                 .on_conflict_do_nothing())


def _highest_issued(conn: Connection, group_id: int, year: int) -> int:
    """The highest sequence already used in invoices (series made before this table)."""
    from ispterm.billing.model import BillingGroup, Invoice

    prefix = conn.execute(select(BillingGroup.invoice_prefix)
                          .where(BillingGroup.id == group_id)).scalar() or ""
    numbers = conn.execute(select(Invoice.number).where(
        Invoice.billing_group_id == group_id, Invoice.number.like(f"{prefix}{year}%"))).scalars()
    best = 0
    for number in numbers:
        parsed = parse_number(number, prefix)
        if parsed and parsed[0] == year:
            best = max(best, parsed[1])
    return best


def reserve(conn: Connection, group_id: int, year: int, count: int = 1) -> int:
    """Take ``count`` consecutive sequence numbers; returns the first. Held until commit."""
    where = (SERIES.c.billing_group_id == group_id) & (SERIES.c.year == year)
    last = conn.execute(select(SERIES.c.last).where(where).with_for_update()).scalar()
    if last is None:
        _insert_ignore(conn, group_id, year, _highest_issued(conn, group_id, year))
        last = conn.execute(select(SERIES.c.last).where(where).with_for_update()).scalar_one()
    conn.execute(update(SERIES).where(where).values(last=last + count))
    return last + 1


def raise_series(conn: Connection, group_id: int, year: int, last: int) -> None:
    """Make the series continue after ``last`` (bulk loaders that write numbers themselves)."""
    where = (SERIES.c.billing_group_id == group_id) & (SERIES.c.year == year)
    current = conn.execute(select(SERIES.c.last).where(where).with_for_update()).scalar()
    if current is None:
        _insert_ignore(conn, group_id, year, last)
    elif current < last:
        conn.execute(update(SERIES).where(where).values(last=last))


def seed_all_series(conn: Connection) -> None:
    """Series rows from the invoices already in the database (migration, data loads)."""
    prefixes = dict(conn.execute(text("SELECT id, invoice_prefix FROM billing_group")).all())
    best: dict[tuple[int, int], int] = {}
    for group_id, number in conn.execute(text("SELECT billing_group_id, number FROM invoice")):
        parsed = parse_number(number, prefixes.get(group_id) or "")
        if parsed:
            key = (group_id, parsed[0])
            best[key] = max(best.get(key, 0), parsed[1])
    for (group_id, year), last in sorted(best.items()):
        raise_series(conn, group_id, year, last)
