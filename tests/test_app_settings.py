"""The settings screen through the real app: a bad value is refused in the prompt and nothing
changes; a good one is saved; code lists grow; operators without settings.edit get no write key."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from ispterm.settings import service as st
from screens.app import make_app
from tests.pilot_help import active_keys, settle


def setting_row(app, key: str) -> list[str]:
    table = app.screen.query_one("#settings-table", DataTable)
    return [str(c) for c in table.get_row(key)]


async def open_settings(app, pilot) -> None:
    await settle(app, pilot)
    app.open_settings()
    await settle(app, pilot)
    assert type(app.screen).__name__ == "SettingsScreen"


async def test_bad_setting_is_refused_inline_and_a_good_one_saved(ctx, db_url):
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        table = app.screen.query_one("#settings-table", DataTable)
        table.move_cursor(row=table.get_row_index("invoice_due_days"))
        assert setting_row(app, "invoice_due_days")[1] == "14"
        await pilot.press("e")
        await settle(app, pilot)
        prompt = app.screen
        box = prompt.query_one("#prompt-value", Input)
        assert box.value == "14"
        box.value = "-3"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is prompt
        assert "at least 0" in str(prompt.query_one("#prompt-error", Static).render())
        assert st.get_setting(ctx, "invoice_due_days") == 14
        box.value = "thirty"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "whole number" in str(prompt.query_one("#prompt-error", Static).render())
        assert st.get_setting(ctx, "invoice_due_days") == 14
        box.value = "30"
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "SettingsScreen"
        assert st.get_setting(ctx, "invoice_due_days") == 30
        assert setting_row(app, "invoice_due_days")[1] == "30 *"  # * = changed from default
        # esc in a prompt cancels without saving.
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one("#prompt-value", Input).value = "99"
        await pilot.press("escape")
        await settle(app, pilot)
        assert st.get_setting(ctx, "invoice_due_days") == 30


async def test_code_list_item_added_and_duplicate_refused(ctx, db_url):
    app = make_app(db_url, "admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        assert "a" not in active_keys(app)  # adding belongs to the code lists pane
        await pilot.press("2", "down", "down")  # the mark list
        await settle(app, pilot)
        codes = app.screen.query_one("#codes-table", DataTable)
        assert [str(codes.get_row_at(i)[0]) for i in range(codes.row_count)] == \
            [c.name for c in st.list_codes(ctx, "mark")]
        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one("#prompt-value", Input).value = "VIP"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "exists already" in str(app.screen.query_one("#prompt-error", Static).render())
        app.screen.query_one("#prompt-value", Input).value = "Fibre"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Fibre" in [c.name for c in st.list_codes(ctx, "mark")]
        assert str(codes.get_row_at(codes.row_count - 1)[0]) == "Fibre"


async def test_operator_without_settings_edit_sees_no_write_keys(ctx, db_url, as_role):
    as_role("support", "eva")
    app = make_app(db_url, "eva")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        assert setting_row(app, "invoice_due_days")[1] == "14"
        assert not {"e", "a"} & active_keys(app)
        await pilot.press("e", "enter", "2", "a")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "SettingsScreen"
        assert "read only" in app.screen.sub_title
