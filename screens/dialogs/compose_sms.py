"""Compose an SMS about a customer (MSG-4): to their mobile, a technician or a typed number.

Under the text a live counter shows characters and parts (GSM-7 or UCS-2, and how many
separate SMS ``sms_divide_after_chars`` makes), computed by ``messaging.service.sms_count``
in an exclusive worker so typing never waits for it. ``send_sms`` checks the recipient and
the text; its errors stay inline and nothing is queued.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from screens.dialogs.guard import DiscardGuard
from screens.dialogs.modal import Dialog
from screens.widgets.labels import error_text
from screens.work import Loads, call_service

SEND_KEYS = "ctrl+s,ctrl+j"


class ComposeSmsDialog(DiscardGuard, Dialog[Any]):
    """Dismisses with the list of ``Queued`` SMS once accepted; None on cancel."""

    BINDINGS = [
        Binding(SEND_KEYS, "send", "Send", id="sms.send", priority=True),
        Binding("escape", "cancel", "Cancel", id="sms.cancel"),
    ]

    def __init__(self, number: int, *, to: str = "customer") -> None:
        super().__init__()
        self.number = number
        self.to = to
        self.loads = Loads(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compose", id="compose-sms"):
            yield Label(f"SMS about customer {self.number}", classes="dialog-title")
            with Horizontal(classes="compose-line"):
                yield Label("To", classes="compose-label")
                yield Input(self.to, id="sms-to", compact=True,
                            placeholder="customer, a technician's login or a phone number")
            with Horizontal(classes="compose-line"):
                yield Label("Template", classes="compose-label")
                yield Select([], prompt="free text", id="sms-template", compact=True)
            yield TextArea(id="sms-text", soft_wrap=True, tab_behavior="focus", classes="sms-text",
                           compact=True, placeholder="the text of the SMS")
            yield Static("0 chars, 0 SMS, GSM-7", id="sms-count", classes="muted")
            yield Static("", id="sms-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send (ctrl+s)", id="send", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        from ispterm.messaging.catalog import list_templates

        def shown(templates: list[Any]) -> None:
            if self.is_attached:
                self.query_one("#sms-template", Select).set_options([(t.name, t.name) for t in templates])

        self.loads.start("templates", lambda ctx: list_templates(ctx, "sms"), shown)
        self.query_one("#sms-text", TextArea).focus()
        self.call_after_refresh(self.mark_clean)

    # The live counter ------------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.count(event.text_area.text)

    def count(self, text: str) -> None:
        from ispterm.messaging.service import sms_count

        self.loads.start("count", lambda ctx: sms_count(ctx, text), lambda result: self._counted(text, result))

    def _counted(self, text: str, result: Any) -> None:
        if self.is_attached and self.query_one("#sms-text", TextArea).text == text:
            self.query_one("#sms-count", Static).update(result.label)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "sms-template" or event.value is Select.NULL:
            return
        from ispterm.messaging.catalog import get_template

        def filled(t: Any) -> None:
            if self.is_attached:
                self.query_one("#sms-text", TextArea).text = t.body

        name = str(event.value)
        # Picking templates quickly: only the last one picked fills the text.
        self.loads.start("template", lambda ctx: get_template(ctx, "sms", name), filled,
                         failed=self._refused)

    # Sending ---------------------------------------------------------------------------------

    def action_send(self) -> None:
        from ispterm.messaging.service import send_sms

        text = self.query_one("#sms-text", TextArea).text
        to = self.query_one("#sms-to", Input).value.strip() or "customer"
        self.query_one("#sms-error", Static).update("Queueing…")
        template = self.query_one("#sms-template", Select).value
        call_service(self, send_sms, self.number, text, to=to,
                     template=None if template is Select.NULL else str(template),
                     done=self._sent, on_error=self._refused)

    def _sent(self, queued: list[Any]) -> None:
        parts = f" in {len(queued)} messages" if len(queued) > 1 else ""
        self.notify(f"SMS to {queued[0].to} queued{parts}", title="SMS")
        self.dismiss(queued)

    def _refused(self, exc: Exception) -> bool:
        if self.is_attached:
            self.query_one("#sms-error", Static).update(error_text(exc))
            self.query_one("#sms-to", Input).set_class(getattr(exc, "field", "") == "to", "-invalid")
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.cancel_or_ask()
