"""The mail queue (MSG-3): every queued, sent and failed e-mail and SMS, a page at a time.

The filter row picks a status; the table shows one page from the service (newest first);
the panel under it shows the highlighted message in full with its last error and the
server's reply. ``r`` queues a failed or cancelled message again, ``x`` cancels a queued one
after a confirmation. The sender's events refresh the page while it is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Select, Static

from screens.messages import Booted
from screens.widgets.footer import KeyFooter
from screens.work import Loads, call_service

if TYPE_CHECKING:
    from ispterm.messaging.service import QueueItem

PAGE = 50
FILTERS = ("all", "queued", "sending", "sent", "failed", "cancelled")
STATUS_STYLE = {"queued": "yellow", "sending": "cyan", "sent": "green", "failed": "bold red",
                "cancelled": "dim"}


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def describe(item: QueueItem) -> Text:
    """The highlighted message in full: who, what, when, the last error and the server's reply."""
    from ispterm.messaging.compose import human_size
    from screens.widgets.render import local

    t = Text()
    t.append(f"#{item.id} {item.kind} ", style="bold")
    t.append_text(status_text(item.status))
    t.append(f"  priority {item.priority}  attempts {item.attempts}\n")
    t.append(f"to {item.to}" + (f"  from {item.sender}" if item.sender else "") + "\n")
    if item.subject:
        t.append(f"subject {item.subject}\n")
    t.append(f"queued {local(item.created_at)} by {item.created_by or 'system'}")
    if item.customer:
        t.append(f"  customer {item.customer}")
    t.append("\n")
    if item.status == "sent" and item.sent_at:
        t.append(f"sent {local(item.sent_at)}\n")
    elif item.status in ("queued", "sending"):
        t.append(f"next attempt {local(item.next_attempt_at)}\n")
    if item.attachments:
        t.append("attachments " + ", ".join(f"{n} ({human_size(s)})" for n, s in item.attachments) + "\n")
    if item.error:
        t.append("last error: ", style="bold red")
        t.append(item.error + "\n")
    if item.reply and item.reply != item.error:
        t.append("server reply: ", style="bold")
        t.append(item.reply + "\n")
    t.append(f"Message-ID {item.message_id}", style="dim")
    return t


