"""The customer list: search as you type over the whole database, a page at a time.

Every keystroke starts a search worker (exclusive: a newer one supersedes it) that asks the
indexed search service for one page; results for a query that is no longer typed are dropped.
Scrolling to the last row fetches the next page, so no more rows than the operator has seen
are ever loaded into the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import get_current_worker

from screens.messages import Booted, SearchResults
from screens.widgets import render
from screens.widgets.result_list import Column, ResultList

if TYPE_CHECKING:
    from ispterm.customers.card import CustomerRow

MIN_PAGE = 20
COLUMNS = (
    Column("Number", 6, right=True),
    Column("Name", share=2, minimum=12),
    Column("City", share=1, minimum=8),
    Column("Status", 12),
    Column("Marks", 8),
    Column("Balance", 11, right=True),
)


class CustomerResults(ResultList):
    BINDINGS = [Binding("enter", "select", "Open card", id="list.open")]


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
        yield CustomerResults(COLUMNS, id="customers")
        yield Static("Opening the database…", id="list-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.search("")

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
        results = self.query_one(ResultList)
        if message.offset != 0 and message.offset != self.loaded_rows:
            return
        with self.app.batch_update():  # one repaint for the rows and the status line
            rows = [(row.number, self._cells(row)) for row in message.rows]
            if message.offset == 0:
                results.replace(rows)
                self.loaded_rows = 0
            else:
                results.extend(rows)
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
        # Strings and Text are painted as they are (a name with "[...]" is never read as markup).
        return (
            str(row.number),
            row.name,
            row.city or "",
            row.status or "",
            render.marks((m.name, m.color) for m in row.marks),
            render.money(row.balance),
        )

    @on(ResultList.NearEnd, "#customers")
    def _near_end(self, _event: ResultList.NearEnd) -> None:
        if self.more and not self.loading_more:
            self.loading_more = True
            self.search(self.query_text, self.loaded_rows)

    # Actions ------------------------------------------------------------------------------

    def open_selected(self) -> None:
        key = self.query_one(ResultList).cursor_key
        if key is not None:
            self.app.open_card(int(key))  # type: ignore[attr-defined]

    @on(ResultList.Selected, "#customers")
    def _selected(self, event: ResultList.Selected) -> None:
        self.app.open_card(int(event.key))  # type: ignore[attr-defined]

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_to_table(self) -> None:
        self.query_one(ResultList).focus()

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
