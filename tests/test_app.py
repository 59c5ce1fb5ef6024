"""The operator app through Pilot: search -> card -> edit -> history; refused edits; conflicts;
read-only operators; alert notes; starting it from the CLI."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static, TabbedContent

from ispterm.audit.service import history
from ispterm.customers import service as cs
from ispterm.notes import service as ns
from screens.app import make_app
from screens.widgets.result_list import ResultList
from tests.conftest import run_ispterm
from tests.pilot_help import active_keys, screen_text, settle


def customers_shown(app) -> list[str]:
    results = app.screen.query_one("#customers", ResultList)
    return [str(results.cells_at(i)[1]) for i in range(results.row_count)]


async def type_into(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector, Input)
    widget.value = ""
    widget.focus()
    await pilot.press(*list(text))


@pytest.mark.both_databases
async def test_search_open_edit_save_and_history_shows_old_and_new(ctx, db_url):
    n = cs.create(ctx, "Novák Jan", {"city": "Šumperk", "email": "jan@example.cz"})
    cs.create(ctx, "Svoboda Petr", {"city": "Zábřeh"})
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert set(customers_shown(app)) == {"Novák Jan", "Svoboda Petr"}
        await type_into(pilot, "#search", "novak")
        await settle(app, pilot)
        assert customers_shown(app) == ["Novák Jan"]
        await pilot.press("enter")  # one match: enter in the search box opens it
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        assert "Novák Jan" in str(app.screen.query_one("#card-header", Static).render())

        await pilot.press("e")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "EditForm"
        city = app.screen.query_one("#f-city", Input)
        city.value = "Zábřeh"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        assert cs.get_card(ctx, n).values["city"] == "Zábřeh"

        await pilot.press("4")
        await settle(app, pilot)
        assert app.screen.query_one(TabbedContent).active == "history"
        text = screen_text(app)
        assert "Šumperk" in text and "Zábřeh" in text
    [row] = [h for h in history(ctx, n) if h.field == "city"]
    assert (row.old, row.new, row.operator) == ("Šumperk", "Zábřeh", "admin")


async def test_invalid_value_shows_the_error_and_saves_nothing(ctx, db_url):
    n = cs.create(ctx, "Dvořák Karel", {"email": "karel@example.cz"})
    before = cs.get_card(ctx, n)
    rows_before = len(history(ctx, n, limit=1000))
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one("#f-email", Input).value = "not an address"
        app.screen.query_one("#f-ico", Input) if False else None
        app.screen.query_one("#f-zip", Input).value = "12"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "EditForm", "the form stays open until fixed"
        email_error = str(app.screen.query_one("#f-email-error", Static).render())
        zip_error = str(app.screen.query_one("#f-zip-error", Static).render())
        assert email_error and zip_error, "every bad field shows its own error"
        assert app.screen.query_one("#f-email", Input).has_class("-invalid")
        await pilot.press("escape")
        await settle(app, pilot)
    after = cs.get_card(ctx, n)
    assert after.values == before.values and after.version == before.version
    assert len(history(ctx, n, limit=1000)) == rows_before


async def test_field_error_shown_when_leaving_the_field(ctx, db_url):
    n = cs.create(ctx, "Blur Test")
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        phone = app.screen.query_one("#f-phone", Input)
        phone.focus()
        phone.value = "12ab"
        await pilot.press("tab")
        await settle(app, pilot)
        assert "phone" in str(app.screen.query_one("#f-phone-error", Static).render()).lower() or \
            str(app.screen.query_one("#f-phone-error", Static).render())


@pytest.mark.both_databases
async def test_stale_version_opens_the_conflict_dialog_naming_who(ctx, db_url, as_role):
    n = cs.create(ctx, "Conflict Case", {"city": "Brno"})
    other = as_role("support", "marta")
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        cs.update(other, n, {"city": "Praha"})  # someone else saves first
        app.screen.query_one("#f-city", Input).value = "Olomouc"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConflictDialog"
        assert "marta" in screen_text(app)
        await pilot.press("r")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        assert "Praha" in screen_text(app)
    assert cs.get_card(ctx, n).values["city"] == "Praha", "the stale edit was not saved"


@pytest.mark.parametrize("how", ["role", "flag"])
async def test_read_only_operator_has_no_write_actions(ctx, db_url, as_role, how):
    n = cs.create(ctx, "Read Only Case")
    if how == "role":
        as_role("readonly", "viewer")
        app = make_app(db_url, "viewer", number=n)
    else:
        app = make_app(db_url, "admin", number=n, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        keys = active_keys(app)
        assert not {"e", "l"} & keys
        app.screen.query_one("#contacts", DataTable).focus()
        await pilot.pause()
        assert not {"a", "d", "insert", "delete"} & active_keys(app)
        await pilot.press("e")  # even pressed, nothing opens
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        await pilot.press("2")
        await settle(app, pilot)
        assert "e" not in active_keys(app)


async def test_writer_has_the_write_actions(ctx, db_url):
    n = cs.create(ctx, "Writer Case")
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert {"e", "l"} <= active_keys(app)


async def test_alert_note_opens_as_a_modal_when_the_card_opens(ctx, db_url):
    n = cs.create(ctx, "Alert Case")
    ns.add_note(ctx, n, "Dog on the premises, call before visit", alert=True)
    ns.add_note(ctx, n, "ordinary note")
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert type(app.screen).__name__ == "AlertDialog"
        text = screen_text(app)
        assert "Dog on the premises" in text and "ordinary note" not in text
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        assert "1 alert" in str(app.screen.query_one("#card-header", Static).render())


async def test_tab_keys_and_brackets(ctx, db_url):
    n = cs.create(ctx, "Tabs Case")
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        tabs = app.screen.query_one(TabbedContent)
        assert tabs.active == "billing"
        for key, expected in [("right_square_bracket", "notes"), ("left_square_bracket", "billing"),
                              ("left_square_bracket", "information"), ("left_square_bracket", "support"),
                              ("3", "notes"), ("4", "history"), ("5", "support"), ("1", "information")]:
            await pilot.press(key)
            await settle(app, pilot)
            assert tabs.active == expected, key


async def test_escape_from_a_card_opened_directly_goes_to_the_list(ctx, db_url):
    n = cs.create(ctx, "Back Case")
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerListScreen"
        assert "Back Case" in customers_shown(app)


def test_header_read_with_core_agrees_with_the_card(ctx, db_url):
    from datetime import date
    from decimal import Decimal

    from ispterm.billing import invoicing as bi
    from ispterm.billing import service as bs
    from ispterm.billing.invoicing import Line
    from ispterm.customers.header import read_header
    from ispterm.store.quick import connect

    n = cs.create(ctx, "Header Money", {"marks": "VIP, Problem"})
    inv = bi.issue_invoice(ctx, n, [Line("Fiber", Decimal("499.00"))], issued_on=date(2026, 1, 1))
    bi.issue_invoice(ctx, n, [Line("Fiber", Decimal("499.00"))], issued_on=date(2026, 2, 1))
    bs.record_payment(ctx, n, "600.50", date(2026, 1, 10))
    bi.cancel_invoice(ctx, inv.id)
    card = cs.get_card(ctx, n)
    with connect(db_url) as conn:
        header = read_header(conn, n)
    assert header.balance == card.standing.balance == Decimal("101.50")
    assert header.name == card.name and header.status == card.status
    assert [m for m, _ in header.marks] == [m.name for m in card.marks]


def test_cli_open_refuses_bad_input_in_one_line(sqlite_url, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[ui]\ntheme = "pink"\n', encoding="utf-8")
    for args, message in [
        (["open", "999999"], "customer 999999 does not exist"),
        (["open", "10001", "--tab", "money"], "--tab: must be one of"),
        (["--theme", "purple", "open", "10001"], "--theme: unknown theme 'purple'"),
        (["open", "10001"], "ui.theme (config): unknown theme 'pink'"),
        ([], "ui.theme (config): unknown theme 'pink'"),
    ]:
        env = {"ISPTERM_CONFIG": str(config)} if "pink" in message else None
        result = run_ispterm("--db", sqlite_url, "--operator", "admin", *args, env=env)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
        assert message in result.stderr


def test_cli_open_refuses_an_unknown_operator_before_the_ui_starts(sqlite_url):
    """Not after the first frame with Textual's traceback note: one line, exit 1."""
    for args in (["open", "10001"], []):
        result = run_ispterm("--db", sqlite_url, "--operator", "nobody", *args)
        assert result.returncode == 1, result.stderr
        assert result.stderr == ("error: operator 'nobody' is not known to this database; an admin can "
                                 "add it with 'ispterm operator add nobody --role support'\n"), result.stderr
        assert "\x1b[" not in result.stdout  # the terminal was never taken over


