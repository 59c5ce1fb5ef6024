"""A titled block of label/value rows, the way the card shows each group of fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text


def field_block(title: str, rows: Iterable[tuple[str, Any]], *, label_width: int = 20,
                keep_empty: bool = False) -> Group | None:
    """``None`` when nothing in the block has a value (the card hides empty groups)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=label_width, style="dim", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    shown = 0
    for label, value in rows:
        if value in (None, "") and not keep_empty:
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        grid.add_row(label, value if isinstance(value, Text) else Text(str(value)))
        shown += 1
    if not shown:
        return None
    return Group(Text(title, style="bold underline"), grid, Text(""))
