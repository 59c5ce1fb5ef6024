"""Core bulk inserts for the invoice run: one executemany per batch, no ORM round-trips."""

from __future__ import annotations

from sqlalchemy import insert

BATCH = 20_000


def insert_many(conn, table, rows: list[dict]) -> None:
    if not rows:
        return
    stmt = insert(table)
    for start in range(0, len(rows), BATCH):
        conn.execute(stmt, rows[start:start + BATCH])
