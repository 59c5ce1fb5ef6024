"""The stale-version dialog (OPS-3): who changed the record, and an offer to reload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from screens.dialogs.modal import Dialog

if TYPE_CHECKING:
    from ispterm.errors import Conflict


class ConflictDialog(Dialog[bool]):
    """Dismisses True when the operator chooses to reload the record."""

    BINDINGS = [
        Binding("r", "answer(True)", "Reload", id="conflict.reload"),
        Binding("escape", "answer(False)", "Keep my screen", id="conflict.cancel"),
    ]

    def __init__(self, conflict: Conflict) -> None:
        super().__init__()
        self.conflict = conflict

    def compose(self) -> ComposeResult:
        when = self.conflict.when.astimezone().strftime("%Y-%m-%d %H:%M:%S") if self.conflict.when else "an unknown time"
        with Vertical(classes="dialog", id="conflict"):
            yield Label("Changed by someone else", classes="dialog-title")
            yield Static(
                f"{self.conflict.what} was changed by {self.conflict.who or 'someone'} at {when} "
                "after you opened it. Your change was NOT saved.\n\n"
                "Reload to see their change, then apply yours again.",
                classes="dialog-body",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reload (r)", id="reload", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reload", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "reload")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
