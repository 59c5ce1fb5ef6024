"""How values look on screen: money, marks, status, times. Never colour alone: every coloured
thing also reads right in monochrome (a sign, a word, a letter)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from rich.text import Text


def money(amount: Decimal | None, *, owing_word: bool = False) -> Text:
    """``-1 234.50`` in the error colour when owing (the minus sign carries the meaning)."""
    if amount is None:
        return Text("")
    body = f"{amount:,.2f}".replace(",", " ")
    text = Text(body, justify="right")
    if amount < 0:
        text.stylize("bold red")
        if owing_word:
            text.append(" owes", style="red")
    return text


def marks(items: Iterable[tuple[str, str | None]]) -> Text:
    """Marks by name, each in its code-list colour."""
    text = Text()
    for i, (name, color) in enumerate(items):
        if i:
            text.append(" ")
        text.append(name, style=f"bold {color}" if color else "bold")
    return text


def status(name: str | None, color: str | None = None) -> Text:
    return Text(name or "-", style=color or "")


def local(value: datetime | None, *, seconds: bool = False) -> str:
    """UTC from the database, shown in the operator's local time."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")
