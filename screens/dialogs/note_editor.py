"""The note editor (NOT-1..4): text, private and alert flags; the service's errors shown inline.

Saving hands a ``NoteDraft`` to the ``save`` callback of the tab, which runs the service off
the UI thread and answers ``saved`` or ``failed`` (see ``service_form``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, TextArea

from screens.dialogs.service_form import ServiceForm
from screens.widgets.marked import MarkedCheckbox

if TYPE_CHECKING:
    from ispterm.notes.service import NoteView


@dataclass(frozen=True)
class NoteDraft:
    text: str
    private: bool
    alert: bool


class NoteEditor(ServiceForm):
    """Dismisses with the saved note, or None when cancelled (or superseded by a conflict)."""

    DEFAULT_CSS = """
    NoteEditor #note-text { height: 10; }
    NoteEditor #note-flags { height: auto; }
    NoteEditor #note-flags Checkbox { margin-right: 2; }
    NoteEditor #form-summary { height: auto; }
    """

    FIELDS = {"text": "note-text", "private": "note-private", "alert": "note-alert"}

    def __init__(self, save: Callable[[NoteDraft], None], *, note: NoteView | None = None,
                 can_change_private: bool = True) -> None:
        super().__init__()
        self.save = save
        self.note = note
        self.can_change_private = can_change_private

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
            yield from self.form_footer()

    def on_mount(self) -> None:
        area = self.query_one("#note-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def draft(self) -> NoteDraft:
        return NoteDraft(self.query_one("#note-text", TextArea).text,
                         self.query_one("#note-private", MarkedCheckbox).value,
                         self.query_one("#note-alert", MarkedCheckbox).value)

    def submit(self) -> None:
        self.save(self.draft())
