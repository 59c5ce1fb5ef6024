"""A throw-away initialised database for one benchmark run, on SQLite or PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
OPERATOR = "bench"


def scratch_database(backend: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    """(url, cleanup): a SQLite file in ``workdir`` or a new PostgreSQL database that
    ``cleanup`` drops; initialised, with operator ``bench`` as master admin."""
    from ispterm.connect import dispose_engines, initialise

    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        initialise(url, OPERATOR)
        return url, dispose_engines
    from sqlalchemy import create_engine, text

    name = f"ispterm_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    initialise(url, OPERATOR)

    def cleanup() -> None:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, cleanup
