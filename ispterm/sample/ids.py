"""Primary keys handed out before rows are written, so the rows that refer to them (services
of a customer, lines of an invoice) can be bulk inserted in one go, without RETURNING."""

from __future__ import annotations

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection


class IdPool:
    """The next free ids of each table.

    SQLite: the caller holds the write lock (BEGIN IMMEDIATE), so max(id)+1 onwards is free.
    PostgreSQL: ids are drawn from the table's sequence, so concurrent inserts stay safe.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.next: dict[str, int] = {}
        self.sequences: dict[str, str] = {}

    def take(self, table: Table, n: int) -> list[int]:
        """``n`` ids for new rows of ``table``, never given out again."""
        if n <= 0:
            return []
        if self.pg:
            return self._from_sequence(table.name, n)
        name = table.name
        if name not in self.next:
            self.next[name] = (self.conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        start = self.next[name]
        self.next[name] = start + n
        return list(range(start, start + n))

    def _from_sequence(self, name: str, n: int) -> list[int]:
        if name not in self.sequences:
            self.sequences[name] = self.conn.execute(
                text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar_one()
        return list(self.conn.execute(
            text("SELECT array_agg(nextval(CAST(:seq AS regclass))) FROM generate_series(1, :n)"),
            {"seq": self.sequences[name], "n": n}).scalar_one())
