"""Turn database driver failures into one readable line (lock timeouts, lost servers)."""

from __future__ import annotations


def describe(exc: BaseException) -> str | None:
    try:
        from sqlalchemy.exc import DBAPIError, IntegrityError
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, IntegrityError):
        return f"the database refused the change: {_first_line(exc.orig)}"
    if isinstance(exc, DBAPIError):
        return f"database error: {_first_line(exc.orig)}"
    return None


def _first_line(orig: BaseException | None) -> str:
    text = str(orig or "").strip()
    return text.splitlines()[0] if text else "unknown error"
