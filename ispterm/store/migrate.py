"""Run the Alembic migrations that ship inside the package, on SQLite or PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ispterm.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy.engine import Engine

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?(\w+|None)['\"]?", re.M)


def _alembic_config(connection=None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "ispterm.store:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration, read from the version files' headers.

    Every app start checks the schema; importing Alembic for that would cost a noticeable part
    of the time to the first frame, and the chain is linear, so the head is the one revision
    that no other revision names as its parent.
    """
    revisions, parents = set(), set()
    for path in VERSIONS.glob("*.py"):
        found = dict((k, v) for k, v in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision"))
    heads = revisions - parents
    if len(heads) != 1:
        raise StoreError(f"migrations do not form one chain (heads: {', '.join(sorted(heads))})")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text

    from ispterm.store.engine import read_only

    with read_only(engine).connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade in one transaction; a failed step leaves nothing half-done."""
    from alembic import command

    _migrate(engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    _migrate(engine, lambda cfg: command.downgrade(cfg, revision))


def _migrate(engine: Engine, step) -> None:
    """Run ``step`` in one transaction. On SQLite, altering a table means copying it, dropping
    the old one and renaming the copy, which foreign keys from other tables forbid while they
    are enforced; so they are switched off around the transaction (a PRAGMA inside one is
    ignored) and every reference is checked before the commit instead."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection if sqlite else None
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                step(_alembic_config(conn))
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(f"migration would leave {len(broken)} broken references "
                                         f"(first in table {broken[0][0]}); nothing was changed")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is empty or at another schema revision."""
    current = current_revision(engine)
    if current is None:
        raise StoreError("database is not initialised; run 'ispterm init'")
    head = head_revision()
    if current != head:
        raise StoreError(
            f"database schema is at {current}, this ispterm needs {head}; run 'ispterm db upgrade'"
        )
