"""Ctx: the database, the acting operator and the clock, passed to every service call.

One service call is one unit of work: ``with ctx.write() as s:`` opens a transaction that
takes the SQLite write lock up front, and commits (with its audit rows) or rolls back whole.

Time comes only from ``ctx.clock``: ``ctx.now()`` is the instant (UTC), ``ctx.today()`` the
local calendar date. No service reads the machine's clock itself, so a test (or a run that
replays a day) sets the time by giving the Ctx a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from ispterm.errors import PermissionDenied
from ispterm.operators import roles

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from ispterm.config import Config


def _utcnow() -> datetime:
    from ispterm.store.types import utcnow

    return utcnow()


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough to check permissions and sign audit rows."""

    id: int | None
    login: str
    role: str
    name: str = ""

    @property
    def permissions(self) -> frozenset[str]:
        return roles.PERMISSIONS.get(self.role, frozenset())


SYSTEM = Actor(id=None, login="system", role="master_admin", name="ispterm")


@dataclass
class Ctx:
    engine: Engine
    actor: Actor
    clock: Callable[[], datetime] = field(default=_utcnow)
    readonly: bool = False
    # The caller's config (the CLI's, the app's), for the few services that depend on this
    # machine's setup (is there an SMS gateway?); None = not known, nothing is checked.
    config: Config | None = None

    def can(self, permission: str) -> bool:
        return not self.readonly and permission in self.actor.permissions

    def require(self, permission: str) -> None:
        if self.readonly:
            raise PermissionDenied("ispterm is running read-only; nothing can be changed")
        if permission not in self.actor.permissions:
            what = roles.DESCRIPTIONS.get(permission, permission)
            label = roles.ROLE_LABELS.get(self.actor.role, self.actor.role)
            raise PermissionDenied(f"operator {self.actor.login} ({label}) may not {what}")

    @property
    def sees_all_private_notes(self) -> bool:
        return roles.PRIVATE_NOTES_ALL in self.actor.permissions

    def now(self) -> datetime:
        """The current instant (aware, UTC) by this Ctx's clock."""
        return self.clock()

    def today(self) -> date:
        """The local calendar date of ``now()``: what an operator means by "today" (a default
        issue or payment date, a due date, a default period). Times are stored in UTC, but at
        00:30 on 1 January in Prague it is still 31 December in UTC. Local is this machine's
        zone (TZ), the zone every time is shown in (Europe/Prague for our operators)."""
        return self.now().astimezone().date()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: commit on success, roll back on any error."""
        from ispterm.store.bootstrap import bootstrap
        from ispterm.store.types import unit_now

        session_class = bootstrap()
        now = self.now()  # one instant for the whole unit of work
        token = unit_now.set(now)  # the default created_at/updated_at of rows made in it
        try:
            with session_class(self.engine, expire_on_commit=False) as session:
                session.info["actor"] = self.actor
                session.info["now"] = now
                with session.begin():
                    yield session
        finally:
            unit_now.reset(token)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: a consistent snapshot without the SQLite write lock."""
        from ispterm.store.bootstrap import bootstrap
        from ispterm.store.engine import read_only

        with bootstrap()(read_only(self.engine), expire_on_commit=False) as session:
            session.info["actor"] = self.actor
            with session.begin():
                yield session
