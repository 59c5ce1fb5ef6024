"""The History tab (HIS-1): this customer's audit trail, newest first, filtered and paged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult

from screens.card.base import CardTab
from screens.widgets.history_view import HistoryView, fetch_page

if TYPE_CHECKING:
    from ispterm.context import Ctx


class HistoryTab(CardTab):
    """Read-only: the trail cannot be changed, so this tab offers no write action at all."""

    def compose(self) -> ComposeResult:
        yield HistoryView(self.number, id="customer-history")

    @property
    def view(self) -> HistoryView:
        return self.query_one(HistoryView)

    def fetch(self, ctx: Ctx) -> tuple[str, list[Any], bool]:
        text = self.view.filter_text
        rows, more = fetch_page(ctx, self.number, text, 0)
        return text, rows, more

    def show(self, data: tuple[str, list[Any], bool]) -> None:
        self.view.first_page(*data)
