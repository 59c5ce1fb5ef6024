"""Run the Alembic migrations that ship inside the package, on SQLite or PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ispterm.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy.engine import Connection, Engine

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?(\w+|None)['\"]?", re.M)


def _alembic_config(connection=None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "ispterm.store:migrations")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def revision_chain() -> list[str]:
    """Every migration this ispterm ships, oldest first, read from the version files' headers.

    Every app start checks the schema; importing Alembic for that would cost a noticeable part
    of the time to the first frame, and the chain is linear, so the head is the one revision
    that no other revision names as its parent.
    """
    parent_of: dict[str, str] = {}
    for path in VERSIONS.glob("*.py"):
        found = dict((k, v) for k, v in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            parent_of[found["revision"]] = found.get("down_revision", "None")
    heads = set(parent_of) - set(parent_of.values())
    if len(heads) != 1:
        raise StoreError(f"migrations do not form one chain (heads: {', '.join(sorted(heads))})")
    chain = [heads.pop()]
    while parent_of[chain[-1]] in parent_of and len(chain) <= len(parent_of):
        chain.append(parent_of[chain[-1]])
    return chain[::-1]


def head_revision() -> str:
    """The newest migration this ispterm knows."""
    return revision_chain()[-1]


_NUMBERED = re.compile(r"^(\d+)")


def schema_refusal(stamps: list[str] | None, other_tables: bool) -> str | None:
    """Why this ispterm must not touch the database at all, not even to upgrade it (None: it
    may). ``stamps``: the rows of alembic_version (None: no such table); ``other_tables``:
    whether it has tables besides that one.

    Alembic cannot step from a revision it does not know, and a newer ispterm's schema must
    not be "upgraded" by an older one; an empty stamp on a full database would make an upgrade
    create every table again. Revisions are numbered, so an unknown one with a higher number
    than the head comes from a newer ispterm; any other is not ours or damaged."""
    if not stamps:
        if stamps is not None and other_tables:
            return ("the database has tables but no schema revision (its alembic_version table is "
                    "empty): it is not an ispterm database, or its revision stamp was lost")
        return None
    chain = revision_chain()
    if len(stamps) > 1:
        return (f"the database has {len(stamps)} schema revisions ({', '.join(sorted(stamps))}) where "
                f"ispterm keeps one: its alembic_version table is damaged")
    current, head = stamps[0], chain[-1]
    if current in chain:
        return None
    number, head_number = _NUMBERED.match(current), _NUMBERED.match(head)
    if number and head_number and int(number.group(1)) > int(head_number.group(1)):
        return (f"the database is at schema revision {current}, newer than this ispterm "
                f"(which knows up to {head}); upgrade ispterm")
    return (f"the database is at schema revision {current}, which this ispterm does not know "
            f"(it knows {chain[0]} to {head}): it was not made by ispterm, or its alembic_version "
            f"table is damaged")


def schema_problem(stamps: list[str] | None, other_tables: bool) -> str | None:
    """What stops commands working on the database (None: it is at this ispterm's head)."""
    refusal = schema_refusal(stamps, other_tables)
    if refusal:
        return refusal
    if not stamps:
        return "database is not initialised; run 'ispterm init'"
    head = head_revision()
    if stamps[0] != head:
        return f"database schema is at {stamps[0]}, this ispterm needs {head}; run 'ispterm db upgrade'"
    return None


def read_stamps(conn: Connection) -> tuple[list[str] | None, bool]:
    """What ``schema_refusal`` asks about, read through a SQLAlchemy connection."""
    from sqlalchemy import inspect, text

    inspector = inspect(conn)
    if not inspector.has_table("alembic_version"):
        return None, False
    stamps = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return stamps, not stamps and any(t != "alembic_version" for t in inspector.get_table_names())


def stamps_of(engine: Engine) -> tuple[list[str] | None, bool]:
    """``read_stamps`` in a read-only transaction of its own."""
    from ispterm.store.engine import read_only

    with read_only(engine).connect() as conn:
        return read_stamps(conn)


def current_revision(engine: Engine) -> str | None:
    stamps, _ = stamps_of(engine)
    return stamps[0] if stamps else None


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
    ignored) and every reference is checked before the commit instead. A database this
    ispterm must not touch (``schema_refusal``) is refused inside the transaction, before
    Alembic sees it."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                refusal = schema_refusal(*read_stamps(conn))
                if refusal:
                    raise StoreError(refusal)
                step(_alembic_config(conn))
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(f"migration would leave {len(broken)} broken references "
                                         f"(first in table {broken[0][0]}); nothing was changed")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is empty or at another schema revision."""
    problem = schema_problem(*stamps_of(engine))
    if problem:
        raise StoreError(problem)
