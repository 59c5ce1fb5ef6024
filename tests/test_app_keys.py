"""Help and keys where an operator looks for them: F1/? help and F10/ctrl+q quit everywhere,
esc closes the innermost thing first, and the footer shows what matters most at 80 columns."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TabbedContent

from ispterm.customers import service as cs
from screens.app import make_app
from tests.pilot_help import screen_text, settle


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


def help_open(app) -> bool:
    return bool(app.screen.query("HelpPanel"))


async def test_on_the_first_screen_question_mark_and_f1_open_help_and_esc_closes_it(ctx, db_url):
    cs.create(ctx, "Help Me")
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        search = app.screen.query_one("#search", Input)
        assert search.has_focus
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert help_open(app) and search.value == "", "? opens the help, it is not searched for"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not help_open(app) and type(app.screen).__name__ == "CustomerListScreen"
        await pilot.press("f1")
        await settle(app, pilot)
        assert help_open(app)
        await pilot.press("f1")
        await settle(app, pilot)
        assert not help_open(app)


async def test_esc_with_the_help_open_on_a_card_closes_the_help_not_the_card(ctx, db_url):
    n = cs.create(ctx, "Stay On Card")
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_card(n)
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert help_open(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen" and not help_open(app)
        await pilot.press("escape")  # now esc means what it means on the card: back
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerListScreen"


@pytest.mark.parametrize("key", ["f10", "ctrl+q"])
async def test_quit_keys_work_in_a_text_box_and_in_a_dialog(ctx, db_url, key):
    n = cs.create(ctx, "Quit Anywhere")
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#search", Input).focus()
        await pilot.press("q")  # typed: q does not quit from the search box
        await settle(app, pilot)
        assert app.is_running and app.screen.query_one("#search", Input).value == "q"
        await pilot.press(key)
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running

    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "EditForm"
        await pilot.press(key)
        await pilot.pause()
    assert not app.is_running


SCREENS = [
    # where, keys to get there, what the footer must offer there (besides help and quit)
    ("list, search box", [], ["f4 Mail", "f5 Import", "f2 History"]),
    ("list, results", ["down"], ["Open card", "H History"]),
    ("card, information", ["down", "enter"], ["e Edit", "l Lifecycle", "m E-mail"]),
    ("card, billing", ["down", "enter", "2"], ["n Invoice", "r Payment", "s Statement", "S Mail it"]),
    ("card, notes", ["down", "enter", "3"], ["a Add", "e Edit", "d Delete"]),
    ("card, history", ["down", "enter", "4"], ["/ Filter", "esc Back"]),
    ("card, support", ["down", "enter", "5"], ["n New task", "s Status", "A Assign"]),
    ("history", ["f2"], ["/ Filter"]),
    ("settings", ["f3"], ["e Edit"]),
    ("import", ["f5"], ["Import", "f6 Unmatched"]),
    ("unmatched", ["f6"], ["a Assign"]),
    ("mail queue", ["f4"], ["r Retry", "f Filter"]),
    # Dialogs have footers of their own: the card's keys below do not apply there.
    ("edit form", ["down", "enter", "e"], ["^s Save", "esc Cancel"]),
    ("e-mail dialog", ["down", "enter", "m"], ["^s Send", "esc Cancel"]),
    ("lifecycle menu", ["down", "enter", "l"], ["esc"]),
]
# Keys of the screen below a dialog that must not be offered in the dialog's footer.
NOT_IN_DIALOGS = ["e Edit", "l Lifecycle", "m E-mail"]


@pytest.mark.parametrize("where,keys,wanted", SCREENS, ids=[s[0] for s in SCREENS])
async def test_the_footer_at_80_columns_shows_help_quit_and_the_main_keys(demo_url, where, keys, wanted):
    app = make_app(demo_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        line = footer(app)
        # In a text box ? is typed; in a dialog only the App's priority keys reach the App.
        anywhere_keys = isinstance(app.focused, Input) or app.screen.is_modal
        assert ("f1 Help" if anywhere_keys else "? Help") in line, line
        assert line.rstrip().endswith("Quit"), f"help and quit are cut off: {line!r}"
        for item in wanted:
            assert item in line, f"{where}: {item!r} not in {line!r}"
        if where in ("edit form", "e-mail dialog", "lifecycle menu"):
            for item in NOT_IN_DIALOGS:
                assert item not in line, f"{where}: the card's {item!r} shows under the dialog: {line!r}"
        if "card" in where:
            assert app.screen.query_one(TabbedContent).active


async def test_esc_on_a_form_typed_into_asks_before_discarding(ctx, db_url):
    n = cs.create(ctx, "Ask Before Discard", {"city": "Brno"})
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one("#f-city", Input).value = "Praha"
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        assert "Discard your changes?" in screen_text(app)
        await pilot.press("n")  # keep typing
        await settle(app, pilot)
        assert type(app.screen).__name__ == "EditForm"
        assert app.screen.query_one("#f-city", Input).value == "Praha"
        await pilot.press("escape", "y")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
    assert cs.get_card(ctx, n).values["city"] == "Brno"


async def test_esc_on_an_e_mail_with_a_body_asks_too(ctx, db_url):
    from textual.widgets import TextArea

    n = cs.create(ctx, "Mail Draft", {"email": "draft@example.cz"})
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        app.screen.query_one("#mail-body", TextArea).text = "Dear customer, ..."
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
async def test_the_e_mail_dialog_fits_small_terminals_with_room_for_the_body(ctx, db_url, size):
    """Three contact persons and four addresses: subject, body and the buttons still show."""
    from textual.widgets import TextArea

    from ispterm.customers import contacts

    n = cs.create(ctx, "Many Addresses", {"email": "a@example.cz", "billing_email": "b@example.cz",
                                          "tech_email": "c@example.cz"})
    for i in range(3):
        contacts.add_contact(ctx, n, {"name": f"Contact {i}", "email": f"p{i}@example.cz"})
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        text = screen_text(app)
        assert "Subject" in text and "Send (ctrl+s)" in text and "Cancel (esc)" in text
        body = app.screen.query_one("#mail-body", TextArea)
        assert body.region.height >= (6 if size == (80, 24) else 3), body.region
        subject = app.screen.query_one("#mail-subject", Input)
        assert subject.region.height == 1 and subject.region.y < size[1]
