"""A plain DB-API connection for what the app shows before its first frame.

Importing SQLAlchemy costs about half a second, more than a bare Textual app needs to paint,
so ``ispterm open`` checks the schema and reads the card header through the driver itself
(sqlite3, psycopg) and leaves the engine to the boot worker. Only read-only, portable SQL
with ``:name`` parameters goes through here.
"""

from __future__ import annotations

import os
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

    def __init__(self, raw: Any, dialect: str, error: type[Exception], name: str = "") -> None:
        self.raw = raw
        self.dialect = dialect
        self.error = error  # the driver's own base error class
        self.name = name  # the file or URL (password hidden) for messages

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

    def table_names(self) -> set[str]:
        """The tables of the database (its default schema on PostgreSQL)."""
        if self.dialect == "postgresql":
            sql = ("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()")
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
        return {row[0] for row in self.execute(sql)}


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
            raw = sqlite3.connect(read_only_uri(Path(path)), uri=True, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        try:
            yield QuickConnection(raw, "sqlite", sqlite3.Error, path)
        finally:
            raw.close()
        return
    if url.startswith(("postgresql", "postgres")):
        import psycopg

        conninfo = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)
        shown = re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", conninfo)
        try:
            pg = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"cannot open database {shown}: {reason}") from exc
        try:
            yield QuickConnection(pg, "postgresql", psycopg.Error, shown)
        finally:
            pg.close()
        return
    raise StoreError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")


def check_schema(conn: QuickConnection) -> None:
    """The same refusal as ``migrate.require_current``, without SQLAlchemy or Alembic."""
    from ispterm.store.migrate import schema_problem

    problem = schema_problem(*_stamps(conn))
    if problem:
        raise StoreError(problem)


def _stamps(conn: QuickConnection) -> tuple[list[str] | None, bool]:
    """The rows of alembic_version (None: no such table), and whether other tables exist
    (asked only when there are no rows: the usual start pays for one query)."""
    try:
        try:
            stamps = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        except conn.error:
            if "alembic_version" in conn.table_names():
                raise
            return None, False
        return stamps, not stamps and bool(conn.table_names() - {"alembic_version"})
    except conn.error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot read database {conn.name}: {reason}") from exc


def check_operator(conn: QuickConnection, login: str) -> None:
    """The same refusal as ``operators.service.actor_for``: unknown or deactivated login."""
    from ispterm.operators.refusals import deactivated_operator, unknown_operator

    rows = conn.execute("SELECT active FROM operator WHERE login = :login", {"login": login})
    if not rows:
        raise unknown_operator(login)
    if not rows[0][0]:
        raise deactivated_operator(login)


# Opening a SQLite file this process may not write (shared with ``engine.make_engine``).


def unwritable_reason(path: Path) -> str | None:
    """Why this process cannot change the SQLite database ``path`` (None: it can).

    SQLite opens a file it may not write read-only without saying so, and every write then
    fails with "attempt to write a readonly database"; a WAL database in a directory this
    process may not write cannot even get its -wal file, so it cannot be written either."""
    if _read_only_fs(path):
        return "it is on a read-only file system"
    if not _may_write(path):
        return "you may not write the file"
    if _needs_new_index(path):
        return f"it is in WAL mode and you may not create its -wal and -shm files in {path.parent}"
    return None


def read_only_uri(path: Path) -> str:
    """The URI (for ``sqlite3.connect(..., uri=True)``) that opens ``path`` read-only.

    A WAL database is read through its -shm index, which SQLite creates next to the file when
    no connection has it open; in a directory this process may not write that fails ("attempt
    to write a readonly database"). The file is then opened ``immutable`` (no locks, no
    index), which is safe only when nothing can change it while it is read: it is on a
    read-only file system or nobody has write permission on it, and no -wal file holds
    changes not yet in it. Otherwise reading could see a half-written page: refused, saying
    what would work."""
    uri = f"{path.absolute().as_uri()}?mode=ro"
    if not _needs_new_index(path):
        return uri
    pending = _wal_has_changes(path)
    if not pending and (_read_only_fs(path) or not path.stat().st_mode & 0o222):
        return f"{uri}&immutable=1"
    advice = "read a copy in a directory of yours, or have the directory made writable for you"
    if not pending:
        advice += ", or (if nothing writes it any more) make the file read-only for everyone: chmod a-w"
    raise StoreError(f"cannot read database {path}: it is in WAL mode and SQLite must create "
                     f"{path.name}-shm in {path.parent}, which you may not write; {advice}")


def _needs_new_index(path: Path) -> bool:
    """A WAL database whose -shm index is not there and cannot be made."""
    return _is_wal(path) and not _sidecar(path, "-shm").exists() and not _may_write(path.parent)


def _is_wal(path: Path) -> bool:
    """The file's header says WAL (read and write versions 2, bytes 18-19)."""
    try:
        with path.open("rb") as file:
            header = file.read(20)
    except OSError:
        return False
    return header.startswith(b"SQLite format 3\x00") and header[18:20] == b"\x02\x02"


def _wal_has_changes(path: Path) -> bool:
    wal = _sidecar(path, "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _may_write(path: Path) -> bool:
    """By the kernel's own check (root without CAP_DAC_OVERRIDE included, which glibc's
    emulation of an effective-id check gets wrong)."""
    return os.access(path, os.W_OK)


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False
