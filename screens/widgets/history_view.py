"""The audit trail as a filtered, paged table (HIS-1), shared by the card's History tab and the
global history screen.

Rows come a page at a time from ``ispterm.audit.service.history``: typing in the filter starts a
new first-page load, moving the cursor onto the last row fetches the next page. Both go through
``Loads``, so the answer to an older filter never lands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from screens.widgets.render import local
from screens.widgets.tables import add_rows
from screens.work import Loads

if TYPE_CHECKING:
    from ispterm.audit.service import HistoryEntry
    from ispterm.context import Ctx

PAGE = 100


def full_change(entry: HistoryEntry) -> str:
    """``old -> new`` (∅ for empty), or the action's summary with what was created."""
    if entry.field:
        text = f"{entry.old or '∅'} -> {entry.new or '∅'}"
    else:
        text = entry.summary or entry.action
        if entry.new and entry.new not in text:
            text += f": {entry.new}"
    return " ".join(text.split())


def change(entry: HistoryEntry, width: int) -> str:
    """``full_change`` cut to one cell."""
    text = full_change(entry)
    return text if len(text) <= width else text[: width - 1] + "…"


def what(entry: HistoryEntry) -> str:
    """``customer.city``; a row about a named record says which: ``invoice 202600042 · status``."""
    if entry.about:
        return f"{entry.about} · {entry.field or entry.action}"
    return f"{entry.entity}.{entry.field}" if entry.field else f"{entry.entity} {entry.action}"


def fetch_page(ctx: Ctx, number: int | None, text: str, offset: int) -> tuple[list[HistoryEntry], bool]:
    """One page and whether another follows (asks for one row more than it shows)."""
    from ispterm.audit.service import history

    rows = history(ctx, number, limit=PAGE + 1, offset=offset, text=text.strip() or None)
    return rows[:PAGE], len(rows) > PAGE


