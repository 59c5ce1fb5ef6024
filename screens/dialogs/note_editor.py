"""The note editor (NOT-1..4): text, private and alert flags; the service's errors shown inline.

The dialog is only a form. Saving hands a ``NoteDraft`` to the ``save`` callback of the tab,
which runs the service off the UI thread and answers with ``saved(result)`` (the dialog
closes with it) or ``failed(error)`` (a bad value stays in the dialog, next to the text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea

from screens.widgets.marked import MarkedCheckbox

if TYPE_CHECKING:
    from ispterm.notes.service import NoteView


@dataclass(frozen=True)
class NoteDraft:
    text: str
    private: bool
    alert: bool


class NoteEditor(ModalScreen[Any]):
    """Dismisses with the saved note, or None when cancelled (or superseded by a conflict)."""

    DEFAULT_CSS = """
    NoteEditor #note-text { height: 10; }
    NoteEditor #note-flags { height: auto; }
    NoteEditor #note-flags Checkbox { margin-right: 2; }
    NoteEditor #note-error { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+s,ctrl+enter,ctrl+j", "save", "Save", id="note_editor.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="note_editor.cancel"),
    ]

    def __init__(self, save: Callable[[NoteDraft], None], *, note: NoteView | None = None,
                 can_change_private: bool = True) -> None:
        super().__init__()
        self.save = save
        self.note = note
        self.can_change_private = can_change_private
        self.saving = False

    def compose(self) -> ComposeResult:
        note = self.note
        with Vertical(classes="dialog", id="note-editor"):
            yield Label(f"Edit note {note.id}" if note else "New note", classes="dialog-title")
            yield TextArea(note.text if note else "", id="note-text", soft_wrap=True)
            with Horizontal(id="note-flags"):
                yield MarkedCheckbox("Private: you + master admins", note.private if note else False,
                                     id="note-private", disabled=not self.can_change_private,
                                     compact=True)
                yield MarkedCheckbox("Alert: pops up on open", note.alert if note else False,
                                     id="note-alert", compact=True)
            yield Static("", id="note-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="note-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="note-cancel", compact=True)

    def on_mount(self) -> None:
        area = self.query_one("#note-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def draft(self) -> NoteDraft:
        return NoteDraft(self.query_one("#note-text", TextArea).text,
                         self.query_one("#note-private", MarkedCheckbox).value,
                         self.query_one("#note-alert", MarkedCheckbox).value)

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.query_one("#note-save", Button).disabled = True
        self.query_one("#note-error", Static).update("")
        self.save(self.draft())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "note-save":
            self.action_save()
        else:
            self.action_cancel()

    # Answers from the tab -----------------------------------------------------------------

    def saved(self, result: Any) -> None:
        self.dismiss(result)

    def failed(self, error: Exception) -> bool:
        """Show a bad value inline (True = handled); a conflict closes the form for its dialog."""
        from ispterm.errors import Conflict, ValidationError

        self.saving = False
        self.query_one("#note-save", Button).disabled = False
        if isinstance(error, ValidationError):
            self.query_one("#note-error", Static).update(f"✗ {error}")
            self.query_one("#note-text", TextArea).focus()
            return True
        if isinstance(error, Conflict):
            self.dismiss(None)
        return False
