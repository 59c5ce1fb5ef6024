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
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from screens.dialogs.modal import Dialog
from screens.dialogs.service_form import ServiceForm, field_id, field_name
from screens.work import call_service


class EditForm(ServiceForm):
    """Dismisses True once saved; None when cancelled (or a conflict took over)."""

    def __init__(self, title: str, fields: list[Any], values: dict[str, str], *,
                 save: Callable[..., Any], validate: Callable[..., dict[str, str]] | None = None,
                 owner: Any = None) -> None:
        """``fields`` have name/label/group/help; ``save(ctx, changed)`` writes;
        ``validate(ctx, {name: text})`` returns field -> error for a quick check."""
        super().__init__(owner=owner)
        self.form_title = title
        self.fields = fields
        self.original = dict(values)
        self.save_fn = save
        self.validate_fn = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="edit-form"):
            yield Label(self.form_title, classes="dialog-title")
            with VerticalScroll(classes="form"):
                group = None
                for f in self.fields:
                    if f.group != group:
                        group = f.group
                        yield Static(group.capitalize(), classes="section-title")
                    yield from self.field_row(f.name, f.label, self.original.get(f.name, ""), f.help or "")
            yield from self.form_footer()

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one("#" + field_id(f.name), Input).value for f in self.fields}

    def changed(self) -> dict[str, str]:
        return {k: v for k, v in self.values().items() if v != self.original.get(k, "")}

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        if self.validate_fn is None or event.input.id is None:
            return
        name = field_name(event.input.id)
        value = event.input.value
        if value == self.original.get(name, ""):
            self.show_errors({}, only={name})
            return
        validate = self.validate_fn

        def shown(errors: dict[str, str]) -> None:
            if self.is_attached:
                self.show_errors(errors, only={name})

        call_service(self, lambda ctx: validate(ctx, {name: value}), done=shown)

    def submit(self) -> None:
        changed = self.changed()
        if not changed:
            self.notify("Nothing changed", severity="information")
            self.dismiss(None)
            return
        call_service(self, self.save_fn, changed, done=lambda _r: self.saved(True), on_error=self.failed)


class PromptDialog(Dialog[str]):
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
