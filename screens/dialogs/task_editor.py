"""Task dialogs (SUP-1): a new task from the card, a status change, and the assignees.

Like the note editor these are forms only: the tab passes a ``save`` callback that runs the
service off the UI thread and answers ``saved(result)`` or ``failed(error)``; bad values are
marked on their field and named in the dialog, the rest of the form is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from screens.widgets.marked import MarkedSelectionList

if TYPE_CHECKING:
    from ispterm.support.service import TaskView

SAVE_KEYS = "ctrl+s,ctrl+enter,ctrl+j"


@dataclass(frozen=True)
class TaskDraft:
    type_name: str | None
    title: str
    description: str | None
    priority: str
    due_on: str | None
    assignees: list[str]


class TaskForm(ModalScreen[Any]):
    """Save/cancel plumbing shared by the task dialogs."""

    DEFAULT_CSS = """
    TaskForm .task-row { height: auto; width: 100%; }
    TaskForm .task-label { width: 12; }
    TaskForm .task-row > Input, TaskForm .task-row > Select { width: 1fr; }
    TaskForm #task-description { height: 3; width: 1fr; }
    TaskForm MarkedSelectionList { height: auto; max-height: 5; width: 1fr; }
    TaskForm OptionList { height: auto; max-height: 8; }
    TaskForm .task-error { height: auto; }
    TaskForm Input.-bad, TaskForm Select.-bad { background: $error 30%; }
    """

    BINDINGS = [
        Binding(SAVE_KEYS, "save", "Save", id="task_form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="task_form.cancel"),
    ]

    FIELDS: dict[str, str] = {}

    def __init__(self, save: Callable[[Any], None]) -> None:
        super().__init__()
        self.save = save
        self.saving = False

    def buttons(self) -> ComposeResult:
        yield Static("", id="task-error", classes="task-error error-text")
        with Horizontal(classes="dialog-buttons"):
            yield Button("Save (ctrl+s)", id="task-save", variant="primary", compact=True)
            yield Button("Cancel (esc)", id="task-cancel", compact=True)

    def value(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.query_one("#task-save", Button).disabled = True
        self.query_one("#task-error", Static).update("")
        for widget in self.query(".-bad"):
            widget.remove_class("-bad")
        self.save(self.value())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "task-save":
            self.action_save()
        else:
            self.action_cancel()

    def saved(self, result: Any) -> None:
        self.dismiss(result)

    def failed(self, error: Exception) -> bool:
        """Mark the bad fields and name them (True = handled here); a conflict closes the form."""
        from ispterm.errors import Conflict, InvalidFields, ValidationError

        self.saving = False
        self.query_one("#task-save", Button).disabled = False
        if isinstance(error, ValidationError):
            errors = error.errors if isinstance(error, InvalidFields) else [error]
            self.query_one("#task-error", Static).update("\n".join(f"✗ {e}" for e in errors))
            first = None
            for e in errors:
                widget_id = self.FIELDS.get(e.field)
                if widget_id:
                    widget = self.query_one(f"#{widget_id}")
                    widget.add_class("-bad")
                    first = first or widget
            if first is not None:
                first.focus()
            return True
        if isinstance(error, Conflict):
            self.dismiss(None)
        return False


class TaskEditor(TaskForm):
    """A new task for the customer; only task types with a customer field are offered."""

    FIELDS = {"type": "task-type", "title": "task-title", "priority": "task-priority",
              "due_on": "task-due", "assignees": "task-assignees"}

    def __init__(self, save: Callable[[TaskDraft], None], *, types: Sequence[str],
                 operators: Sequence[str], priorities: Sequence[str], me: str | None = None) -> None:
        super().__init__(save)
        self.types = list(types)
        self.operators = list(operators)
        self.priorities = list(priorities)
        self.me = me

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="task-editor"):
            yield Label("New task", classes="dialog-title")
            with Horizontal(classes="task-row"):
                yield Label("Title", classes="task-label")
                yield Input(id="task-title", placeholder="what needs doing", compact=True)
            with Horizontal(classes="task-row"):
                yield Label("Type", classes="task-label")
                yield Select([(t, t) for t in self.types], id="task-type", prompt="(no type)",
                             compact=True)
            with Horizontal(classes="task-row"):
                yield Label("Description", classes="task-label")
                yield TextArea(id="task-description", compact=True, soft_wrap=True)
            with Horizontal(classes="task-row"):
                yield Label("Priority", classes="task-label")
                yield Select([(p, p) for p in self.priorities], id="task-priority", allow_blank=False,
                             value="normal" if "normal" in self.priorities else self.priorities[0],
                             compact=True)
            with Horizontal(classes="task-row"):
                yield Label("Due", classes="task-label")
                yield Input(id="task-due", placeholder="YYYY-MM-DD (optional)", compact=True)
            with Horizontal(classes="task-row"):
                yield Label("Assignees", classes="task-label")
                yield MarkedSelectionList(*[(login, login) for login in self.operators],
                                         id="task-assignees", compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#task-title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """enter in a one-line box moves on to the next field, as in a paper form."""
        event.stop()
        self.focus_next()

    def value(self) -> TaskDraft:
        type_value = self.query_one("#task-type", Select).value
        description = self.query_one("#task-description", TextArea).text.strip()
        due = self.query_one("#task-due", Input).value.strip()
        return TaskDraft(
            type_name=type_value if isinstance(type_value, str) else None,
            title=self.query_one("#task-title", Input).value,
            description=description or None,
            priority=str(self.query_one("#task-priority", Select).value),
            due_on=due or None,
            assignees=list(self.query_one("#task-assignees", MarkedSelectionList).selected),
        )


class TaskStatusDialog(TaskForm):
    """Pick the task's new status; enter on a status saves at once."""

    FIELDS = {"status": "task-status"}

    def __init__(self, save: Callable[[str], None], *, task: TaskView, statuses: Sequence[str]) -> None:
        super().__init__(save)
        self.target = task
        self.statuses = list(statuses)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="task-status-dialog"):
            yield Label(f"Status of task {self.target.id}: {self.target.title}", classes="dialog-title")
            yield OptionList(*[Option(s.replace("_", " "), id=s) for s in self.statuses],
                             id="task-status", compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        options = self.query_one("#task-status", OptionList)
        if self.target.status in self.statuses:
            options.highlighted = self.statuses.index(self.target.status)
        options.focus()

    def value(self) -> str:
        options = self.query_one("#task-status", OptionList)
        index = options.highlighted if options.highlighted is not None else 0
        return self.statuses[index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()


class AssignDialog(TaskForm):
    """Choose who works on a task (space toggles an operator)."""

    FIELDS = {"assignees": "task-assignees"}

    def __init__(self, save: Callable[[list[str]], None], *, task: TaskView,
                 operators: Sequence[str]) -> None:
        super().__init__(save)
        self.target = task
        self.operators = list(operators)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="task-assign-dialog"):
            yield Label(f"Assign task {self.target.id}: {self.target.title}", classes="dialog-title")
            yield MarkedSelectionList(*[(login, login, login in self.target.assignees)
                                       for login in self.operators], id="task-assignees", compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#task-assignees", MarkedSelectionList).focus()

    def value(self) -> list[str]:
        return list(self.query_one("#task-assignees", MarkedSelectionList).selected)
