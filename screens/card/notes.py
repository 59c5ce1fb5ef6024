"""The Notes tab (NOT-1..4): notes with author, local time and P/! marks, a preview, and editing.

Private notes are filtered by the service, so this tab simply shows what it is given. Flags
are letters (P private, ! alert, D deleted) so they read without colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Static

from ispterm.operators.roles import NOTE_WRITE
from screens.card.base import CardTab
from screens.widgets.render import local as local_time
from screens.widgets.tables import add_rows

if TYPE_CHECKING:
    from ispterm.context import Ctx
    from ispterm.notes.service import NoteView
    from screens.dialogs.note_editor import NoteDraft, NoteEditor

WRITE_ACTIONS = {"add", "edit", "delete", "restore"}


def first_line(text: str, width: int = 60) -> str:
    """The first line of a note for its table cell, cut with an ellipsis."""
    lines = text.strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def row_text(note: NoteView, width: int) -> str:
    return first_line(("[deleted] " if note.deleted else "") + note.text, width)


def flags(note: NoteView) -> str:
    return ("P" if note.private else "-") + ("!" if note.alert else "-") + ("D" if note.deleted else "-")


class NotesTab(CardTab):
    DEFAULT_CSS = """
    NotesTab { layout: vertical; }
    NotesTab #notes-table { height: 1fr; }
    NotesTab #notes-status { height: 1; color: $text-muted; }
    NotesTab #note-preview-box { height: auto; max-height: 8; border-top: solid $primary-darken-2; }
    NotesTab #note-preview { height: auto; }
    """

    BINDINGS = [
        Binding("a", "add", "Add", id="notes.add"),
        Binding("e", "edit", "Edit", id="notes.edit"),
        Binding("d", "delete", "Delete", id="notes.delete"),
        Binding("u", "restore", "Restore", id="notes.restore"),
        Binding("h", "toggle_deleted", "Deleted", id="notes.toggle_deleted"),
    ]

    def __init__(self, number: int, **kw: Any) -> None:
        super().__init__(number, **kw)
        self.show_deleted = False
        self.notes: list[NoteView] = []
        self.select_id: int | None = None  # the note to put the cursor on after a reload

    def compose(self) -> ComposeResult:
        table: DataTable = DataTable(id="notes-table", cursor_type="row", zebra_stripes=True)
        table.add_column("When", key="when", width=16)
        table.add_column("Author", key="author")
        table.add_column("P!D", key="flags", width=3)
        table.add_column("Text", key="text")
        yield table
        yield Label("", id="notes-status")
        with VerticalScroll(id="note-preview-box", can_focus=False):
            yield Static("", id="note-preview")

    # Loading ------------------------------------------------------------------------------

    def fetch(self, ctx: Ctx) -> list[NoteView]:
        from ispterm.notes.service import list_notes

        return list_notes(ctx, self.number, include_deleted=self.show_deleted)

    def show(self, data: list[NoteView]) -> None:
        table = self.query_one("#notes-table", DataTable)
        keep_id = self.select_id or getattr(self.current(), "id", None)
        self.select_id = None
        self.notes = list(data)
        table.clear()
        # The text gets the width the other columns leave (the preview shows it whole).
        author_width = max((len(n.author) for n in self.notes), default=6)
        width = max(20, table.size.width - 16 - author_width - 3 - 2 * 4 - 2)
        add_rows(table, ((str(note.id), (local_time(note.created_at), note.author, flags(note),
                                         row_text(note, width))) for note in self.notes))
        if keep_id is not None:
            for row, note in enumerate(self.notes):
                if note.id == keep_id:
                    table.move_cursor(row=row, animate=False)
                    break
        shown = f"{len(self.notes)} note{'s' if len(self.notes) != 1 else ''}"
        hint = "deleted shown (h hides)" if self.show_deleted else "deleted hidden (h shows)"
        self.query_one("#notes-status", Label).update(
            f"{shown} · {hint} · P private  ! alert  D deleted")
        self.update_preview()
        self.refresh_bindings()

    def current(self) -> NoteView | None:
        table = self.query_one("#notes-table", DataTable)
        if not self.notes or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.notes[row] if 0 <= row < len(self.notes) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.update_preview()

    def update_preview(self) -> None:
        from rich.text import Text

        note = self.current()
        preview = self.query_one("#note-preview", Static)
        if note is None:
            preview.update("No notes." + ("" if not self.can(NOTE_WRITE) else " Press a to add one."))
            return
        meta = [f"#{note.id} by {note.author} at {local_time(note.created_at)}"]
        if note.version > 1 and note.updated_by:
            meta.append(f"edited by {note.updated_by} at {local_time(note.updated_at)}")
        meta += [word for on, word in ((note.private, "PRIVATE"), (note.alert, "ALERT"),
                                       (note.deleted, "DELETED")) if on]
        text = Text(" · ".join(meta) + "\n", style="dim")
        text.append(note.text)
        preview.update(text)

    # Actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS:
            return self.can(NOTE_WRITE)
        return True

    def action_toggle_deleted(self) -> None:
        self.show_deleted = not self.show_deleted
        self.reload()

    def action_add(self) -> None:
        from screens.dialogs.note_editor import NoteEditor

        editor = NoteEditor(lambda draft: self._save(editor, draft))
        self.app.push_screen(editor)

    def action_edit(self) -> None:
        from screens.dialogs.note_editor import NoteEditor

        note = self.current()
        if note is None or note.deleted:
            self.notify("Select a note that is not deleted.", severity="warning")
            return
        me = self.ctx.actor
        editor = NoteEditor(lambda draft: self._save(editor, draft, note),
                            note=note, can_change_private=note.author == me.login or self.ctx.sees_all_private_notes)
        self.app.push_screen(editor)

    def _save(self, editor: NoteEditor, draft: NoteDraft, note: NoteView | None = None) -> None:
        from ispterm.notes import service as ns

        def saved(result: NoteView) -> None:
            self.select_id = result.id
            editor.saved(result)

        if note is None:
            self.call_service(ns.add_note, self.number, draft.text, private=draft.private,
                              alert=draft.alert, done=saved, on_error=editor.failed)
        else:
            self.call_service(ns.edit_note, note.id, text=draft.text, private=draft.private,
                              alert=draft.alert, expected_version=note.version,
                              done=saved, on_error=editor.failed)

    def action_delete(self) -> None:
        from screens.dialogs.confirm import ConfirmDialog

        note = self.current()
        if note is None or note.deleted:
            self.notify("Select a note that is not deleted.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                from ispterm.notes import service as ns

                self.call_service(ns.delete_note, note.id, expected_version=note.version)

        self.app.push_screen(
            ConfirmDialog("Delete note?", f"{first_line(note.text)}\n\nDeleted notes are kept; "
                          "h shows them and u restores one.", yes="Delete", danger=True), answered)

    def action_restore(self) -> None:
        from ispterm.notes import service as ns

        note = self.current()
        if note is None or not note.deleted:
            hint = "" if self.show_deleted else " (h shows deleted notes)"
            self.notify(f"Select a deleted note to restore{hint}.", severity="warning")
            return
        self.call_service(ns.restore_note, note.id)
