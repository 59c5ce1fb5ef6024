"""Engine factory for SQLite (embedded default) and PostgreSQL (shared server).

SQLite is opened in WAL mode with foreign keys and a busy timeout, and every transaction
that may write starts with ``BEGIN IMMEDIATE``: the write lock is taken up front, so two
writers queue on the busy timeout instead of one failing with "database is locked" when it
upgrades a read lock halfway through. Read-only sessions use ``BEGIN DEFERRED``.

A SQLite file this process may not write (permissions, a read-only mount, a WAL database in
a directory it may not write) is opened read-only (``quick.read_only_uri``): reads work, and
a transaction that may write is refused up front with the file and the reason, instead of
SQLite's "attempt to write a readonly database" at the first statement that writes.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from ispterm.errors import StoreError
from ispterm.store.quick import read_only_uri, unwritable_reason

if TYPE_CHECKING:
    import sqlite3

BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """Accept a bare file path and ``postgresql://`` URLs; pick the psycopg 3 driver."""
    url = url.strip()
    if not url:
        raise StoreError("no database URL given")
    if "://" not in url and not url.startswith("sqlite:"):
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, *, must_exist: bool = True, echo: bool = False) -> Engine:
    """Create an engine; with ``must_exist`` a missing SQLite file is an error, not a new file."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            if must_exist and not path.exists():
                raise StoreError(f"database {path} does not exist; run 'ispterm init' first")
            if not must_exist:
                path.parent.mkdir(parents=True, exist_ok=True)
        unwritable = unwritable_reason(path) if path is not None and path.exists() else None
        if path is not None and unwritable:
            engine = create_engine(url, echo=echo, creator=partial(_connect_read_only, read_only_uri(path)))
        else:
            engine = create_engine(
                url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
            )
        _install_sqlite_hooks(engine, path, unwritable)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise StoreError(f"use the psycopg 3 driver (postgresql+psycopg://), not {parsed.drivername}")
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)
    raise StoreError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _connect_read_only(uri: str) -> sqlite3.Connection:
    import sqlite3

    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)


def _install_sqlite_hooks(engine: Engine, path: Path | None, unwritable: str | None) -> None:
    """``unwritable``: why ``path`` cannot be written (None: it can)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN, not the sqlite3 module's implicit one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not unwritable:  # switching the journal mode is a write
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if unwritable and mode != "DEFERRED":
            raise StoreError(f"cannot change database {path}: {unwritable}")
        conn.exec_driver_sql(f"BEGIN {mode}")


def read_only(engine: Engine) -> Engine:
    """The same engine whose transactions do not take the SQLite write lock."""
    return engine.execution_options(sqlite_begin="DEFERRED")


def check_reachable(engine: Engine) -> None:
    """Turn a dead server or unreadable file into one clear line."""
    try:
        with read_only(engine).connect() as conn:
            inspect(conn).has_table("alembic_version")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {reason}") from exc
