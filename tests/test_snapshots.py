"""Snapshots of the list and of every card tab, at 80x24 and 120x40, in the default theme and
in an ANSI theme (16-colour terminals). Made on the bundled demo data, whose dates are fixed.

Update after an intended change of the look: ``.venv/bin/python -m pytest tests/test_snapshots.py
--snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from screens.app import TABS, make_app
from tests.pilot_help import settle

CUSTOMER = 10118  # a company with contacts, services, notes, tasks and communication; no alert
SIZES = [(80, 24), (120, 40)]
THEMES = ["ispterm-dark", "ansi-dark"]


def _settled():
    async def run_before(pilot) -> None:
        from textual.widgets import Input

        await settle(pilot.app, pilot)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # a blinking cursor would make the picture random
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_customer_list(snap_compare, demo_url, theme, size):
    app = make_app(demo_url, "admin", theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=_settled())


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", TABS)
def test_card_tab(snap_compare, demo_url, tab, theme, size):
    app = make_app(demo_url, "admin", number=CUSTOMER, tab=tab, theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=_settled())