class QueueTable(DataTable):
    BINDINGS = [
        Binding("r", "retry", "Retry", id="queue.retry"),
        Binding("x", "cancel_message", "Cancel message", id="queue.cancel"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry", "cancel_message"):
            from ispterm.operators.roles import COMM_WRITE

            if not self.app.can(COMM_WRITE):  # type: ignore[attr-defined]
                return False
            return True if self.row_count else None
        return True

    def action_retry(self) -> None:
        self.screen.retry_selected()  # type: ignore[attr-defined]

    def action_cancel_message(self) -> None:
        self.screen.cancel_selected()  # type: ignore[attr-defined]


class MailQueueScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="queue.back"),
        Binding("f", "filter", "Filter", id="queue.filter"),
        Binding("greater_than_sign,ctrl+n", "page(1)", "Next page", id="queue.next"),
        Binding("less_than_sign,ctrl+b", "page(-1)", "Prev page", id="queue.prev"),
        Binding("ctrl+r", "reload", "Reload", id="queue.reload"),
    ]

    def __init__(self, number: int | None = None) -> None:
        super().__init__()
        self.number = number  # one customer's messages only
        self.status: str | None = None
        self.page = 0
        self.items: list[QueueItem] = []
        self.more = False
        self.loads = Loads(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Select([(f, f) for f in FILTERS], value="all", allow_blank=False, id="queue-filter",
                     prompt="Status")
        yield QueueTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static("", id="queue-detail", classes="queue-detail")
        yield Static("Loading…", id="queue-status", classes="muted")
        yield KeyFooter()

    def heading(self) -> str:
        return "Mail queue" + (f" of customer {self.number}" if self.number else "")

    def on_mount(self) -> None:
        self.title = self.heading()
        table = self.query_one(QueueTable)
        for label, key, width in (("#", "id", 6), ("Kind", "kind", 5), ("Status", "status", 9),
                                  ("Pri", "priority", 6), ("Try", "attempts", 3), ("Cust", "customer", 6),
                                  ("To", "to", 24), ("Subject / text", "subject", 30)):
            table.add_column(label, key=key, width=width)
        table.focus()
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.load()

    def on_booted(self, _message: Booted) -> None:
        self.load()

    # Data ---------------------------------------------------------------------------------

    def load(self) -> None:
        status, page, fetch_page = self.status, self.page, self.fetch_page

        def fetch(ctx):
            from ispterm.messaging.service import queue_counts

            # One row more than a page tells whether there is a next page.
            return fetch_page(ctx, status=status, limit=PAGE + 1, offset=page * PAGE), queue_counts(ctx)

        self.loads.start("page", fetch, self.show)

    def fetch_page(self, ctx: Any, *, status: str | None, limit: int, offset: int) -> list[QueueItem]:
        from ispterm.messaging.service import list_queue

        return list_queue(ctx, status=status, number=self.number, limit=limit, offset=offset)

    def show(self, result: tuple[list[QueueItem], dict[str, int]]) -> None:
        if not self.is_attached:
            return
        items, counts = result
        self.more = len(items) > PAGE
        self.items = items[:PAGE]
        table = self.query_one(QueueTable)
        keep = table.cursor_row
        table.clear()
        for it in self.items:
            text = it.subject or ""
            table.add_row(str(it.id), it.kind, status_text(it.status), it.priority, str(it.attempts),
                          str(it.customer or ""), it.to, text, key=str(it.id))
        if self.items:
            table.move_cursor(row=min(keep, len(self.items) - 1))
        first = self.page * PAGE
        shown = f"{first + 1}-{first + len(self.items)}" if self.items else "none"
        whole = f"queue: {counts['queued']} queued, {counts['sending']} sending, {counts['failed']} failed"
        self.query_one("#queue-status", Static).update(
            f"{self.status or 'all'} {shown}" + (" · > next page" if self.more else "")
            + (" · < previous page" if self.page else "") + f" · {whole}")
        self._detail()
        self.refresh_bindings()

    def selected(self) -> QueueItem | None:
        table = self.query_one(QueueTable)
        if not self.items or table.cursor_row < 0 or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        item = self.selected()
        self.query_one("#queue-detail", Static).update(describe(item) if item else "No messages.")

    def mail_changed(self, _event: Any) -> None:
        """The App's sender finished a message: show its new state."""
        if self.is_attached:
            self.load()

    # Actions ------------------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "queue-filter":
            return
        value = str(event.value)
        self.status = None if value == "all" else value
        self.page = 0
        self.load()

    def action_filter(self) -> None:
        self.query_one("#queue-filter", Select).focus()

    def action_page(self, delta: int) -> None:
        if (delta > 0 and not self.more) or (delta < 0 and not self.page):
            return
        self.page += delta
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.open_list()  # type: ignore[attr-defined]

    def retry_selected(self) -> None:
        from ispterm.messaging.service import retry

        item = self.selected()
        if item is not None:
            call_service(self, retry, item.id, done=lambda r: self._changed(f"Message {r.id} queued again"))

    def cancel_selected(self) -> None:
        from screens.dialogs.confirm import ConfirmDialog

        item = self.selected()
        if item is None:
            return

        def answered(yes: bool | None) -> None:
            from ispterm.messaging.service import cancel

            if yes:
                call_service(self, cancel, item.id, done=lambda r: self._changed(f"Message {r.id} cancelled"))

        self.app.push_screen(ConfirmDialog("Cancel message", f"Cancel message #{item.id} to {item.to}? "
                                           "It will not be sent.", yes="Cancel it", danger=True), answered)

    def _changed(self, text: str) -> None:
        self.notify(text)
        self.load()
