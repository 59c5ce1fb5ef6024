"""Messages that worker threads post back to the UI thread."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class Booted(Message, bubble=False):
    """The database is open and the operator known: services may be called.

    Sent to the App, which hands one to each screen; it must not bubble back up."""


class SearchResults(Message):
    def __init__(self, query: str, offset: int, rows: list[Any], total_hint: int | None = None,
                 limit: int = 0) -> None:
        self.query = query
        self.offset = offset
        self.rows = rows
        self.total_hint = total_hint
        self.limit = limit
        super().__init__()


class CardLoaded(Message):
    """The whole card read model (header, alert count) of the screen's customer."""

    def __init__(self, card: Any) -> None:
        self.card = card
        super().__init__()


class AlertsLoaded(Message):
    def __init__(self, notes: list[Any]) -> None:
        self.notes = notes
        super().__init__()
