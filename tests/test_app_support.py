"""The Tech support tab through the real app: a task created from the card, its status and
assignees changed, bad values refused inline, the communication timeline shown; and no write
key in the Notes, History or Tech support tab for read-only operators."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Select, Static

from ispterm.audit.service import history
from ispterm.customers import service as cs
from ispterm.notes import service as ns
from ispterm.support import service as ss
from screens.app import make_app
from tests.pilot_help import active_keys, settle

TASK_KEYS = {"n", "s", "A", "c"}


def task_rows(app) -> list[list[str]]:
    table = app.screen.query_one("#tasks-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.both_databases
async def test_create_task_change_status_and_assign(ctx, db_url, as_role):
    n = cs.create(ctx, "Support Case")
    as_role("technician", "tech")
    ss.log_communication(ctx, n, "email", subject="Invoice 2026/11", status="sent")
    app = make_app(db_url, "admin", number=n, tab="support")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert task_rows(app) == []
        timeline = app.screen.query_one("#timeline-table", DataTable)
        assert [str(c) for c in timeline.get_row_at(0)][1:] == ["email", "→ out", "Invoice 2026/11", "sent"]

        await pilot.press("n")
        await settle(app, pilot)
        editor = app.screen
        types = editor.query_one("#task-type", Select)
        assert [str(o[0]) for o in types._options if o[1] != Select.NULL] == \
            ["Installation", "Fault repair", "Relocation"]  # no type without a customer field
        # A bad due date is refused inline and nothing is created.
        await pilot.press(*"No signal")
        editor.query_one("#task-due", Input).value = "31.12."
        types.value = "Fault repair"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is editor
        summary = str(editor.query_one("#form-summary", Static).render())
        assert "Due date: not a date" in summary and "due_on" not in summary
        assert editor.query_one("#task-due", Input).has_class("-invalid")
        assert ss.list_tasks(ctx, n) == []
        editor.query_one("#task-due", Input).value = "2030-01-31"
        editor.query_one("#task-assignees").select("tech")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [task] = ss.list_tasks(ctx, n)
        assert (task.title, task.type, task.status, task.priority, str(task.due_on), task.assignees) == \
            ("No signal", "Fault repair", "new", "normal", "2030-01-31", ("tech",))
        assert task_rows(app) == [[str(task.id), "Fault repair", "No signal", "new", "normal",
                                   "2030-01-31", "tech"]]

        # Status: the dialog starts on the current one; down, enter picks "in progress".
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert ss.list_tasks(ctx, n)[0].status == "in_progress"
        assert task_rows(app)[0][3] == "in progress"
        assert ("status", "new", "in_progress") in [(h.field, h.old, h.new) for h in history(ctx, n)]

        # Assign: space toggles the highlighted operator (admin), ctrl+j saves.
        await pilot.press("A")
        await settle(app, pilot)
        await pilot.press("space", "ctrl+j")
        await settle(app, pilot)
        assert ss.list_tasks(ctx, n)[0].assignees == ("admin", "tech")
        assert task_rows(app)[0][6] == "admin, tech"

        # c logs a call (the form starts on channel call, direction in) into the timeline.
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press(*"Router blinks red", "ctrl+s")
        await settle(app, pilot)
        [call, _mail] = ss.timeline(ctx, n)
        assert (call.channel, call.direction, call.subject, call.operator) == \
            ("call", "in", "Router blinks red", "admin")
        assert [str(c) for c in timeline.get_row_at(0)][1:4] == ["call", "← in", "Router blinks red"]


async def test_stale_task_status_opens_the_conflict_dialog(ctx, db_url):
    n = cs.create(ctx, "Stale Task")
    task = ss.create_task(ctx, n, "Check cable")
    app = make_app(db_url, "admin", number=n, tab="support")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        ss.update_task(ctx, task.id, status="waiting")  # someone else, after the tab loaded
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConflictDialog"
        assert ss.list_tasks(ctx, n)[0].status == "waiting"
        await pilot.press("r")
        await settle(app, pilot)
        assert task_rows(app)[0][3] == "waiting"


@pytest.mark.parametrize("how", ["readonly role", "--readonly"])
async def test_no_write_keys_in_notes_history_support_when_read_only(ctx, db_url, as_role, how):
    """A read-only operator, or anyone under --readonly, is offered no write key in these tabs."""
    n = cs.create(ctx, "Read Only Tabs")
    ns.add_note(ctx, n, "Visible to all")
    ss.create_task(ctx, n, "Visible task")
    if how == "readonly role":
        as_role("readonly", "viewer")
        app = make_app(db_url, "viewer", number=n, tab="notes")
    else:
        app = make_app(db_url, "admin", number=n, tab="notes", readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.query_one("#notes-table", DataTable).row_count == 1
        keys = active_keys(app)
        assert "h" in keys and not ({"a", "e", "d", "u"} & keys)
        await pilot.press("a", "e", "d")
        await settle(app, pilot)
        assert len(app.screen_stack) == 2  # no editor or confirm dialog opened
        await pilot.press("4")
        await settle(app, pilot)
        assert "slash" in active_keys(app)
        await pilot.press("5")
        await settle(app, pilot)
        assert task_rows(app)[0][2] == "Visible task"
        assert not (TASK_KEYS & active_keys(app))
        await pilot.press("n", "s", "A", "c")
        await settle(app, pilot)
        assert len(app.screen_stack) == 2
    assert [x.text for x in ns.list_notes(ctx, n)] == ["Visible to all"]
