"""Run the Alembic migrations that ship inside the package, on SQLite or PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from ispterm.errors import StoreError


def _alembic_config(connection=None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "ispterm.store:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from ispterm.store.engine import read_only

    with read_only(engine).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade in one transaction; on PostgreSQL a failed step leaves nothing half-done."""
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


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
