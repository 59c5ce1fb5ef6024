"""Helpers for Pilot tests: wait for the app to settle (workers done, messages handled)."""

from __future__ import annotations

from typing import Any

from textual.worker import WorkerCancelled, WorkerState

BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


async def settle(app: Any, pilot: Any, *, rounds: int = 50) -> None:
    """Wait until no worker is pending or running and the messages they posted are handled.

    A handler may start the next worker (a save reloads the card), so this repeats until a
    pause finds nothing running; an exclusive worker superseded by a newer one is not an error.
    Keys typed but not yet handled (``OrderedKeys`` sends them one at a time) count as busy.
    """
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()
        if not _busy(app):
            await pilot.pause()
            if not _busy(app):
                return
    raise AssertionError("the app did not settle: " + ", ".join(w.name for w in app.workers if w.state in BUSY)
                         + (f" (keys pending: {len(app._held)} held, in flight {app._key_busy}, "
                            f"{len(app._holds)} holds, waiting for a screen {app._waiting_screen})"
                            if getattr(app, "keys_pending", False) else ""))


def _busy(app: Any) -> bool:
    return any(w.state in BUSY for w in app.workers) or bool(getattr(app, "keys_pending", False))


def screen_text(app: Any) -> str:
    """What the top screen shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def active_keys(app: Any) -> set[str]:
    """Keys whose bindings are active where the focus is (hidden write actions are absent)."""
    return {key for key, active in app.screen.active_bindings.items() if active.enabled}


async def burst(app: Any, pilot: Any, data: str) -> None:
    """Deliver ``data`` as one read from the terminal, the way SSH, a paste or a barcode reader
    does: the terminal parser turns it into keys, all posted to the App at once, with no pause
    between them (``pilot.press`` waits after every key, which hides races)."""
    from textual._xterm_parser import XTermParser

    parser = XTermParser()
    for event in parser.feed(data):
        app._driver.process_message(event)
    await pilot.pause()
