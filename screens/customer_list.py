"""The customer list: search as you type over the whole database, a page at a time.

Every keystroke starts a search worker (exclusive: a newer one supersedes it) that asks the
indexed search service for one page; results for a query that is no longer typed are dropped.
Scrolling to the last row fetches the next page, so no more rows than the operator has seen
are ever loaded into the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import get_current_worker

from screens.messages import Booted, SearchResults
from screens.widgets import render

if TYPE_CHECKING:
    from ispterm.customers.card import CustomerRow

MIN_PAGE = 20
COLUMNS = (("Number", "number"), ("Name", "name"), ("City", "city"), ("Status", "status"),
           ("Marks", "marks"), ("Balance", "balance"))
FIXED = {"number": 6, "status": 12, "marks": 8, "balance": 11}


class CustomerTable(DataTable):
    BINDINGS = [
        Binding("enter", "open", "Open card", id="list.open"),
    ]

    def action_open(self) -> None:
        self.screen.open_selected()  # type: ignore[attr-defined]


class CustomerListScreen(Screen):
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="list.search"),
        Binding("escape", "clear", "Clear", id="list.clear", show=False),
        Binding("down", "to_table", "Results", id="list.down", show=False),
        Binding("H,f2", "history", "History", id="list.history"),
        Binding("S,f3", "settings", "Settings", id="list.settings"),
        Binding("I,f5", "billing_import", "Import", id="list.billing_import"),
        Binding("U,f6", "unmatched", "Unmatched", id="list.unmatched"),
        Binding("Q,f4", "mail_queue", "Mail queue", id="list.mail_queue", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.loaded_rows = 0
        self.more = False
        self.loading_more = False
        self.total: int | None = None  # customers in the database, counted once per screen

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search: number, name, e-mail, phone, address, IP, VS", id="search")
        table = CustomerTable(id="customers", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("Opening the database…", id="list-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(CustomerTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key, width=FIXED.get(key, 20))
        self._fit(self.size.width)
        self.query_one("#search", Input).focus()
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.search("")

    def on_resize(self, event) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        """Give name and city what the fixed columns leave (cell padding 2 each, scrollbar 2)."""
        table = self.query_one(CustomerTable)
        free = max(24, width - sum(FIXED.values()) - 2 * len(COLUMNS) - 2)
        city = max(8, free // 3)
        table.columns["city"].width = city
        table.columns["name"].width = free - city
        table.refresh()

    def on_booted(self, _message: Booted) -> None:
        self.search(self.query_text)

    # Searching ----------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.search(event.value)

    @on(Input.Submitted, "#search")
    def _submitted(self, _event: Input.Submitted) -> None:
        # Enter opens the highlighted result, wherever the focus is: over SSH "down, enter"
        # can arrive in one read, before the focus has moved to the table.
        self.open_selected()

    @property
    def page(self) -> int:
        """One screenful and a little: the rows typed-ahead results need, never more."""
        return max(MIN_PAGE, self.size.height + 4)

    def search(self, query: str, offset: int = 0) -> None:
        self._search(query, offset, self.page)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str, offset: int, limit: int) -> None:
        from ispterm.customers import service

        ctx = self.app.wait_ctx()  # type: ignore[attr-defined]
        if get_current_worker().is_cancelled:
            return
        if query.strip():
            rows = service.search(ctx, query, limit=limit, offset=offset)
        else:
            rows = service.list_page(ctx, limit=limit, offset=offset)
        if self.total is None and not query.strip():
            self.total = service.customer_count(ctx)
        if not get_current_worker().is_cancelled:
            self.post_message(SearchResults(query, offset, rows, self.total, limit))

    def on_search_results(self, message: SearchResults) -> None:
        if message.query != self.query_text:
            return  # the operator typed on; a newer search is on its way
        table = self.query_one(CustomerTable)
        if message.offset != 0 and message.offset != self.loaded_rows:
            return
        with self.app.batch_update():  # one repaint for the whole page, not one per row
            if message.offset == 0:
                table.clear()
                self.loaded_rows = 0
            for row in message.rows:
                table.add_row(*self._cells(row), key=str(row.number))
            self.loaded_rows += len(message.rows)
            self.more = len(message.rows) == message.limit
            self.loading_more = False
            self._status(message)

    def _status(self, message: SearchResults) -> None:
        status = self.query_one("#list-status", Static)
        shown = f"{self.loaded_rows}{'+' if self.more else ''}"
        if not message.query.strip():
            total = f" of {message.total_hint}" if message.total_hint is not None else ""
            status.update(f"{shown}{total} customers by name · type to search · enter opens", layout=False)
        elif self.loaded_rows == 0:
            status.update(f"nothing matches {message.query!r}", layout=False)
        else:
            status.update(f"{shown} matching {message.query!r} · enter opens", layout=False)

    @staticmethod
    def _cells(row: CustomerRow) -> tuple:
        # Text, never str: the table would read "[...]" in a name as markup (and parse it).
        return (
            Text(str(row.number), justify="right"),
            Text(row.name, no_wrap=True, overflow="ellipsis"),
            Text(row.city or "", no_wrap=True, overflow="ellipsis"),
            Text(row.status or "", no_wrap=True),
            render.marks((m.name, m.color) for m in row.marks),
            render.money(row.balance),
        )

    @on(DataTable.RowHighlighted, "#customers")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.more and not self.loading_more and event.cursor_row >= self.loaded_rows - 5:
            self.loading_more = True
            self.search(self.query_text, self.loaded_rows)

    # Actions ------------------------------------------------------------------------------

    def open_selected(self) -> None:
        table = self.query_one(CustomerTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.open_card(int(key))  # type: ignore[attr-defined]

    @on(DataTable.RowSelected, "#customers")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_card(int(event.row_key.value))  # type: ignore[attr-defined]

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_to_table(self) -> None:
        self.query_one(CustomerTable).focus()

    def action_clear(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus and search.value:
            search.value = ""
        else:
            search.focus()

    def action_history(self) -> None:
        self.app.open_history()  # type: ignore[attr-defined]

    def action_settings(self) -> None:
        self.app.open_settings()  # type: ignore[attr-defined]

    def action_mail_queue(self) -> None:
        self.app.open_mail_queue()  # type: ignore[attr-defined]

    def action_billing_import(self) -> None:
        from screens.billing_import import BillingImportScreen

        self.app.push_screen(BillingImportScreen())

    def action_unmatched(self) -> None:
        from screens.unmatched import UnmatchedScreen

        self.app.push_screen(UnmatchedScreen())
