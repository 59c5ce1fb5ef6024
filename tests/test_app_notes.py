"""The Notes tab through the real app: add, edit, delete, restore, show/hide deleted; private
notes stay with their author (read-only operators: see test_app_support)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static, TextArea

from ispterm.audit.service import history
from ispterm.customers import service as cs
from ispterm.notes import service as ns
from screens.app import make_app
from tests.pilot_help import settle


def table_texts(app) -> list[str]:
    table = app.screen.query_one("#notes-table", DataTable)
    return [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]


async def write(app, pilot, text: str, save_key: str = "ctrl+s") -> None:
    area = app.screen.query_one("#note-text", TextArea)
    area.text = text
    await pilot.press(save_key)
    await settle(app, pilot)


async def test_add_edit_delete_restore_and_show_deleted(ctx, db_url):
    n = cs.create(ctx, "Notes Flow")
    app = make_app(db_url, "admin", number=n, tab="notes")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert table_texts(app) == []

        # Add, with the alert flag ticked from the keyboard (tab to the boxes, space).
        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one("#note-text", TextArea).text = "Router reset by phone\nline two"
        await pilot.press("tab", "tab", "space", "ctrl+s")
        await settle(app, pilot)
        if type(app.screen).__name__ == "AlertDialog":  # the card announces the new alert
            await pilot.press("escape")
            await settle(app, pilot)
        [note] = ns.list_notes(ctx, n)
        assert (note.text, note.private, note.alert) == ("Router reset by phone\nline two", False, True)
        assert table_texts(app) == ["Router reset by phone"]
        table = app.screen.query_one("#notes-table", DataTable)
        assert str(table.get_row_at(0)[2]) == "-!-"
        preview = str(app.screen.query_one("#note-preview", Static).render())
        assert "line two" in preview and "ALERT" in preview

        # Edit; an empty text is refused inline and nothing changes.
        await pilot.press("e")
        await settle(app, pilot)
        await write(app, pilot, "   ")
        assert "needs some text" in str(app.screen.query_one("#form-summary", Static).render())
        assert ns.list_notes(ctx, n)[0].text == "Router reset by phone\nline two"
        await write(app, pilot, "Router replaced", save_key="ctrl+j")
        assert ns.list_notes(ctx, n)[0].text == "Router replaced"
        assert table_texts(app) == ["Router replaced"]
        assert ("text", "Router reset by phone\nline two", "Router replaced") in [
            (h.field, h.old, h.new) for h in history(ctx, n)]

        # Delete asks first; "n" keeps the note.
        await pilot.press("d", "n")
        await settle(app, pilot)
        assert len(ns.list_notes(ctx, n)) == 1
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert ns.list_notes(ctx, n) == []
        assert table_texts(app) == []

        # Show deleted, restore it, hide deleted again.
        await pilot.press("h")
        await settle(app, pilot)
        assert table_texts(app) == ["[deleted] Router replaced"]
        assert str(table.get_row_at(0)[2]) == "-!D"
        await pilot.press("u")
        await settle(app, pilot)
        assert [x.text for x in ns.list_notes(ctx, n)] == ["Router replaced"]
        assert table_texts(app) == ["Router replaced"]
        await pilot.press("h")
        await settle(app, pilot)
        assert app.screen.query_one("NotesTab").show_deleted is False


@pytest.mark.both_databases
async def test_private_note_is_not_shown_to_another_operator(ctx, db_url, as_role):
    n = cs.create(ctx, "Private Matters")
    as_role("support", "eva")
    as_role("technician", "tom")
    app = make_app(db_url, "eva", number=n, tab="notes")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one("#note-text", TextArea).text = "Shouted at me, handle carefully"
        await pilot.press("tab", "space", "ctrl+s")  # tick Private
        await settle(app, pilot)
        assert table_texts(app) == ["Shouted at me, handle carefully"]
        assert str(app.screen.query_one("#notes-table", DataTable).get_row_at(0)[2]) == "P--"
    ns.add_note(ctx, n, "Public remark")

    app = make_app(db_url, "tom", number=n, tab="notes")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert table_texts(app) == ["Public remark"]
        await pilot.press("4")  # the History tab withholds it too
        await settle(app, pilot)
        rows = app.screen.query_one("#history-table", DataTable)
        cells = " ".join(str(c) for i in range(rows.row_count) for c in rows.get_row_at(i))
        assert "Shouted" not in cells


async def test_keymap_from_config_rebinds_note_keys(ctx, db_url, tmp_path):
    """Binding ids are the contract of the [keymap] section: notes.add moved to "i"."""
    from ispterm.config import Config

    n = cs.create(ctx, "Keymap Case")
    config = Config(path=tmp_path / "config.toml", keymap={"notes.add": "i"})
    app = make_app(db_url, "admin", number=n, tab="notes", config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert len(app.screen_stack) == 2  # "a" no longer adds
        await pilot.press("i")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "NoteEditor"
