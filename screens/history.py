"""The global history screen (HIS-1): every customer's changes in one filtered, paged trail.

``enter`` on a row opens that customer's card; ``esc`` goes back to where the operator was.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from screens.widgets.history_view import HistoryView


class GlobalHistoryScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="global_history.back"),
        Binding("enter", "open", "Open card", id="global_history.open"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield HistoryView(None, id="global-history")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History of all customers"
        self.query_one("#history-table", DataTable).focus()
        self.query_one(HistoryView).load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            entry = self.query_one(HistoryView).current()
            return entry is not None and entry.customer_number is not None
        return True

    @on(DataTable.RowSelected, "#history-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @on(DataTable.RowHighlighted, "#history-table")
    def _moved(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def action_open(self) -> None:
        entry = self.query_one(HistoryView).current()
        if entry is None or entry.customer_number is None:
            self.notify("This entry is not about a customer.", severity="warning")
            return
        self.app.open_card(entry.customer_number)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        self.dismiss()
