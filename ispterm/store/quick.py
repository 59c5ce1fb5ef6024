"""A plain DB-API connection for what the app shows before its first frame.

Importing SQLAlchemy costs about half a second, more than a bare Textual app needs to paint,
so ``ispterm open`` checks the schema and reads the card header through the driver itself
(sqlite3, psycopg) and leaves the engine to the boot worker. Only read-only, portable SQL
with ``:name`` parameters goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ispterm.errors import StoreError

_PARAM = re.compile(r"(?<!:):(\w+)")


def pyformat(sql: str) -> str:
    """``:name`` placeholders (sqlite3) as ``%(name)s`` (psycopg); ``::`` casts are left alone."""
    return _PARAM.sub(r"%(\1)s", sql)


class QuickConnection:
    """Just enough of a connection: ``execute(sql, params)`` returning DB-API rows."""

    def __init__(self, raw: Any, dialect: str, error: type[Exception]) -> None:
        self.raw = raw
        self.dialect = dialect
        self.error = error  # the driver's own base error class

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
        if self.dialect == "postgresql":
            sql = pyformat(sql)
        cur = self.raw.cursor()
        try:
            cur.execute(sql, params or {})
            return list(cur.fetchall())
        finally:
            cur.close()

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None


_SQLITE = re.compile(r"^sqlite(\+\w+)?:///(.+)$")


def _sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL or bare path (as ``engine.normalise_url`` reads them)."""
    if "://" not in url and not url.startswith("sqlite:"):
        return str(Path(url).expanduser().resolve())
    match = _SQLITE.match(url)
    return match.group(2).split("?", 1)[0] if match else None


@contextmanager
def connect(url: str) -> Iterator[QuickConnection]:
    """Open ``url`` read-only; a missing file or dead server is a one-line StoreError."""
    url = url.strip()
    path = _sqlite_file(url)
    if path:
        import sqlite3

        if not Path(path).exists():
            raise StoreError(f"database {path} does not exist; run 'ispterm init' first")
        try:
            raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        try:
            yield QuickConnection(raw, "sqlite", sqlite3.Error)
        finally:
            raw.close()
        return
    if url.startswith(("postgresql", "postgres")):
        import psycopg

        conninfo = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)
        try:
            raw = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            shown = re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", conninfo)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"cannot open database {shown}: {reason}") from exc
        try:
            yield QuickConnection(raw, "postgresql", psycopg.Error)
        finally:
            raw.close()
        return
    raise StoreError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")


def check_schema(conn: QuickConnection) -> None:
    """The same refusal as ``migrate.require_current``, without SQLAlchemy or Alembic."""
    from ispterm.store.migrate import head_revision

    try:
        current = conn.scalar("SELECT version_num FROM alembic_version")
    except conn.error:  # no such table: an empty database
        current = None
    if current is None:
        raise StoreError("database is not initialised; run 'ispterm init'")
    head = head_revision()
    if current != head:
        raise StoreError(f"database schema is at {current}, this ispterm needs {head}; run 'ispterm db upgrade'")


def check_operator(conn: QuickConnection, login: str) -> None:
    """The same refusal as ``operators.service.actor_for``: unknown or deactivated login."""
    from ispterm.operators.refusals import deactivated_operator, unknown_operator

    rows = conn.execute("SELECT active FROM operator WHERE login = :login", {"login": login})
    if not rows:
        raise unknown_operator(login)
    if not rows[0][0]:
        raise deactivated_operator(login)
