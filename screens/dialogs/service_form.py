"""The one form base of the app's dialogs: collect values, let a service judge them, show why.

A form never validates by itself. ``action_save`` calls the subclass's ``submit``, which hands
the values to a service off the UI thread and answers with ``saved(result)`` (the dialog
closes with it) or ``failed(error)``: a ``ValidationError`` (or ``InvalidFields``) is shown
under the field it names, or in the summary line when the field has no slot of its own, and
the widget is marked; a stale-version ``Conflict`` closes the form and opens the conflict
dialog on its owner; anything else stays in the summary line. Until the service answers,
a second save is ignored.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from screens.dialogs.guard import DiscardGuard
from screens.dialogs.modal import Dialog
from screens.widgets.labels import error_text, field_label

SAVE_KEYS = "ctrl+s,ctrl+enter,ctrl+j"


def field_id(name: str) -> str:
    """The widget id of a service field (dots are not allowed in ids)."""
    return "f-" + name.replace(".", "--")


def field_name(widget_id: str) -> str:
    return widget_id[2:].replace("--", ".")


class ServiceForm(DiscardGuard, Dialog[Any]):
    """Dismisses with the service's result; None when cancelled or a conflict took over."""

    BINDINGS = [
        Binding(SAVE_KEYS, "save", "Save", id="form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    #: service field -> widget id, for fields whose widget is not ``#f-<field>``.
    FIELDS: dict[str, str] = {}

    def __init__(self, *, owner: Widget | None = None) -> None:
        """``owner`` is the widget the conflict dialog reloads (the tab that opened the form)."""
        super().__init__()
        self.owner = owner
        self.busy = False

    # Building -----------------------------------------------------------------------------

    @staticmethod
    def field_row(name: str, label: str, value: str = "", help: str = "") -> ComposeResult:
        """A labelled input and the slot its error is shown in."""
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            # One line per field (no border): an edit form shows a dozen fields at 80x24.
            yield Input(value, id=field_id(name), placeholder=help, tooltip=help or None, compact=True)
        yield ServiceForm.error_slot(name)

    @staticmethod
    def error_slot(name: str) -> Static:
        return Static("", classes="form-error -empty", id=field_id(name) + "-error")

    def form_footer(self, ok: str = "Save") -> ComposeResult:
        yield Static("", id="form-summary", classes="error-text")
        with Horizontal(classes="dialog-buttons"):
            yield Button(f"{ok} (ctrl+s)", id="save", variant="primary", compact=True)
            yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()
        # Subclasses fill their widgets in their own on_mount (which runs after this one).
        self.call_after_refresh(self.mark_clean)

    # Errors -------------------------------------------------------------------------------

    def _widget_for(self, name: str) -> Widget | None:
        found = self.query("#" + self.FIELDS.get(name, field_id(name)))
        return found.first() if found else None

    def show_errors(self, errors: dict[str, str], *, only: set[str] | None = None) -> None:
        """Show ``errors`` (field -> why); clear the others (all, or only the fields in ``only``)."""
        slots = {field_name(s.id[: -len("-error")]): s for s in self.query(".form-error").results(Static)
                 if s.id}
        for name, slot in slots.items():
            if only is None or name in only:
                why = errors.get(name, "")
                slot.update(why)
                slot.set_class(not why, "-empty")
        marked = set(errors) | set(self.FIELDS) | set(slots)
        for name in marked:
            if only is not None and name not in only:
                continue
            widget = self._widget_for(name)
            if widget is not None:
                widget.set_class(name in errors, "-invalid")
        if only is None:
            labels = self.labels()
            rest = [f"✗ {field_label(name, labels)}: {why}" for name, why in errors.items()
                    if name not in slots]
            self.query_one("#form-summary", Static).update("\n".join(rest))

    def labels(self) -> dict[str, str]:
        """Field -> the label its row shows (for errors named by field)."""
        found: dict[str, str] = {}
        for row in self.query(".form-row"):
            labels = row.query(Label)
            inputs = [w for w in row.query(Input) if w.id and w.id.startswith("f-")]
            if labels and inputs:
                found[field_name(inputs[0].id or "")] = str(labels.first().render()).strip()
        return found

    def _focus_first_error(self, errors: dict[str, str]) -> None:
        for name in errors:
            widget = self._widget_for(name)
            if widget is not None and widget.focusable:
                widget.focus()
                return

    # Saving -------------------------------------------------------------------------------

    def submit(self) -> None:  # pragma: no cover - every form has its own
        """Start the service call; it must answer ``saved`` or ``failed``."""
        raise NotImplementedError

    def action_save(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one("#save", Button).disabled = True
        self.query_one("#form-summary", Static).update("Saving…")
        self.submit()

    def saved(self, result: Any) -> None:
        self.dismiss(result)

    def failed(self, error: Exception) -> bool:
        """Show what the service refused (True = handled here, no notification needed)."""
        from ispterm.errors import Conflict, InvalidFields, ValidationError

        self.busy = False
        if self.is_attached:
            self.query_one("#save", Button).disabled = False
        if isinstance(error, Conflict):
            self.dismiss(None)
            if self.owner is not None:
                from screens.work import report_error

                report_error(self.owner, error)
                return True
            return False
        if isinstance(error, ValidationError):
            found = error.errors if isinstance(error, InvalidFields) else [error]
            errors = {e.field: e.why for e in found}
            self.show_errors(errors)
            self._focus_first_error(errors)
            return True
        self.show_errors({})
        self.query_one("#form-summary", Static).update(error_text(error))
        return False

    def action_cancel(self) -> None:
        self.cancel_or_ask()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last input it saves."""
        event.stop()
        inputs = list(self.query(Input))
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()
