"""Task dialogs (SUP-1): a new task from the card, a status change, and the assignees.

Like the note editor these are forms only (``service_form``): the tab passes a ``save``
callback that runs the service off the UI thread and answers ``saved`` or ``failed``; bad
values are marked on their field and named in the dialog, the rest of the form is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Select, TextArea
from textual.widgets.option_list import Option

from screens.dialogs.service_form import ServiceForm
from screens.widgets.marked import MarkedSelectionList

if TYPE_CHECKING:
    from ispterm.support.service import TaskView

@dataclass(frozen=True)
class TaskDraft:
    type_name: str | None
    title: str
    description: str | None
    priority: str
    due_on: str | None
    assignees: list[str]


class TaskForm(ServiceForm):
    """The layout shared by the task dialogs; ``value()`` is what ``save`` receives."""

    DEFAULT_CSS = """
    TaskForm .task-row { height: auto; width: 100%; }
    TaskForm .task-label { width: 12; }
    TaskForm .task-row:focus-within > .task-label { text-style: bold reverse; }
    TaskForm .task-row > Input, TaskForm .task-row > Select { width: 1fr; }
    TaskForm #task-description { height: 3; width: 1fr; }
    TaskForm MarkedSelectionList { height: auto; max-height: 5; width: 1fr; }
    TaskForm OptionList { height: auto; max-height: 8; }
    TaskForm #form-summary { height: auto; }
    TaskForm Select.-invalid, TaskForm TextArea.-invalid { background: $error 30%; }
    """

    def __init__(self, save: Callable[[Any], None]) -> None:
        super().__init__()
        self.save = save

    def buttons(self) -> ComposeResult:
        yield from self.form_footer()

    def value(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def submit(self) -> None:
        self.save(self.value())


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
                yield TextArea(id="task-description", compact=True, soft_wrap=True,
                               placeholder="details (optional)")
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


@dataclass(frozen=True)
class ContactDraft:
    channel: str
    direction: str
    subject: str | None
    body: str | None
    status: str | None


class ContactForm(TaskForm):
    """Log a call, visit or message with the customer into the timeline (SUP-2)."""

    FIELDS = {"channel": "contact-channel", "direction": "contact-direction",
              "subject": "contact-subject"}

    def __init__(self, save: Callable[[ContactDraft], None], *, channels: Sequence[str]) -> None:
        super().__init__(save)
        self.channels = list(channels)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="contact-form"):
            yield Label("Log contact with the customer", classes="dialog-title")
            with Horizontal(classes="task-row"):
                yield Label("Channel", classes="task-label")
                yield Select([(c, c) for c in self.channels], id="contact-channel", allow_blank=False,
                             value="call" if "call" in self.channels else self.channels[0],
                             compact=True)
            with Horizontal(classes="task-row"):
                yield Label("Direction", classes="task-label")
                yield Select([("← in (from the customer)", "in"), ("→ out (to the customer)", "out")],
                             id="contact-direction", allow_blank=False, value="in", compact=True)
            with Horizontal(classes="task-row"):
                yield Label("Subject", classes="task-label")
                yield Input(id="contact-subject", placeholder="what it was about", compact=True)
            with Horizontal(classes="task-row"):
                yield Label("Notes", classes="task-label")
                yield TextArea(id="task-description", compact=True, soft_wrap=True,
                               placeholder="what was said (optional)")
            with Horizontal(classes="task-row"):
                yield Label("Outcome", classes="task-label")
                yield Input(id="contact-status", placeholder="e.g. answered, no answer (optional)",
                            compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#contact-subject", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def value(self) -> ContactDraft:
        text = self.query_one("#task-description", TextArea).text.strip()
        subject = self.query_one("#contact-subject", Input).value.strip()
        status = self.query_one("#contact-status", Input).value.strip()
        return ContactDraft(str(self.query_one("#contact-channel", Select).value),
                            str(self.query_one("#contact-direction", Select).value),
                            subject or None, text or None, status or None)
