"""Query plans for tests that prove a hot query uses its index (not a timing).

On PostgreSQL the tables of a test are tiny, and the planner rightly prefers a sequential
scan of a page or two; ``enable_seqscan = off`` asks what it does when scanning is costly,
which is what matters at a million rows: whether an index serves the query at all.
"""

from __future__ import annotations

from typing import Any


def plan(session: Any, stmt: Any) -> str:
    """The plan of ``stmt`` (a SQLAlchemy statement) on the session's database, as text."""
    conn = session.connection()
    sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "sqlite":
        return "\n".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql))


__all__ = ["plan"]
