"""Frame pacing without the lost frame: paint at once after a quiet spell, at most 60 a second.

Textual's screen-update timer keeps a fixed grid of 60 slots a second; when it is resumed
after a pause it skips to the slot after next, so a repaint asked for in a quiet moment waits
17-33 ms. Search results arrive between keystrokes, always in a quiet moment: that wait was
half of the keystroke-to-results time. ``FrameTimer`` paints at once when the last frame is
older than one interval and otherwise waits only for the rest of it, so bursts of updates
are still capped at the same rate.

It replaces the private ``Screen._update_timer`` of the pinned Textual version (see
``pyproject.toml``); ``tests/test_pacing.py`` fails if that hook moves.
"""

from __future__ import annotations

from textual import _time
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import EventTargetGone, Timer

_ATTRIBUTE = "_ispterm_frame_timer"


class FrameTimer(Timer):
    """A paused-by-default repeating timer whose next tick is one interval after the last."""

    async def _run(self) -> None:
        last = float("-inf")
        while True:
            await self._active.wait()
            wait = last + self._interval - _time.get_time()
            if wait > 0:
                await _time.sleep(wait)
                if not self._active.is_set():
                    continue  # painted meanwhile by a layout refresh; nothing to do
            last = _time.get_time()
            try:
                await self._tick(next_timer=last, count=0)
            except EventTargetGone:
                break


def _update_timer(screen: Screen) -> Timer:
    timer = screen.__dict__.get(_ATTRIBUTE)
    if timer is None:
        timer = FrameTimer(screen, UPDATE_PERIOD, name="screen_update",
                           callback=screen._on_timer_update, pause=True)
        timer._start()
        screen._timers.add(timer)
        screen.__dict__[_ATTRIBUTE] = timer
    return timer


def install() -> None:
    """Make every screen (the app's and Textual's own) use ``FrameTimer``; idempotent."""
    if not isinstance(Screen.__dict__.get("_update_timer"), property):
        raise RuntimeError("textual.screen.Screen._update_timer is gone: check screens/pacing.py")
    Screen._update_timer = property(_update_timer)  # type: ignore[assignment]
