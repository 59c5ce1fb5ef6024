"""A read-only list of result rows for search as you type, painted with Textual's Line API.

The customer list replaces its rows on every keystroke. ``DataTable`` renders each new cell
through Rich and re-measures its columns, which cost 20-45 ms per page at 80x24 and was most
of the keystroke budget. Here a row is turned into segments once per width, only the lines in
view are painted, and column widths come from the widget's width, not from the contents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = str | Text
PADDING = 1  # blank cells either side of every column, as DataTable has


@dataclass(frozen=True)
class Column:
    """``width`` fixes a column; flexible ones (width None) share what is left by ``share``."""

    label: str
    width: int | None = None
    share: int = 1
    right: bool = False
    minimum: int = 6


def _fit(text: str, width: int, right: bool) -> str:
    """Exactly ``width`` cells: cut with an ellipsis, padded on the justified side."""
    size = cell_len(text)
    if size > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    pad = " " * (width - size)
    return pad + text if right else text + pad


def _cell_segments(cell: Cell, width: int, right: bool) -> list[Segment]:
    if isinstance(cell, str):
        return [Segment(_fit(cell, width, right))]
    if not cell.spans and not cell.style:
        return [Segment(_fit(cell.plain, width, right or cell.justify == "right"))]
    # Styled text (marks in their colours, owing balances): cut and pad, keep the spans.
    text = cell.copy()
    text.truncate(width, overflow="ellipsis")
    segments = _text_segments(text)
    gap = width - text.cell_len
    if gap > 0:
        if right or cell.justify == "right":
            segments.insert(0, Segment(" " * gap))
        else:
            segments.append(Segment(" " * gap))
    return segments


def _style(style: str | Style | None) -> Style | None:
    if isinstance(style, Style):
        return style
    return Style.parse(style) if style else None


def _text_segments(text: Text) -> list[Segment]:
    """Segments of one line of Text without a Console (Text.render needs one and costs more)."""
    plain = text.plain
    base = _style(text.style)
    if not text.spans:
        return [Segment(plain, base)]
    styles = [base] * len(plain)
    for span in text.spans:
        style = _style(span.style)
        for i in range(span.start, min(span.end, len(plain))):
            styles[i] = style if styles[i] is None else styles[i] + style
    out: list[Segment] = []
    start = 0
    for i in range(1, len(plain) + 1):
        if i == len(plain) or styles[i] is not styles[start]:
            out.append(Segment(plain[start:i], styles[start]))
            start = i
    return out


class ResultList(ScrollView, can_focus=True):
    """Rows of cells under a header line, one cursor row; a click on it (or a subclass's key
    bound to ``select``) selects it."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", id="results.up", show=False),
        Binding("down", "cursor(1)", "Down", id="results.down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="results.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="results.page_down", show=False),
        Binding("home", "jump(0)", "First", id="results.first", show=False),
        Binding("end", "jump(-1)", "Last", id="results.last", show=False),
    ]
    COMPONENT_CLASSES = {"result-list--header", "result-list--even-row", "result-list--cursor"}
    DEFAULT_CSS = """
    ResultList {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .result-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        &:dark > .result-list--even-row { background: $surface-darken-1 40%; }
        & > .result-list--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .result-list--header { background: ansi_bright_blue; color: ansi_default; }
        & > .result-list--even-row { background: $surface-lighten-1 50%; }
        & > .result-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    class NearEnd(Message):
        """The cursor or the view came within a few rows of the last one: time for a next page."""

        def __init__(self, results: ResultList) -> None:
            super().__init__()
            self.results = results

        @property
        def control(self) -> ResultList:
            return self.results

    class Selected(Message):
        """The operator chose the row under the cursor (enter or a click on it)."""

        def __init__(self, results: ResultList, row: int, key: object) -> None:
            super().__init__()
            self.results = results
            self.row = row
            self.key = key

        @property
        def control(self) -> ResultList:
            return self.results

    def __init__(self, columns: Sequence[Column], *, zebra: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = tuple(columns)
        self.zebra = zebra
        self._keys: list[object] = []
        self._cells: list[tuple[Cell, ...]] = []
        self._lines: dict[int, list[Segment]] = {}  # row -> segments at _width
        self._width = -1
        self._widths: list[int] = []
        self._header: list[Segment] = []

    # Data ---------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    def cells_at(self, row: int) -> tuple[Cell, ...]:
        return self._cells[row]

    @property
    def cursor_key(self) -> object | None:
        return self._keys[self.cursor_row] if self._keys else None

    def replace(self, rows: Iterable[tuple[object, Sequence[Cell]]]) -> None:
        """New rows from the top, cursor on the first: one repaint."""
        self._keys, self._cells, self._lines = [], [], {}
        self.extend(rows)
        self.set_reactive(ResultList.cursor_row, 0)
        self.scroll_to(y=0, animate=False, immediate=True)

    def extend(self, rows: Iterable[tuple[object, Sequence[Cell]]]) -> None:
        for key, cells in rows:
            self._keys.append(key)
            self._cells.append(tuple(cells))
        self._set_virtual_size(Size(self._content_width(), len(self._keys) + 1))
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """A new row count re-lays out the whole screen only when the scrollbar comes or goes.

        Assigning ``virtual_size`` always asks for a screen layout (about 5 ms at 80x24, a
        fifth of a keystroke's budget); the rows' height is fixed, so only the scrollbar's
        visibility can change the layout.
        """
        scrollbar = size.height > self.container_size.height
        if scrollbar != self.show_vertical_scrollbar or not self.container_size:
            self.virtual_size = size
        elif size != self.virtual_size:
            self.set_reactive(ResultList.virtual_size, size)
            self._scroll_update(size)

    def clear(self) -> None:
        self.replace(())

    # Geometry -----------------------------------------------------------------------------

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def widths(self, width: int) -> list[int]:
        """Each column's text width at ``width`` cells (padding excluded)."""
        fixed = sum(c.width for c in self.columns if c.width is not None)
        free = max(0, width - fixed - 2 * PADDING * len(self.columns))
        shares = sum(c.share for c in self.columns if c.width is None) or 1
        out, given, flexible = [], 0, [c for c in self.columns if c.width is None]
        for column in self.columns:
            if column.width is not None:
                out.append(column.width)
            elif column is flexible[-1]:
                out.append(max(column.minimum, free - given))
            else:
                w = max(column.minimum, free * column.share // shares)
                given += w
                out.append(w)
        return out

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def on_resize(self, _event: events.Resize) -> None:
        self.virtual_size = Size(self._content_width(), len(self._keys) + 1)
        self._scroll_cursor_into_view()

    # Painting -----------------------------------------------------------------------------

    def _at_width(self, width: int) -> None:
        """Column widths and the header for ``width``; rows painted at another width are redone."""
        if width != self._width:
            self._width, self._widths, self._lines = width, self.widths(width), {}
            pad = " " * PADDING
            self._header = [Segment(pad + _fit(c.label, w, c.right) + pad)
                            for c, w in zip(self.columns, self._widths, strict=True)]

    def _row_segments(self, row: int) -> list[Segment]:
        segments = self._lines.get(row)
        if segments is None:
            segments = []
            pad = Segment(" " * PADDING)
            for column, w, cell in zip(self.columns, self._widths, self._cells[row], strict=False):
                segments.append(pad)
                segments.extend(_cell_segments(cell, w, column.right))
                segments.append(pad)
            self._lines[row] = segments
        return segments

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        self._at_width(width)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("result-list--header")
            return Strip(Segment.apply_style(self._header, style)).adjust_cell_length(width, style)
        row = y - 1 + round(self.scroll_y)
        if row >= len(self._keys):
            return Strip.blank(width, base)
        if row == self.cursor_row:
            style = base + self.get_component_rich_style("result-list--cursor")
        elif self.zebra and row % 2:
            style = base + self.get_component_rich_style("result-list--even-row")
        else:
            style = base
        segments = self._row_segments(row)
        return Strip(Segment.apply_style(segments, style), None).adjust_cell_length(width, style)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._keys and round(new_value) + self._visible_rows() >= len(self._keys) - 5:
            self.post_message(self.NearEnd(self))

    # Cursor -------------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._keys) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh_line(old)
        self.refresh_line(new)
        if self._keys and new >= len(self._keys) - 5:
            self.post_message(self.NearEnd(self))

    def refresh_line(self, row: int) -> None:
        y = row - round(self.scroll_y) + 1
        if 1 <= y < self.scrollable_content_region.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_cursor_into_view(self) -> None:
        top, visible = round(self.scroll_y), self._visible_rows()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.cursor_row += step

    def action_page(self, step: int) -> None:
        self.cursor_row += step * self._visible_rows()

    def action_jump(self, row: int) -> None:
        self.cursor_row = row if row >= 0 else len(self._keys) - 1

    def action_select(self) -> None:
        if self._keys:
            self.post_message(self.Selected(self, self.cursor_row, self._keys[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        row = offset.y - 1 + round(self.scroll_y)
        if row >= len(self._keys):
            return
        if row == self.cursor_row or event.chain > 1:
            self.cursor_row = row
            self.action_select()
        else:
            self.cursor_row = row
