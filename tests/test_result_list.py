"""The search results widget on its own: fitting cells, cursor keys, paging, clicks."""

from __future__ import annotations

from rich.text import Text
from textual.app import App

from screens.widgets.result_list import Column, ResultList, _fit

COLUMNS = (Column("No", 4, right=True), Column("Name", share=2), Column("City", share=1),
           Column("Balance", 8, right=True))


def rows(count: int, start: int = 0):
    return [(i, (str(i), f"Name {i}", "City", "1.00")) for i in range(start, start + count)]


class Harness(App):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[object] = []
        self.near_end = 0

    def compose(self):
        yield ResultList(COLUMNS, id="results")

    def on_result_list_selected(self, event: ResultList.Selected) -> None:
        self.selected.append(event.key)

    def on_result_list_near_end(self, _event: ResultList.NearEnd) -> None:
        self.near_end += 1


def test_fit_cuts_with_an_ellipsis_and_pads_to_the_justified_side():
    assert _fit("Autodoprava Kučera", 8, False) == "Autodop…"
    assert _fit("ab", 5, True) == "   ab"
    assert _fit("ab", 5, False) == "ab   "
    assert _fit("Žluťoučký", 9, False) == "Žluťoučký"  # exactly fits: no ellipsis
    assert _fit("漢字漢字", 5, False) == "漢字…"  # double-width characters count as two cells


def test_widths_fill_the_line_and_keep_fixed_columns():
    widget = ResultList(COLUMNS)
    widths = widget.widths(60)
    assert widths[0] == 4 and widths[3] == 8
    assert sum(widths) + 2 * len(COLUMNS) == 60
    assert widths[1] > widths[2]  # name has twice the share of city


async def test_keys_move_the_cursor_and_enter_selects_through_a_subclass_binding():
    app = Harness()
    async with app.run_test(size=(60, 12)) as pilot:
        results = app.query_one(ResultList)
        results.replace(rows(30))
        results.focus()
        await pilot.pause()
        await pilot.press("down", "down")
        assert results.cursor_row == 2 and results.cursor_key == 2
        await pilot.press("pagedown")
        visible = results.scrollable_content_region.height - 1
        assert results.cursor_row == 2 + visible
        assert results.scroll_y > 0  # the cursor row was scrolled into view
        await pilot.press("end")
        assert results.cursor_row == 29
        await pilot.press("home")
        assert results.cursor_row == 0 and results.scroll_y == 0
        await pilot.press("up")
        assert results.cursor_row == 0  # clamped, not negative
        results.action_select()
        await pilot.pause()
        assert app.selected == [0]


async def test_near_end_is_posted_when_the_cursor_reaches_the_last_rows_and_extend_keeps_it():
    app = Harness()
    async with app.run_test(size=(60, 30)) as pilot:
        results = app.query_one(ResultList)
        results.replace(rows(20))
        results.focus()
        await pilot.pause()
        before = app.near_end
        await pilot.press("end")
        await pilot.pause()
        assert app.near_end > before
        results.extend(rows(20, start=20))
        await pilot.pause()
        assert results.row_count == 40 and results.cursor_row == 19  # paging does not move it
        results.replace(rows(3))
        await pilot.pause()
        assert results.row_count == 3 and results.cursor_row == 0 and results.scroll_y == 0


async def test_a_click_moves_the_cursor_and_a_click_on_the_cursor_row_selects():
    app = Harness()
    async with app.run_test(size=(60, 12)) as pilot:
        results = app.query_one(ResultList)
        results.replace(rows(5))
        await pilot.pause()
        await pilot.click(ResultList, offset=(10, 3))  # header is line 0: line 3 is row 2
        assert results.cursor_row == 2 and app.selected == []
        await pilot.click(ResultList, offset=(10, 3))
        await pilot.pause()
        assert app.selected == [2]
        await pilot.click(ResultList, offset=(10, 0))  # the header selects nothing
        await pilot.click(ResultList, offset=(10, 9))  # below the last row: nothing
        await pilot.pause()
        assert app.selected == [2] and results.cursor_row == 2


async def test_painted_lines_show_header_cells_and_styled_text_without_markup():
    app = Harness()
    async with app.run_test(size=(60, 12)) as pilot:
        results = app.query_one(ResultList)
        owing = Text("-12.00", style="bold red", justify="right")
        results.replace([(1, ("1", "[b]Not markup[/b]", "Šumperk", owing))])
        await pilot.pause()
        header = results.render_line(0).text
        line = results.render_line(1)
        assert header.split() == ["No", "Name", "City", "Balance"]
        assert "[b]Not markup[/b]" in line.text
        assert line.text.rstrip().endswith("-12.00")
        red = [seg for seg in line if seg.text.strip() == "-12.00"]
        assert red and red[0].style.color is not None and red[0].style.bold
        assert results.render_line(2).text.strip() == ""  # no row: a blank line
