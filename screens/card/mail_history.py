"""The customer's e-mail history with delivery errors (HIS-2), for the card or one contact.

It is the queue screen narrowed to one customer's e-mail (``messaging.service.email_history``):
the same table, status filter, paging, detail panel with the server's reply, retry and cancel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from screens.mail_queue import MailQueueScreen

if TYPE_CHECKING:
    from ispterm.messaging.service import QueueItem


class MailHistoryScreen(MailQueueScreen):
    def __init__(self, number: int, *, contact_id: int | None = None, contact_name: str | None = None) -> None:
        super().__init__(number)
        self.contact_id = contact_id
        self.contact_name = contact_name

    def heading(self) -> str:
        who = f"contact {self.contact_name or self.contact_id} of " if self.contact_id is not None else ""
        return f"E-mail to {who}customer {self.number}"

    def fetch_page(self, ctx: Any, *, status: str | None, limit: int, offset: int) -> list[QueueItem]:
        from ispterm.messaging.service import email_history

        return email_history(ctx, self.number, self.contact_id, status=status, limit=limit, offset=offset)

    def action_back(self) -> None:
        self.app.pop_screen()