class HistoryTable(DataTable):
    """The entries; ``enter`` opens the entry's customer where the view allows it."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open card", id="history.open"),
        # Rows matter here, not columns: home/end go to the first/last row (end loads more).
        Binding("home", "scroll_top", "First", id="history.first", show=False),
        Binding("end", "scroll_bottom", "Last", id="history.last", show=False),
    ]

    def __init__(self, *, openable: bool, **kw: Any) -> None:
        super().__init__(**kw)
        self.openable = openable

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return self.openable
        return True


class HistoryView(Widget):
    """Filter input, table of entries, and the full text of the highlighted entry."""

    DEFAULT_CSS = """
    HistoryView { layout: vertical; height: 1fr; }
    HistoryView .history-filter { dock: top; height: 1; }
    HistoryView .history-table { height: 1fr; }
    HistoryView .history-detail { height: auto; max-height: 4; color: $text-muted; }
    """

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="history.filter"),
        Binding("escape", "leave_filter", "Results", id="history.leave_filter", show=False),
    ]

    def __init__(self, number: int | None, **kw: Any) -> None:
        super().__init__(**kw)
        self.number = number
        self.entries: list[HistoryEntry] = []
        self.more = False
        self.loading_more = False
        self.text = ""
        self.loads = Loads(self)

    def compose(self) -> ComposeResult:
        table = HistoryTable(openable=self.number is None, id="history-table",
                             classes="history-table", cursor_type="row", zebra_stripes=True)
        table.add_column("When", key="when", width=16)
        table.add_column("Who", key="who")
        if self.number is None:
            table.add_column("Cust.", key="customer")
        table.add_column("What", key="what")
        table.add_column("Old -> new", key="change")
        yield table
        # After the table in the focus chain (the table gets the keyboard first); shown on top.
        what_to_type = ("field, value, operator, action" if self.number
                        else "customer number, field, value, operator")
        yield Input(placeholder=f"/ filter: {what_to_type}…", id="history-filter",
                    classes="history-filter", compact=True)
        yield Static("", id="history-detail", classes="history-detail")

    @property
    def filter_text(self) -> str:
        """The filter as typed; a plain attribute, so worker threads may read it."""
        return self.text

    # Loading ------------------------------------------------------------------------------

    def load(self) -> None:
        """Start again from the first page of the current filter."""
        self._query(self.filter_text, 0)

    def _query(self, text: str, offset: int) -> None:
        number = self.number
        if offset == 0:
            self.loads.cancel("more")  # a next page of the old filter is of no use now
        self.loads.start("page" if offset == 0 else "more",
                         lambda ctx: fetch_page(ctx, number, text, offset),
                         lambda result: self._show(offset, *result))

    def first_page(self, text: str, rows: list[HistoryEntry], more: bool) -> None:
        """Show a first page fetched elsewhere (the card tab's loader), if still current."""
        if text == self.filter_text:
            self.loads.cancel("page")
            self.loads.cancel("more")
            self._show(0, rows, more)

    def _show(self, offset: int, rows: list[HistoryEntry], more: bool) -> None:
        table = self.query_one("#history-table", DataTable)
        if offset == 0:
            table.clear()
            self.entries = []
        elif offset != len(self.entries):
            return
        # Fit old -> new into what the other columns leave (full text in the line below).
        columns = list(table.ordered_columns)[:-1]
        used = sum(max(c.content_width, 16 if c.key.value == "when" else 0) for c in columns)
        used = max(used, sum(len(x) for x in (max((e.operator for e in rows), key=len, default=""),
                                              max((what(e) for e in rows), key=len, default=""))) + 16)
        width = max(20, table.size.width - used - 2 * (len(columns) + 1) - 2 - (7 if self.number is None else 0))

        def cells(e: HistoryEntry) -> list[Any]:
            out: list[Any] = [local(e.at), e.operator]
            if self.number is None:
                out.append(Text(str(e.customer_number or ""), justify="right"))
            return out + [what(e), change(e, width)]

        add_rows(table, ((str(e.id), cells(e)) for e in rows))
        self.entries.extend(rows)
        self.more = more
        self.loading_more = False
        self._detail()

    @on(Input.Changed, "#history-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.text = event.value
        self.load()

    @on(Input.Submitted, "#history-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#history-table", DataTable).focus()

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()
        if self.more and not self.loading_more and event.cursor_row >= len(self.entries) - 1:
            self.loading_more = True
            self._query(self.filter_text, len(self.entries))

    # Reading ------------------------------------------------------------------------------

    def current(self) -> HistoryEntry | None:
        table = self.query_one("#history-table", DataTable)
        row = table.cursor_row
        return self.entries[row] if self.entries and 0 <= row < len(self.entries) else None

    def _detail(self) -> None:
        detail = self.query_one("#history-detail", Static)
        entry = self.current()
        count = len(self.entries)
        shown = f"{count}{'+' if self.more else ''} entr{'y' if count == 1 and not self.more else 'ies'}"
        if self.filter_text.strip():
            shown += f" matching {self.filter_text.strip()!r}"
        if entry is None:
            detail.update(Text(f"{shown}." if self.entries or not self.filter_text.strip()
                               else f"Nothing matches {self.filter_text.strip()!r}."))
            return
        where = f" · customer {entry.customer_number}" if entry.customer_number and self.number is None else ""
        detail.update(Text(f"{shown}{where} · {local(entry.at, seconds=True)} {entry.operator}: "
                           f"{what(entry)} {full_change(entry)}"))

    def action_focus_filter(self) -> None:
        self.query_one("#history-filter", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_filter":  # elsewhere esc means what the screen says (back)
            boxes = self.query("#history-filter")
            return bool(boxes) and boxes.first().has_focus
        return True

    def action_leave_filter(self) -> None:
        """esc in the filter returns to the rows."""
        self.query_one("#history-table", DataTable).focus()
