"""Helpers for Pilot tests: wait for the app to settle (workers done, messages handled)."""

from __future__ import annotations

from typing import Any

from textual.worker import WorkerCancelled, WorkerState

BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


async def settle(app: Any, pilot: Any, *, rounds: int = 50) -> None:
    """Wait until no worker is pending or running and the messages they posted are handled.

    A handler may start the next worker (a save reloads the card), so this repeats until a
    pause finds nothing running; an exclusive worker superseded by a newer one is not an error.
    """
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()
        if not any(w.state in BUSY for w in app.workers):
            await pilot.pause()
            if not any(w.state in BUSY for w in app.workers):
                return
    raise AssertionError("the app did not settle: " + ", ".join(w.name for w in app.workers if w.state in BUSY))


def screen_text(app: Any) -> str:
    """What the top screen shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def active_keys(app: Any) -> set[str]:
    """Keys whose bindings are active where the focus is (hidden write actions are absent)."""
    return {key for key, active in app.screen.active_bindings.items() if active.enabled}