async def test_keymap_from_config_rebinds_and_names_unknown_ids(ctx, db_url, tmp_path):
    from ispterm.config import load

    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"info.edit" = "x"\n"no.such.binding" = "z"\n', encoding="utf-8")
    n = cs.create(ctx, "Keymap Case")
    app = make_app(db_url, "admin", number=n, config=load(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert any("no.such.binding" in str(n.message) for n in app._notifications)
        await pilot.press("e")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen", "e is no longer edit"
        await pilot.press("x")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "EditForm"


def test_every_binding_id_is_unique_per_class_and_known():
    from screens.app import binding_ids

    ids = binding_ids()
    assert {"app.quit", "list.search", "card.back", "info.edit", "billing.edit", "form.save"} <= ids


async def test_brackets_in_a_name_are_shown_not_read_as_markup(ctx, db_url):
    cs.create(ctx, "Firma [bold]Nová[/bold] s.r.o.")
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "[bold]Nov" in screen_text(app)


async def test_enter_in_the_search_box_opens_the_highlighted_result(ctx, db_url):
    cs.create(ctx, "Enter Alpha")
    cs.create(ctx, "Enter Beta")
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await type_into(pilot, "#search", "enter")
        await settle(app, pilot)
        assert customers_shown(app) == ["Enter Alpha", "Enter Beta"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Enter Alpha" in str(app.screen.query_one("#card-header", Static).render())
