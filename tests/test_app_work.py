"""The app's work model under slow loads: only the newest answer lands, on the right widget.

Services are slowed down or held at a gate inside the worker thread (never the test: the
test waits for conditions), so answers come back in the worst order: an older load after a
newer one, a load for a tab or card that is no longer shown.
"""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from textual.widgets import DataTable, Static, TabbedContent

from ispterm.billing import service as bs
from ispterm.customers import service as cs
from ispterm.notes import service as ns
from screens.app import make_app
from tests.pilot_help import burst, screen_text, settle

KEYS = "2345123451]]][["  # ends on the Billing tab


def final_tab(keys: str, start: int = 0) -> str:
    tabs = ["information", "billing", "notes", "history", "support"]
    i = start
    for k in keys:
        i = int(k) - 1 if k.isdigit() else (i + (1 if k == "]" else -1)) % 5
    return tabs[i]


class Gate:
    """Holds the n-th call of a service until ``open()`` (other calls pass)."""

    def __init__(self, monkeypatch, module, name: str, hold_call: int = 1) -> None:
        self.real = getattr(module, name)
        self.calls = 0
        self.held = threading.Event()  # the held call has started
        self.released = threading.Event()
        self.hold_call = hold_call

        def gated(*args, **kwargs):
            self.calls += 1
            if self.calls == self.hold_call:
                self.held.set()
                self.released.wait(30)
            return self.real(*args, **kwargs)

        monkeypatch.setattr(module, name, gated)

    def open(self) -> None:
        self.released.set()


def slow(monkeypatch, module, name: str) -> None:
    """Every call sleeps 0-120 ms (a loaded machine), in a varying order."""
    real = getattr(module, name)
    delays = itertools.cycle([0.12, 0.0, 0.05, 0.09, 0.02])

    def slowed(*args, **kwargs):
        time.sleep(next(delays))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slowed)


def header_of(app) -> str:
    found = app.screen.query("#card-header")
    return str(found.first(Static).render()) if found else ""


