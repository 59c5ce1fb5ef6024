"""The edit form: one labelled input per field, errors from the service shown under each field.

The form never validates by itself: on leaving a field it asks the service's ``validate`` and
on save it sends only the fields the operator changed, with the version it showed. The save is
refused (the dialog stays open with every error shown) until the service accepts all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.work import call_service, report_error


def input_id(name: str) -> str:
    return "f-" + name.replace(".", "--")


class EditForm(ModalScreen[bool]):
    """Dismisses True once saved; None when cancelled (or a conflict took over)."""

    BINDINGS = [
        Binding("ctrl+s,ctrl+j", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str, fields: list[Any], values: dict[str, str], *,
                 save: Callable[..., Any], validate: Callable[..., dict[str, str]] | None = None,
                 owner: Any = None) -> None:
        """``fields`` have name/label/group/help; ``save(ctx, changed)`` writes;
        ``validate(ctx, {name: text})`` returns field -> error for a quick check."""
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.original = dict(values)
        self.save_fn = save
        self.validate_fn = validate
        self.owner = owner

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="edit-form"):
            yield Label(self.form_title, classes="dialog-title")
            with VerticalScroll(classes="form"):
                group = None
                for f in self.fields:
                    if f.group != group:
                        group = f.group
                        yield Static(group.capitalize(), classes="section-title")
                    with Horizontal(classes="form-row"):
                        yield Label(f.label, classes="form-label")
                        yield Input(self.original.get(f.name, ""), id=input_id(f.name),
                                    placeholder=f.help or "", tooltip=f.help or None)
                    yield Static("", classes="form-error -empty", id=input_id(f.name) + "-error")
            yield Static("", id="form-summary", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    # Values and errors --------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one("#" + input_id(f.name), Input).value for f in self.fields}

    def changed(self) -> dict[str, str]:
        return {k: v for k, v in self.values().items() if v != self.original.get(k, "")}

    def show_errors(self, errors: dict[str, str], *, only: set[str] | None = None) -> None:
        """Show ``errors`` (field -> why); clear the others (all, or just those in ``only``)."""
        for f in self.fields:
            if only is not None and f.name not in only:
                continue
            why = errors.get(f.name, "")
            label = self.query_one("#" + input_id(f.name) + "-error", Static)
            label.update(why)
            label.set_class(not why, "-empty")
            self.query_one("#" + input_id(f.name), Input).set_class(bool(why), "-invalid")
        unknown = {k: v for k, v in errors.items() if k not in {f.name for f in self.fields}}
        summary = self.query_one("#form-summary", Static)
        if only is None:
            summary.update("; ".join(f"{k}: {v}" for k, v in unknown.items()))

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        if self.validate_fn is None or event.input.id is None:
            return
        name = event.input.id[2:].replace("--", ".")
        value = event.input.value
        if value == self.original.get(name, ""):
            self.show_errors({}, only={name})
            return
        validate = self.validate_fn

        def shown(errors: dict[str, str]) -> None:
            if self.is_attached:
                self.show_errors(errors, only={name})

        call_service(self, lambda ctx: validate(ctx, {name: value}), done=shown)

    # Saving -------------------------------------------------------------------------------

    def action_save(self) -> None:
        changed = self.changed()
        if not changed:
            self.notify("Nothing changed", severity="information")
            self.dismiss(None)
            return
        self.query_one("#form-summary", Static).update("Saving…")
        call_service(self, self.save_fn, changed, done=lambda _r: self.dismiss(True),
                     on_error=self._refused)

    def _refused(self, exc: Exception) -> bool:
        from ispterm.errors import Conflict, InvalidFields, ValidationError

        if isinstance(exc, Conflict):
            self.dismiss(None)
            if self.owner is not None:
                report_error(self.owner, exc)
                return True
            return False
        if isinstance(exc, InvalidFields):
            self.show_errors({e.field: e.why for e in exc.errors})
            return True
        if isinstance(exc, ValidationError):
            self.show_errors({exc.field: exc.why})
            return True
        self.query_one("#form-summary", Static).update(str(exc))
        return False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptDialog(ModalScreen[str]):
    """Ask for one value (a date, a customer number); None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, label: str, *, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.prompt_title = title
        self.label = label
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.prompt_title, classes="dialog-title")
            yield Label(self.label)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("enter accepts · esc cancels", classes="muted")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
