"""Alert notes (NOT-3): shown as a modal as soon as the card is opened."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from screens.dialogs.modal import Dialog
from screens.widgets.render import local


class AlertDialog(Dialog[None]):
    BINDINGS = [Binding("escape,enter", "close", "Close", id="alert.close")]

    def __init__(self, number: int, notes: list[Any]) -> None:
        super().__init__()
        self.number = number
        self.notes = notes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="alert-dialog"):
            yield Label(f"! Alert for customer {self.number}", classes="dialog-title")
            with VerticalScroll(classes="form"):
                for note in self.notes:
                    yield Static(f"{local(note.created_at)}  {note.author}", classes="muted")
                    yield Static(note.text, classes="dialog-body alert-text")
            yield Button("OK (enter)", id="ok", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
