"""The customer list: search as you type over the whole database, a page at a time.

Every keystroke starts a search load (``Loads``: a newer one supersedes it, and the answer for
a query that is no longer typed is dropped) that asks the indexed search service for one page.
Scrolling to the last row fetches the next page, so no more rows than the operator has seen
are ever loaded into the table. Enter acts on the results of what is in the box at that
moment: pressed while the search for the current text is still on its way (digits and enter
pasted or read by a barcode reader in one go), it opens the first result of that search when
it lands, never a row of an older one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from screens.messages import Booted
from screens.widgets import render
from screens.widgets.footer import KeyFooter
from screens.widgets.result_list import Column, ResultList
from screens.work import Loads

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


class SearchBox(Input):
    """The search box; ``?`` opens the help here too (no customer is found by a question mark,
    and it is the first thing a new operator presses on the first screen)."""

    def on_key(self, event: events.Key) -> None:
        if event.key == "question_mark":
            event.stop()
            event.prevent_default()  # not typed
            self.app.action_keys()  # type: ignore[attr-defined]


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
        Binding("Q,f4", "mail_queue", "Mail", id="list.mail_queue"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.loaded_rows = 0
        self.more = False
        self.loading_more = False
        self.total: int | None = None  # customers in the database, counted once per screen
        self.shown_query: str | None = None  # the query whose results the table holds
        self.open_when_loaded = False  # enter came before the results of the typed text
        self.keys_held: object | None = None  # the keyboard, held while that open waits
        self.loads = Loads(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchBox(placeholder="Search: number, name, e-mail, phone, address, IP, VS", id="search")
        yield CustomerResults(COLUMNS, id="customers")
        yield Static("Opening the database…", id="list-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.search("")

    def on_screen_resume(self) -> None:
        # Back from a card: the search stays, selected, so the next number typed replaces it.
        # Handled before the keys typed after esc (they wait until this screen is ready).
        search = self.query_one("#search", Input)
        if self.focused is search and search.value:
            search.select_all()

    def on_booted(self, _message: Booted) -> None:
        self.search(self.query_text)

    # Searching ----------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._open_done()  # enter was for the text before this change
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
        limit = self.page
        count = self.total is None and not query.strip()

        def fetch(ctx: Any) -> tuple[list[CustomerRow], int | None]:
            from ispterm.customers import service

            if query.strip():
                rows = service.search(ctx, query, limit=limit, offset=offset)
            else:
                rows = service.list_page(ctx, limit=limit, offset=offset)
            return rows, service.customer_count(ctx) if count else None

        if offset == 0:
            self.loads.cancel("more")  # a page of the old results is of no use now
        self.loads.start("search" if offset == 0 else "more", fetch,
                         lambda result: self._results(query, offset, limit, *result),
                         failed=self._search_failed)

    def _search_failed(self, error: Exception) -> None:
        self._open_done()
        self.loading_more = False
        self.query_one("#list-status", Static).update(f"search failed: {error}", layout=False)

    def _results(self, query: str, offset: int, limit: int, rows: list[CustomerRow],
                 total: int | None) -> None:
        if total is not None:
            self.total = total
        if query != self.query_text or (offset != 0 and offset != self.loaded_rows):
            return  # the operator typed on; a newer search is on its way
        results = self.query_one(ResultList)
        with self.app.batch_update():  # one repaint for the rows and the status line
            cells = [(row.number, self._cells(row)) for row in rows]
            if offset == 0:
                results.replace(cells)
                self.loaded_rows = 0
                self.shown_query = query
            else:
                results.extend(cells)
            self.loaded_rows += len(rows)
            self.more = len(rows) == limit
            self.loading_more = False
            self._status(query)
        if self.open_when_loaded and offset == 0:
            self.open_when_loaded = False
            self.open_selected()
            self._open_done()

    def _open_done(self) -> None:
        self.open_when_loaded = False
        if self.keys_held is not None:
            self.app.release_keys(self.keys_held)  # type: ignore[attr-defined]
            self.keys_held = None

    def show_busy(self, busy: bool) -> None:
        if busy and self.open_when_loaded:
            self.query_one("#list-status", Static).update(
                f"searching {self.query_text!r}… enter opens the first match", layout=False)

    def _status(self, query: str) -> None:
        status = self.query_one("#list-status", Static)
        shown = f"{self.loaded_rows}{'+' if self.more else ''}"
        if not query.strip():
            total = f" of {self.total}" if self.total is not None else ""
            status.update(f"{shown}{total} customers by name · type to search · enter opens", layout=False)
        elif self.loaded_rows == 0:
            status.update(f"nothing matches {query!r}", layout=False)
        else:
            status.update(f"{shown} matching {query!r} · enter opens", layout=False)

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
        """Open the highlighted result of the text in the box; if its search has not answered
        yet, open the first result when it does."""
        if self.shown_query != self.query_text or self.loads.pending("search"):
            self.open_when_loaded = True
            if self.keys_held is None:  # what is typed next belongs to the card it opens
                self.keys_held = self.app.hold_keys()  # type: ignore[attr-defined]
            self.show_busy(True)
            return
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
