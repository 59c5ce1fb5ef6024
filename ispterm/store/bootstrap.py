"""The one start-up step that wires the store: the session class and its listeners.

Every unit of work (``Ctx.write``/``Ctx.read``) opens a ``UnitSession``. Its listeners stamp
and audit every change and keep the search index in step; they are registered here, once,
on this class only, not as a side effect of importing a models module and not on SQLAlchemy's
``Session`` itself (Alembic's and a test's own sessions are left alone).
"""

from __future__ import annotations

from sqlmodel import Session


class UnitSession(Session):
    """The session of one service call (see ``ispterm.context.Ctx``)."""


_installed = False


def bootstrap() -> type[UnitSession]:
    """Register the listeners (audit first, then the search index); idempotent."""
    global _installed
    if not _installed:
        import ispterm.store.models  # noqa: F401  (every model mapped before the first flush)
        from ispterm.audit import recorder
        from ispterm.store import search

        recorder.install(UnitSession)
        search.install(UnitSession)
        _installed = True
    return UnitSession


__all__ = ["UnitSession", "bootstrap"]
