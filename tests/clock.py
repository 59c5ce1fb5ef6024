"""A Ctx at a chosen instant: tests set the time through the Ctx clock, never the machine's.

    from tests.clock import ctx_at
    ctx = ctx_at(ctx, "2026-11-15T10:00:00+01:00")   # ctx.now() is that instant, always
    ctx.today()                                        # date(2026, 11, 15), the local date

A test that needs "today" either sets it like this or computes from ``ctx.now()`` /
``ctx.today()``; it never reads ``date.today()`` (``make test-dates`` runs the suite on other
days to catch that).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def instant(when: datetime | str) -> datetime:
    """An aware datetime in UTC from a datetime or an ISO string; a naive one is refused
    (an instant without an offset is no instant)."""
    at = datetime.fromisoformat(when) if isinstance(when, str) else when
    if at.tzinfo is None:
        raise ValueError(f"{when!r} has no UTC offset")
    return at.astimezone(UTC)


def clock_at(when: datetime | str, *, tick: bool = False) -> Callable[[], datetime]:
    """A clock standing at ``when``; with ``tick`` it starts there and runs at real speed (for
    code that waits for time to pass: leases, back-off)."""
    at = instant(when)
    if not tick:
        return lambda: at
    start = time.monotonic()
    return lambda: at + timedelta(seconds=time.monotonic() - start)


def ctx_at(ctx, when: datetime | str, *, tick: bool = False):
    """A copy of ``ctx`` whose clock reads ``when`` (same database, same operator)."""
    return dataclasses.replace(ctx, clock=clock_at(when, tick=tick))
