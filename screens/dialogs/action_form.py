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
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from screens.dialogs.service_form import ServiceForm, field_id, field_name
from screens.work import call_service

__all__ = ["ActionForm", "FormField", "field_id"]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: str = ""
    help: str = ""


class ActionForm(ServiceForm):
    """Dismisses with the service's result; None when cancelled."""

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
            yield from self.form_footer(self.ok)

    def compose_fields(self) -> Iterable:
        for f in self.fields:
            yield from self.field_row(f.name, f.label, f.value, f.help)

    def values(self) -> dict[str, str]:
        return {field_name(inp.id): inp.value for inp in self.query(Input) if inp.id}

    def submit(self) -> None:
        call_service(self, self.submit_fn, self.values(), done=self.saved, on_error=self.failed)
