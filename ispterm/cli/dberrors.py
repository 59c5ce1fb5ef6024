"""Turn database driver failures into one readable line (lock timeouts, lost servers)."""

from __future__ import annotations

import sys


def describe(exc: BaseException) -> str | None:
    try:
        from sqlalchemy.exc import DBAPIError, IntegrityError
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, IntegrityError):
        return f"the database refused the change: {_first_line(exc.orig)}"
    if isinstance(exc, DBAPIError):
        return f"database error: {_first_line(exc.orig)}"
    return _migration_error(exc)


def _migration_error(exc: BaseException) -> str | None:
    """Alembic's own refusal, should one get past ``migrate.schema_refusal`` (which names the
    usual ones better): a line, not its traceback. Alembic is looked at only if it ran."""
    alembic_errors = sys.modules.get("alembic.util.exc")
    if alembic_errors is not None and isinstance(exc, alembic_errors.CommandError):
        return f"schema migration failed: {_first_line(exc)}"
    return None


def _first_line(orig: BaseException | None) -> str:
    text = str(orig or "").strip()
    return text.splitlines()[0] if text else "unknown error"
