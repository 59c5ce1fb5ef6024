"""A form for one action (record a payment, save a PDF, ...): all values go to one service call.

Unlike the edit form (which sends only what changed), every field is sent, defaults
included. Errors come from the service and are shown under the field they name (or in the
summary line); the dialog stays open until the service accepts, then dismisses with its
result. Nothing is validated here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.work import call_service


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: str = ""
    help: str = ""


def field_id(name: str) -> str:
    return "f-" + name.replace(".", "--")


class ActionForm(ModalScreen[Any]):
    """Dismisses with the service's result; None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", id="action_form.submit"),
        Binding("escape", "cancel", "Cancel", id="action_form.cancel"),
    ]

    def __init__(self, title: str, fields: list[FormField], *,
                 submit: Callable[[Any, dict[str, str]], Any], ok: str = "Save",
                 note: str = "") -> None:
        """``submit(ctx, {name: text})`` runs in a worker; its ValidationErrors name fields."""
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.submit_fn = submit
        self.ok = ok
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="action-form"):
            yield Label(self.form_title, classes="dialog-title")
            with VerticalScroll(classes="form"):
                yield from self.compose_fields()
            if self.note:
                yield Static(self.note, classes="muted")
            yield Static("", id="form-summary", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.ok} (ctrl+s)", id="submit", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def compose_fields(self) -> Iterable:
        for f in self.fields:
            with Horizontal(classes="form-row"):
                yield Label(f.label, classes="form-label")
                yield Input(f.value, id=field_id(f.name), placeholder=f.help, tooltip=f.help or None)
            yield self.error_slot(f.name)

    @staticmethod
    def error_slot(name: str) -> Static:
        return Static("", classes="form-error -empty", id=field_id(name) + "-error")

    def on_mount(self) -> None:
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def values(self) -> dict[str, str]:
        return {inp.id[2:].replace("--", "."): inp.value for inp in self.query(Input) if inp.id}

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each error under its field; those naming no field in the summary line."""
        slots = {s.id: s for s in self.query(".form-error").results(Static) if s.id}
        for sid, slot in slots.items():
            why = errors.get(sid[2:-6].replace("--", "."), "")
            slot.update(why)
            slot.set_class(not why, "-empty")
        for inp in self.query(Input):
            name = (inp.id or "")[2:].replace("--", ".")
            inp.set_class(name in errors, "-invalid")
        rest = [f"{k}: {why}" for k, why in errors.items() if field_id(k) + "-error" not in slots]
        self.query_one("#form-summary", Static).update("; ".join(rest))

    def action_submit(self) -> None:
        self.query_one("#form-summary", Static).update("Working…")
        call_service(self, self.submit_fn, self.values(), done=self.dismiss, on_error=self._refused)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    def _refused(self, exc: Exception) -> bool:
        from ispterm.errors import InvalidFields, ValidationError

        if isinstance(exc, InvalidFields):
            self.show_errors({e.field: e.why for e in exc.errors})
        elif isinstance(exc, ValidationError):
            self.show_errors({exc.field: exc.why})
        else:
            self.show_errors({})
            self.query_one("#form-summary", Static).update(str(exc))
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)
