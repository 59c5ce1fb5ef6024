"""Filling a DataTable so that its first frame already has the right column widths.

DataTable widens auto-width columns on its next idle, but a frame drawn in between (a lazily
mounted tab is painted at once) is cached with the header widths and stays squeezed
("Who" -> "tec"). Widening the columns while adding the rows avoids that frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable


def add_rows(table: DataTable, rows: Iterable[tuple[str, Sequence[Any]]]) -> None:
    """Add ``(key, cells)`` rows and widen auto-width columns to fit them now."""
    columns = list(table.ordered_columns)
    for key, cells in rows:
        table.add_row(*cells, key=key)
        for column, cell in zip(columns, cells, strict=False):
            if column.auto_width:
                width = cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))
                if width > column.content_width:
                    column.content_width = width
