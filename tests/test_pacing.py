"""Frame pacing: a repaint after a quiet spell does not wait for a timer slot; bursts stay capped."""

from __future__ import annotations

import asyncio

import textual.timer
from textual import _time
from textual.app import App
from textual.screen import UPDATE_PERIOD
from textual.widgets import Static

from screens import pacing
from screens.app import make_app


class Counter(App):
    def compose(self):
        yield Static("0", id="n")


async def test_the_app_installs_the_frame_timer_on_every_screen(tmp_path):
    make_app(f"sqlite:///{tmp_path / 'none.db'}", "nobody")
    pacing.install()  # idempotent
    app = Counter()
    async with app.run_test():
        assert isinstance(app.screen._update_timer, pacing.FrameTimer)


async def test_a_repaint_after_a_quiet_spell_does_not_sleep_and_a_burst_is_capped(monkeypatch):
    pacing.install()
    sleeps: list[float] = []
    real_sleep = _time.sleep

    async def recording_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await real_sleep(seconds)

    monkeypatch.setattr(_time, "sleep", recording_sleep)
    monkeypatch.setattr(textual.timer, "sleep", recording_sleep)  # Textual's own timer
    app = Counter()
    async with app.run_test() as pilot:
        label = app.query_one("#n", Static)
        await asyncio.sleep(3 * UPDATE_PERIOD)  # quiet: the last frame is old
        sleeps.clear()
        label.update("1")  # a keystroke echoed...
        await pilot.pause()
        await asyncio.sleep(1.5 * UPDATE_PERIOD)
        label.update("2")  # ...and its results a little later
        await pilot.pause()
        assert "2" in str(label.render())
        # Textual's own timer sleeps to the slot after next in between; ours paints at once.
        assert not [s for s in sleeps if s > 0.001], sleeps

        # A burst: frames are still spaced by one interval.
        frames: list[float] = []
        timer = app.screen._update_timer
        original = timer._callback

        def counted() -> None:
            frames.append(_time.get_time())
            original()

        timer._callback = counted
        for i in range(30):
            label.update(str(i))
            await asyncio.sleep(UPDATE_PERIOD / 10)
        await pilot.pause()
        gaps = [b - a for a, b in zip(frames, frames[1:], strict=False)]
        assert frames and all(g >= UPDATE_PERIOD * 0.9 for g in gaps), gaps
