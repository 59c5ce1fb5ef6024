"""Bulk inserts without ORM round-trips (the invoice run, the scale generator).

:class:`Bulk` runs one DBAPI ``executemany`` (SQLite) or ``COPY`` (PostgreSQL with psycopg 3)
per batch, with values converted by the column types' own bind processors, so what is stored
is exactly what the ORM would write.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

BATCH = 20_000


class Bulk:
    """A plain DBAPI executemany for one table, for the scale generator.

    Values are converted by the column types' own bind processors (Money to hundredths,
    UTC times, dates), so the stored form is exactly what the ORM would write; values that
    repeat (amounts, dates, times) are converted once through :meth:`conv`, and columns whose
    type has no processor on this database take the raw value.
    """

    def __init__(self, conn, table, columns: list[str], converted: Iterable[str] = ()) -> None:
        dialect = conn.dialect
        self.conn = conn
        self.columns = columns
        self.index = {name: k for k, name in enumerate(columns)}
        # Columns whose values the caller passes through conv(); the rest are raw.
        self.converted = {self.index[name] for name in converted}
        self.procs = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in columns]
        self.caches: list[dict] = [{} for _ in columns]
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
        if mark is None:  # pragma: no cover - both supported drivers use one of these
            raise AssertionError(f"unsupported paramstyle {dialect.paramstyle}")
        prep = dialect.identifier_preparer
        names = ", ".join(prep.quote(c) for c in columns)
        self.sql = (f"INSERT INTO {prep.format_table(table)} ({names}) "
                    f"VALUES ({', '.join([mark] * len(columns))})")
        # PostgreSQL (psycopg 3) takes bulk rows far faster through COPY than executemany.
        self.copy = (f"COPY {prep.format_table(table)} ({names}) FROM STDIN"
                     if dialect.name == "postgresql" and dialect.driver == "psycopg" else None)
        self.late = [k for k, proc in enumerate(self.procs)
                     if proc is not None and k not in self.converted]

    def conv(self, name: str, value: Any) -> Any:
        """The stored form of a value that many rows share (memoised)."""
        k = self.index[name]
        if k not in self.converted:
            raise AssertionError(f"column {name} is not declared as converted")
        proc = self.procs[k]
        if proc is None or value is None:
            return value
        cache = self.caches[k]
        if value not in cache:
            cache[value] = proc(value)
        return cache[value]

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        # Raw columns whose type has a processor on this database: converted per row.
        late = self.late
        if late:
            procs = self.procs
            fixed = []
            for row in rows:
                row = list(row)
                for k in late:
                    if row[k] is not None:
                        row[k] = procs[k](row[k])
                fixed.append(tuple(row))
            rows = fixed
        if self.copy:
            cursor = self.conn.connection.driver_connection.cursor()
            with cursor.copy(self.copy) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.close()
            return
        self.conn.exec_driver_sql(self.sql, rows)


def insert_many(conn, table, rows: list[dict]) -> None:
    """Insert dict rows (every row has the same keys) in batches; values that repeat
    (amounts, dates, times) are converted once."""
    if not rows:
        return
    columns = list(rows[0])
    probe = Bulk(conn, table, columns)
    typed = [c for c, proc in zip(columns, probe.procs, strict=True) if proc is not None]
    writer = Bulk(conn, table, columns, typed)
    caches = [(k, writer.caches[k], writer.procs[k]) for k in writer.converted]
    for start in range(0, len(rows), BATCH):
        batch = []
        for row in rows[start:start + BATCH]:
            values = [row[c] for c in columns]
            for k, cache, proc in caches:
                value = values[k]
                if value is not None:
                    try:
                        values[k] = cache[value]
                    except KeyError:
                        values[k] = cache[value] = proc(value)
            batch.append(tuple(values))
        writer.write(batch)
