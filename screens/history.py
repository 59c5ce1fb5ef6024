"""The global history screen (HIS-1): every customer's changes in one filtered, paged trail.

``enter`` on a row opens that customer's card; ``esc`` goes back to where the operator was.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header

from screens.widgets.footer import KeyFooter
from screens.widgets.history_view import HistoryView


class GlobalHistoryScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="global_history.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield HistoryView(None, id="global-history")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "History of all customers"
        self.query_one("#history-table", DataTable).focus()
        self.query_one(HistoryView).load()

    @on(DataTable.RowSelected, "#history-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        entry = self.query_one(HistoryView).current()
        if entry is None or entry.customer_number is None:
            self.notify("This entry is not about a customer.", severity="warning")
            return
        self.app.open_card(entry.customer_number)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        self.dismiss()
