"""The Tech support tab (SUP-1/2): the customer's tasks and the communication timeline.

One fetch brings everything the tab and its dialogs need (tasks, timeline, the task types
offered on a card, operator logins), so opening a dialog never waits on the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from ispterm.operators.roles import COMM_WRITE, TASK_WRITE
from screens.card.base import CardTab
from screens.widgets.render import local
from screens.widgets.tables import add_rows

if TYPE_CHECKING:
    from ispterm.context import Ctx
    from ispterm.support.service import CommunicationView, TaskView
    from screens.dialogs.task_editor import ContactDraft, TaskDraft, TaskForm

CLOSED = ("done", "cancelled")


@dataclass(frozen=True)
class SupportData:
    tasks: list[TaskView]
    timeline: list[CommunicationView]
    task_types: list[str]
    operators: list[str]


def cut(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def due_cell(task: TaskView, today: date) -> Text:
    """The due date; an overdue open task gets a leading '!' (not only a colour)."""
    if task.due_on is None:
        return Text("")
    if task.status not in CLOSED and task.due_on < today:
        return Text(f"!{task.due_on.isoformat()}", style="bold red")
    return Text(task.due_on.isoformat())


class SupportTab(CardTab):
    DEFAULT_CSS = """
    SupportTab { layout: vertical; }
    SupportTab .support-title { height: 1; text-style: bold; color: $primary; }
    SupportTab #tasks-table { height: 1fr; }
    SupportTab #task-detail { height: auto; max-height: 2; color: $text-muted; }
    SupportTab #timeline-table { height: 1fr; }
    SupportTab #timeline-detail { height: auto; max-height: 2; color: $text-muted; }
    """

    BINDINGS = [
        Binding("n", "new_task", "New task", id="support.new_task"),
        Binding("s", "status", "Status", id="support.status"),
        Binding("A", "assign", "Assign", id="support.assign"),
        # Named in the tasks line above the table; the footer keeps room for q and ?.
        Binding("c", "log_contact", "Log contact", id="support.log_contact", show=False),
    ]

    def __init__(self, number: int, **kw: Any) -> None:
        super().__init__(number, **kw)
        self.data = SupportData([], [], [], [])

    def compose(self) -> ComposeResult:
        yield Label("Tasks", id="tasks-title", classes="support-title")
        tasks: DataTable = DataTable(id="tasks-table", cursor_type="row", zebra_stripes=True)
        tasks.add_column("#", key="id")
        tasks.add_column("Type", key="type")
        tasks.add_column("Title", key="title")
        tasks.add_column("Status", key="status")
        tasks.add_column("Prio", key="priority")
        tasks.add_column("Due", key="due")
        tasks.add_column("Assignees", key="assignees")
        yield tasks
        yield Static("", id="task-detail")
        yield Label("Communication", id="timeline-title", classes="support-title")
        timeline: DataTable = DataTable(id="timeline-table", cursor_type="row", zebra_stripes=True)
        timeline.add_column("When", key="when", width=16)
        timeline.add_column("Channel", key="channel")
        timeline.add_column("Dir", key="direction")
        timeline.add_column("Subject", key="subject")
        timeline.add_column("Status", key="status")
        yield timeline
        yield Static("", id="timeline-detail")

    # Loading ------------------------------------------------------------------------------

    def fetch(self, ctx: Ctx) -> SupportData:
        from ispterm.operators.service import list_operators
        from ispterm.support import service

        return SupportData(
            tasks=service.list_tasks(ctx, self.number),
            timeline=service.timeline(ctx, self.number),
            task_types=service.task_types_for_card(ctx),
            # Whoever can work on a task: active operators that are not read-only.
            operators=[op.login for op in list_operators(ctx) if op.active and op.role != "readonly"],
        )

    def show(self, data: SupportData) -> None:
        keep = self.current()
        self.data = data
        today = self.app.today()  # type: ignore[attr-defined]
        tasks = self.query_one("#tasks-table", DataTable)
        tasks.clear()
        # The title gets what the other columns leave (the line below the table shows more).
        others = [max([len(label)] + [len(value(t)) for t in data.tasks]) for label, value in (
            ("#", lambda t: str(t.id)), ("Type", lambda t: cut(t.type, 14)),
            ("Status", lambda t: t.status), ("Prio", lambda t: t.priority),
            ("Due", lambda t: due_cell(t, today).plain), ("Assignees", lambda t: cut(", ".join(t.assignees), 16)))]
        title_width = max(12, tasks.size.width - sum(others) - 2 * 7 - 2)
        add_rows(tasks, ((str(t.id), (Text(str(t.id), justify="right"), cut(t.type, 14),
                                      cut(t.title, title_width), t.status.replace("_", " "), t.priority,
                                      due_cell(t, today), cut(", ".join(t.assignees), 16)))
                         for t in data.tasks))
        for row, t in enumerate(data.tasks):
            if keep is not None and t.id == keep.id:
                tasks.move_cursor(row=row, animate=False)
        open_count = sum(t.status not in CLOSED for t in data.tasks)
        hint = "  n new · s status · A assign · c log contact" if self.can(TASK_WRITE) else ""
        self.query_one("#tasks-title", Label).update(
            f"Tasks: {len(data.tasks)}, {open_count} open{hint}")
        timeline = self.query_one("#timeline-table", DataTable)
        timeline.clear()
        add_rows(timeline, ((str(c.id), (local(c.at), c.channel,
                                          "→ out" if c.direction == "out" else "← in",
                                          cut(c.subject, 34), c.status or ""))
                            for c in data.timeline))
        self.query_one("#timeline-title", Label).update(
            f"Communication: {len(data.timeline)}" + ("" if data.timeline else " (none yet)"))
        self.task_detail()
        self.timeline_detail()
        self.timeline_detail()
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "tasks-table":
            self.task_detail()
        elif event.data_table.id == "timeline-table":
            self.timeline_detail()

    def timeline_detail(self) -> None:
        """Who logged the highlighted contact, and for a sent message the server's reply."""
        table = self.query_one("#timeline-table", DataTable)
        row = table.cursor_row
        detail = self.query_one("#timeline-detail", Static)
        if not self.data.timeline or not 0 <= row < len(self.data.timeline):
            detail.update("")
            return
        c = self.data.timeline[row]
        parts = [f"{c.channel} by {c.operator or '?'} at {local(c.at)}"]
        if c.status:
            parts.append(c.status)
        if c.detail:
            parts.append(f"reply: {' '.join(c.detail.split())}")
        elif c.body and c.direction == "in":
            parts.append(" ".join(c.body.split()))
        detail.update(Text(" · ".join(parts)))

    def task_detail(self) -> None:
        """Who opened the highlighted task and when, and its description (not in the table)."""
        task = self.current()
        detail = self.query_one("#task-detail", Static)
        if task is None:
            detail.update("No tasks." + (" Press n to create one." if self.can(TASK_WRITE) else ""))
            return
        text = f"#{task.id} opened by {task.created_by or '?'} at {local(task.created_at)}"
        if task.description:
            text += f" · {' '.join(task.description.split())}"
        detail.update(Text(text))

    def current(self) -> TaskView | None:
        table = self.query_one("#tasks-table", DataTable)
        row = table.cursor_row
        return self.data.tasks[row] if self.data.tasks and 0 <= row < len(self.data.tasks) else None

    # Actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_task", "status", "assign"):
            return self.can(TASK_WRITE)
        if action == "log_contact":
            return self.can(COMM_WRITE)
        return True

    def _selected_task(self) -> TaskView | None:
        task = self.current()
        if task is None:
            self.notify("No task selected.", severity="warning")
        return task

    def action_new_task(self) -> None:
        from ispterm.support.service import TASK_PRIORITIES
        from screens.dialogs.task_editor import TaskEditor

        editor = TaskEditor(lambda draft: self._create(editor, draft), types=self.data.task_types,
                            operators=self.data.operators, priorities=TASK_PRIORITIES)
        self.app.push_screen(editor)

    def _create(self, form: TaskForm, draft: TaskDraft) -> None:
        from ispterm.support import service

        self.call_service(service.create_task, self.number, draft.title, type_name=draft.type_name,
                          description=draft.description, priority=draft.priority, due_on=draft.due_on,
                          assignees=draft.assignees, done=form.saved, on_error=form.failed)

    def action_status(self) -> None:
        from ispterm.support.service import TASK_STATUSES
        from screens.dialogs.task_editor import TaskStatusDialog

        task = self._selected_task()
        if task is None:
            return
        dialog = TaskStatusDialog(lambda status: self._update(dialog, task, status=status),
                                  task=task, statuses=TASK_STATUSES)
        self.app.push_screen(dialog)

    def action_assign(self) -> None:
        from screens.dialogs.task_editor import AssignDialog

        task = self._selected_task()
        if task is None:
            return
        dialog = AssignDialog(lambda logins: self._update(dialog, task, assignees=logins),
                              task=task, operators=self.data.operators)
        self.app.push_screen(dialog)

    def action_log_contact(self) -> None:
        from ispterm.support.service import CHANNELS
        from screens.dialogs.task_editor import ContactForm

        form = ContactForm(lambda draft: self._log(form, draft), channels=CHANNELS)
        self.app.push_screen(form)

    def _log(self, form: TaskForm, draft: ContactDraft) -> None:
        from ispterm.support import service

        self.call_service(service.log_communication, self.number, draft.channel,
                          subject=draft.subject, body=draft.body, direction=draft.direction,
                          status=draft.status, done=form.saved, on_error=form.failed)

    def _update(self, form: TaskForm, task: TaskView, **changes: Any) -> None:
        from ispterm.support import service

        self.call_service(service.update_task, task.id, expected_version=task.version,
                          done=form.saved, on_error=form.failed, **changes)