async def wait_for(pilot, condition, what: str, within: float = 60.0) -> None:
    """Wait until ``condition()`` holds: a condition, not a time (``within`` only bounds a
    hang; a loaded machine took over 4 s, the old bound, to paint a card)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened in {within:.0f} s: {what}")
        await pilot.pause(0.01)


@pytest.mark.both_databases
async def test_fast_tab_keys_with_slow_loads_end_on_the_last_tab_and_stay_there(ctx, db_url, monkeypatch):
    from ispterm.audit import service as audit
    from ispterm.support import service as support

    n = cs.create(ctx, "Hammer Tabs")
    ns.add_note(ctx, n, "note of the hammered customer")
    for module, name in ((cs, "get_card"), (ns, "list_notes"), (bs, "invoices"), (bs, "payments"),
                         (audit, "history"), (support, "list_tasks")):
        slow(monkeypatch, module, name)
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, KEYS)
        await settle(app, pilot)
        tabs = app.screen.query_one(TabbedContent)
        assert tabs.active == final_tab(KEYS) == "billing"
        # Nothing switches the tab afterwards: more rounds of messages and refreshes.
        for _ in range(20):
            await pilot.pause()
        await settle(app, pilot)
        assert tabs.active == "billing"
        assert "Balance" in screen_text(app)
        assert app.focused is not None and "billing" in [a.id for a in app.focused.ancestors]
        await pilot.press("3")
        await settle(app, pilot)
        assert "note of the hammered customer" in screen_text(app)


async def test_an_older_answer_that_comes_last_is_dropped(ctx, db_url, monkeypatch):
    """The first load of the Notes tab is held until after a newer one (after a save) landed:
    the Notes tab shows the newer answer, with the new note, and keeps it."""
    n = cs.create(ctx, "Late Answer")
    ns.add_note(ctx, n, "first note")
    gate = Gate(monkeypatch, ns, "list_notes")
    app = make_app(db_url, "admin", number=n, tab="notes")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, gate.held.is_set, "the first notes load started")
        ns.add_note(ctx, n, "second note")  # someone adds a note meanwhile
        await pilot.press("ctrl+r")  # the operator reloads: a second load, not held
        await wait_for(pilot, lambda: "second note" in screen_text(app), "the newer answer shown")
        tab = app.screen.query_one("#tab-notes")
        dropped = tab.loads.dropped
        gate.open()  # the older answer (one note) arrives last
        await wait_for(pilot, lambda: tab.loads.dropped == dropped + 1, "the older answer dropped")
        await settle(app, pilot)
        text = screen_text(app)
        assert "second note" in text and "first note" in text
        assert app.screen.query_one("#notes-table", DataTable).row_count == 2


async def test_a_card_left_while_loading_never_shows_on_the_next_card(ctx, db_url, monkeypatch):
    a = cs.create(ctx, "Alpha Slow")
    b = cs.create(ctx, "Beta Fast")
    gate = Gate(monkeypatch, cs, "get_card")  # the first card read (A's header) is held
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_card(a)
        await wait_for(pilot, gate.held.is_set, "A's card load started")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CustomerListScreen", "back on the list")
        app.open_card(b)
        await wait_for(pilot, lambda: "Beta Fast" in header_of(app), "B's header")
        gate.open()
        await settle(app, pilot)
        header = header_of(app)
        assert app.screen.number == b and "Beta Fast" in header and "Alpha" not in header
        assert "Alpha Slow" not in screen_text(app)


@pytest.mark.both_databases
async def test_after_an_edit_every_tab_shows_the_saved_data(ctx, db_url, monkeypatch):
    """Save an edit, then visit each tab while the loads are slow: each shows its data (no
    tab stays empty or on "Loading…"), and the Information tab shows the saved value."""
    from textual.widgets import Input

    n = cs.create(ctx, "Edit Then Tabs", {"city": "Brno"})
    for i in range(3):
        ns.add_note(ctx, n, f"note {i}")
    bs_invoice = __import__("ispterm.billing.invoicing", fromlist=["issue_invoice"])
    from decimal import Decimal

    bs_invoice.issue_invoice(ctx, n, [bs_invoice.Line("Fiber", Decimal("499.00"))], issued_on=ctx.now().date())
    for module, name in ((cs, "get_card"), (ns, "list_notes"), (bs, "invoices")):
        slow(monkeypatch, module, name)
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one("#f-city", Input).value = "Olomouc"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Olomouc" in screen_text(app)
        await burst(app, pilot, "3")
        await settle(app, pilot)
        assert app.screen.query_one("#notes-table", DataTable).row_count == 3
        await burst(app, pilot, "2")
        await settle(app, pilot)
        text = screen_text(app)
        assert "Loading…" not in text and "Balance" in text
        assert app.screen.query_one("#invoices", DataTable).row_count == 1
        await burst(app, pilot, "1")
        await settle(app, pilot)
        assert "Olomouc" in screen_text(app)


async def test_form_defaults_take_the_services_clock_not_the_machines(ctx, db_url):
    """At 00:30 on New Year's Day in Prague (still 31 December in UTC), the payment date,
    the invoice date and the statement period default to the operator's 1 January 2027."""
    from textual.widgets import Input

    from tests.clock import clock_at

    n = cs.create(ctx, "New Year")
    app = make_app(db_url, "admin", number=n, tab="billing",
                   clock=clock_at("2027-01-01T00:30:00+01:00"))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        for key, field, wanted in (("r", "#f-received_on", "2027-01-01"),
                                   ("n", "#f-issued_on", "2027-01-01"),
                                   ("s", "#f-date_from", "2027-01-01"),
                                   ("s", "#f-date_to", "2027-01-01")):
            await pilot.press(key)
            await settle(app, pilot)
            assert app.screen.query_one(field, Input).value == wanted, (key, field)
            await pilot.press("escape")
            await settle(app, pilot)
