"""Typed input in one read, as SSH, a paste or a barcode reader delivers it.

``burst`` hands the app a whole read at once (the terminal parser's keys, posted together),
unlike ``pilot.press``, which waits after every key and so hides what goes wrong when keys
arrive faster than the app handles them.
"""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Input, TextArea

from ispterm.customers import service as cs
from ispterm.notes import service as ns
from screens.app import make_app
from screens.keys import OrderedKeys
from tests.pilot_help import burst, settle


class BareInput(App[None]):
    def compose(self):
        yield Input(id="box")


class OrderedInput(OrderedKeys, BareInput):
    def __init__(self) -> None:
        super().__init__()
        self._init_ordered_keys()


async def _typed(app_class: type[App[None]], data: str) -> str:
    app = app_class()
    async with app.run_test() as pilot:
        await pilot.pause()
        await burst(app, pilot, data)
        for _ in range(5):
            await pilot.pause()
        return app.query_one(Input).value


async def test_upstream_textual_runs_a_bound_control_key_after_the_text_that_followed_it():
    """Written down, not wanted: if this starts failing, Textual fixed it and OrderedKeys may go."""
    assert await _typed(BareInput, "\x15abc") == ""  # ctrl+u ran after "abc" and deleted it


async def test_keys_of_one_read_are_handled_in_the_order_they_were_typed():
    assert await _typed(OrderedInput, "\x15abc") == "abc"  # ctrl+u (delete to start), then abc
    assert await _typed(OrderedInput, "ab\x15cd") == "cd"
    assert await _typed(OrderedInput, "abc\x01X") == "Xabc"  # ctrl+a (home), then X


def _first_by_name_and_target(ctx) -> tuple[int, int]:
    first = cs.create(ctx, "Aaron Adam")  # first by name: what an empty box lists on top
    for i in range(5):
        cs.create(ctx, f"Filler {i}")
    target = cs.create(ctx, "Zeman Zdeněk")
    return first, target


@pytest.mark.both_databases
async def test_digits_and_enter_in_one_read_open_the_customer_typed(ctx, db_url):
    first, target = _first_by_name_and_target(ctx)
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, f"{target}\r")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        assert app.screen.number == target, f"opened {app.screen.number}, typed {target}"


async def test_text_and_enter_in_one_read_open_the_match_not_the_old_first_row(ctx, db_url):
    first, target = _first_by_name_and_target(ctx)
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "zeman\r")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        assert app.screen.number == target


async def test_back_from_a_card_the_next_number_typed_replaces_the_last_one(ctx, db_url):
    """The search stays (arrows and end keep it), but what is typed next replaces it: an
    operator going from one customer to the next types the new number, not 10030100463."""
    first, target = _first_by_name_and_target(ctx)
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, f"{target}\r")
        await settle(app, pilot)
        assert app.screen.number == target
        await pilot.press("escape")  # back to the list
        await settle(app, pilot)
        search = app.screen.query_one("#search", Input)
        assert search.has_focus and search.value == str(target)
        await burst(app, pilot, f"{first}\r")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen", search.value
        assert app.screen.number == first


async def test_enter_on_a_text_nothing_matches_opens_nothing(ctx, db_url):
    _first_by_name_and_target(ctx)
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "qqqqxx\r")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerListScreen"
        assert "nothing matches 'qqqqxx'" in str(app.screen.query_one("#list-status").render())


async def test_a_number_enter_and_a_tab_key_in_one_read_land_on_that_customers_tab(ctx, db_url):
    """Keys typed after the one that opens a screen go to that screen, not the old one."""
    _first, target = _first_by_name_and_target(ctx)
    ns.add_note(ctx, target, "the router is in the cellar")
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, f"{target}\r3")
        await settle(app, pilot)
        assert app.screen.number == target
        from textual.widgets import TabbedContent

        assert app.screen.query_one(TabbedContent).active == "notes"
        from tests.pilot_help import screen_text

        assert "the router is in the cellar" in screen_text(app)


async def test_text_and_save_key_in_one_read_save_the_whole_text(ctx, db_url):
    n = cs.create(ctx, "Burst Note")
    app = make_app(db_url, "admin", number=n, tab="notes")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.focused, TextArea)
        await burst(app, pilot, "Called about the bill\x13")  # text, then ctrl+s
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
    assert [note.text for note in ns.list_notes(ctx, n)] == ["Called about the bill"]


async def test_control_key_and_text_in_one_read_in_a_form_field(ctx, db_url):
    n = cs.create(ctx, "Form Burst", {"city": "Brno"})
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        city = app.screen.query_one("#f-city", Input)
        city.focus()
        await settle(app, pilot)
        await burst(app, pilot, "\x15Praha\x13")  # clear the field, type, save: one read
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
    assert cs.get_card(ctx, n).values["city"] == "Praha"
