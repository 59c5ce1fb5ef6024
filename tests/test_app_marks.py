"""Nothing is told by colour alone: every tick box says its state in characters, and the
statement import says in words whether it writes."""

from __future__ import annotations

import ast
from pathlib import Path

from textual.widgets import Input, Static

from ispterm.billing import service as bs
from ispterm.customers import service as cs
from screens.app import make_app
from screens.widgets.marked import MarkedCheckbox
from tests.pilot_help import burst, screen_text, settle

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
# Textual widgets whose state is a colour only (an X drawn on and off, a switch knob).
COLOUR_ONLY = {"Checkbox", "SelectionList", "RadioButton", "RadioSet", "Switch", "ToggleButton"}


def test_no_screen_uses_a_widget_that_tells_its_state_by_colour_only():
    offenders = []
    for path in sorted((ROOT / "screens").rglob("*.py")):
        if path.name == "marked.py":
            continue  # where the marked variants are made
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []  # widgets made here, or subclassed
            if isinstance(node, ast.Call):
                func = node.func
                names = [func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")]
            elif isinstance(node, ast.ClassDef):
                names = [b.id for b in node.bases if isinstance(b, ast.Name)]
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n in COLOUR_ONLY]
    assert offenders == []


async def test_a_marked_checkbox_says_on_and_off_in_characters():
    from textual.app import App

    class One(App[None]):
        def compose(self):
            yield MarkedCheckbox("Dry run", id="box")

    app = One()
    async with app.run_test(size=(40, 3)) as pilot:
        box = app.query_one(MarkedCheckbox)
        off = next(line for line in screen_text(app).splitlines() if "Dry run" in line)
        box.value = True
        await pilot.pause()
        on = next(line for line in screen_text(app).splitlines() if "Dry run" in line)
    assert "X" not in off and "Dry run" in off
    assert "X" in on and "Dry run" in on


async def test_the_import_screen_says_whether_it_writes_and_a_dry_run_writes_nothing(ctx, db_url):
    n = cs.create(ctx, "Import Mode")
    assert n  # the statement pays customers that need not exist: counts are what matters
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "BillingImportScreen"
        text = screen_text(app)
        dry_line = next(line for line in text.splitlines() if "▌ Dry run" in line)
        assert "X" not in dry_line.split("Dry run")[0], "off must not look ticked"
        assert "Dry run is off" in text and "Import for real" in text
        assert "--%" not in text, "an idle progress bar pulses as if something were running"
        # Tick it with the keyboard, then name the file and press enter in the path box.
        app.screen.query_one("#import-dry", MarkedCheckbox).focus()
        await pilot.press("space")
        await settle(app, pilot)
        text = screen_text(app)
        dry_line = next(line for line in text.splitlines() if "▌ Dry run" in line)
        assert "X" in dry_line.split("Dry run")[0]
        assert "Dry run is on" in text and "Dry run: check only" in text
        path_box = app.screen.query_one("#import-path", Input)
        path_box.focus()
        await burst(app, pilot, f"{DATA / 'csv/ispterm_generic_noref.csv'}\r")
        await settle(app, pilot)
        status = str(app.screen.query_one("#import-status", Static).render())
        assert "Dry run, nothing written" in status
    assert bs.payments(ctx, n) == []
    from ispterm.billing.statements.history import imported_statements

    assert imported_statements(ctx) == []


async def test_the_unmatched_key_named_after_an_import_is_one_that_opens_them(ctx, db_url):
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        path_box = app.screen.query_one("#import-path", Input)
        path_box.focus()
        await burst(app, pilot, f"{DATA / 'csv/ispterm_generic_noref.csv'}\r")
        await settle(app, pilot)
        toasts = [str(n.message) for n in app._notifications]
        [toast] = [t for t in toasts if "unmatched" in t]
        key = toast.split(": ")[1].split(" assigns")[0]
        assert key in ("f6", "F6")
        path_box.focus()  # the key must work where the operator is: in the path box
        await pilot.press(key.lower())
        await settle(app, pilot)
        assert type(app.screen).__name__ == "UnmatchedScreen"
