"""Compose an e-mail to a customer (MSG-2, MSG-5): recipients, template, body, sender, files.

Everything the dialog offers comes from ``messaging.service.compose_options`` (the card's
addresses with billing falling back to main, the system sender addresses with the operator's
last choice, templates, variables). The dialog checks nothing itself: attachments are read
by ``compose.read_attachments`` (which refuses a sixth file or an unreadable one) and the send
goes to ``send_email``; its errors are shown inline and the dialog stays open, so nothing is
queued until every part is right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from screens.dialogs.guard import DiscardGuard
from screens.dialogs.modal import Dialog
from screens.widgets.labels import error_text
from screens.widgets.marked import MarkedCheckbox
from screens.work import Loads, call_service

if TYPE_CHECKING:
    from ispterm.messaging.compose import Attachment
    from ispterm.messaging.service import ComposeOptions, Queued

SEND_KEYS = "ctrl+s,ctrl+j"
PRIORITIES = ("normal", "high", "low")
# Service fields -> the widget that shows the problem.
FIELD_WIDGET = {"to": "#mail-typed", "subject": "#mail-subject", "body": "#mail-body", "html": "#mail-body",
                "attach": "#mail-attach", "sender": "#mail-sender", "template": "#mail-template"}


def recipient_spec(option: Any) -> str:
    """How ``send_email`` names an offered address: a role, ``contact:ID`` or the address."""
    if option.role in ("main", "billing", "technical", "business"):
        return option.role
    if option.contact_id is not None:
        return f"contact:{option.contact_id}"
    return option.address


class VariableList(OptionList):
    """The template variables; enter puts the highlighted one into the body at the cursor."""

    BINDINGS = [Binding("enter", "insert", "Insert variable", id="mail.insert_variable")]

    def action_insert(self) -> None:
        if self.highlighted is not None:
            option = self.get_option_at_index(self.highlighted)
            self.screen.insert_variable(str(option.id))  # type: ignore[attr-defined]


class AttachmentList(OptionList):
    BINDINGS = [Binding("delete,backspace,x", "remove", "Remove file", id="mail.remove_attachment")]

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self.screen.remove_attachment(self.highlighted)  # type: ignore[attr-defined]


class ComposeMailDialog(DiscardGuard, Dialog[Any]):
    """Dismisses with the ``Queued`` result once the service accepted the mail; None on cancel."""

    BINDINGS = [
        Binding(SEND_KEYS, "send", "Send", id="mail.send", priority=True),
        Binding("escape", "cancel", "Cancel", id="mail.cancel"),
    ]

    def __init__(self, number: int, *, template: str | None = None, settings_pdf: bool = False,
                 contact_id: int | None = None) -> None:
        super().__init__()
        self.number = number
        self.start_template = template
        self.settings_pdf = settings_pdf
        self.contact_id = contact_id
        self.options: ComposeOptions | None = None
        self.paths: list[str] = []  # attachments the operator added, in order
        self.attachments: list[Attachment] = []
        self.fixed: list[Attachment] = []  # generated ones (the service settings PDF)
        self.loads = Loads(self)
        self.filling_start = False

    def compose(self) -> ComposeResult:
        # Laid out for 80x24 and smaller: one line per field, the body takes what is left.
        with Vertical(classes="dialog compose", id="compose-mail"):
            yield Label(f"E-mail to customer {self.number}", classes="dialog-title")
            with Horizontal(classes="compose-to"):
                yield Label("To", classes="compose-label")
                yield VerticalScroll(id="mail-recipients", classes="compose-recipients", can_focus=False)
            with Horizontal(classes="compose-line"):
                yield Label("Also to", classes="compose-label")
                yield Input(placeholder="other addresses, comma separated", id="mail-typed", compact=True)
            with Horizontal(classes="compose-line"):
                yield Label("Template", classes="compose-label")
                yield Select([], prompt="none", id="mail-template", compact=True)
                yield Select([], prompt="sender", id="mail-sender", allow_blank=True, compact=True)
                yield Select([(p, p) for p in PRIORITIES], value="normal", allow_blank=False,
                             id="mail-priority", compact=True)
            with Horizontal(classes="compose-line"):
                yield Label("Subject", classes="compose-label")
                yield Input(placeholder="subject", id="mail-subject", compact=True)
            with Horizontal(classes="compose-body"):
                yield TextArea(id="mail-body", soft_wrap=True, tab_behavior="focus", compact=True,
                               placeholder="the message (a template fills it; enter on a variable inserts it)")
                yield VariableList(id="mail-vars", classes="compose-vars", compact=True)
            with Horizontal(classes="compose-line"):
                yield MarkedCheckbox("HTML", id="mail-html", tooltip="sent with a plain-text alternative")
                yield Input(placeholder="attach: a file's path, enter adds it (at most 5)",
                            id="mail-attach", compact=True)
            yield AttachmentList(id="mail-files", classes="compose-files", compact=True)
            yield Static("", id="mail-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send (ctrl+s)", id="send", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#send", Button).disabled = True
        self._files()
        number, with_pdf = self.number, self.settings_pdf

        def fetch(ctx):
            from ispterm.messaging.compose import attachment
            from ispterm.messaging.service import compose_options

            options = compose_options(ctx, number)
            fixed = []
            if with_pdf:
                from ispterm.documents.service_settings import settings_pdf

                fixed.append(attachment(f"service-settings-{number}.pdf", settings_pdf(ctx, number)))
            return options, fixed

        self.loads.start("options", fetch, self._loaded)

    def _loaded(self, result: tuple[ComposeOptions, list[Attachment]]) -> None:
        if not self.is_attached:
            return
        self.options, self.fixed = result
        box = self.query_one("#mail-recipients", VerticalScroll)
        wanted_first = True
        for i, o in enumerate(self.options.recipients):
            on = (o.contact_id == self.contact_id) if self.contact_id is not None else (wanted_first and i == 0)
            box.mount(MarkedCheckbox(f"{o.label}: {o.address}", on, id=f"mail-rcpt-{i}"))
        if not self.options.recipients:
            box.mount(Static("The customer has no e-mail address: type one below.", classes="muted"))
        self.query_one("#mail-template", Select).set_options([(t, t) for t in self.options.templates])
        senders = self.query_one("#mail-sender", Select)
        senders.set_options([(a, a) for a in self.options.senders.addresses])
        if self.options.senders.preselected:
            senders.value = self.options.senders.preselected
        self.query_one(VariableList).add_options(
            [Option(Text.assemble((v.name, "bold"), f"  {v.description}", no_wrap=True,
                                  overflow="ellipsis"), id=v.name)
             for v in self.options.variables])
        if self.start_template and self.start_template in self.options.templates:
            self.filling_start = True  # its subject and body are not the operator's typing
            self.query_one("#mail-template", Select).value = self.start_template
        self._files()
        self.call_after_refresh(self.mark_clean)
        self.query_one("#send", Button).disabled = False
        first = self.query(MarkedCheckbox)
        (first.first() if first else self.query_one("#mail-typed", Input)).focus()

    # Template and variables ---------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "mail-template" or event.value is Select.NULL:
            return
        from ispterm.messaging.catalog import get_template

        name = str(event.value)

        def filled(t: Any) -> None:
            if not self.is_attached:
                return
            self.query_one("#mail-subject", Input).value = t.subject or ""
            html = bool(t.html)
            self.query_one("#mail-body", TextArea).text = (t.html if html else t.body) or ""
            self.query_one("#mail-html", MarkedCheckbox).value = html
            if self.filling_start:
                self.filling_start = False
                self.call_after_refresh(self.mark_clean)

        # Picking templates quickly: only the last one picked fills subject and body.
        self.loads.start("template", lambda ctx: get_template(ctx, "email", name), filled,
                         failed=self._refused)

    def insert_variable(self, name: str) -> None:
        body = self.query_one("#mail-body", TextArea)
        body.insert("{{ " + name + " }}")
        body.focus()

    # Attachments ------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "mail-attach":
            self.add_attachment(event.value)
        elif event.input.id in ("mail-typed", "mail-subject"):
            self.focus_next()

    def add_attachment(self, path: str) -> None:
        from ispterm.messaging.compose import read_attachments

        path = path.strip()
        if not path:
            return
        paths = [*self.paths, path]
        fixed = len(self.fixed)

        def read(_ctx):
            return read_attachments(paths, already=fixed)

        def added(files: list[Attachment]) -> None:
            self.paths, self.attachments = paths, files
            self.query_one("#mail-attach", Input).value = ""
            self._error("")
            self._files()

        call_service(self, read, done=added, on_error=self._refused)

    def remove_attachment(self, index: int) -> None:
        if index < len(self.fixed):
            del self.fixed[index]
        else:
            k = index - len(self.fixed)
            del self.paths[k]
            del self.attachments[k]
        self._files()

    def _files(self) -> None:
        from ispterm.messaging.compose import human_size

        files = self.query_one(AttachmentList)
        files.clear_options()
        every = [*self.fixed, *self.attachments]
        files.add_options([Option(f"{a.filename}  {human_size(a.size)}") for a in every])
        files.display = bool(every)

    # Sending ---------------------------------------------------------------------------------

    def recipients(self) -> list[str]:
        specs: list[str] = []
        if self.options is not None:
            for i, o in enumerate(self.options.recipients):
                if self.query_one(f"#mail-rcpt-{i}", MarkedCheckbox).value:
                    specs.append(recipient_spec(o))
        typed = self.query_one("#mail-typed", Input).value
        from ispterm.validation import split_mailboxes

        specs += split_mailboxes(typed)
        return specs

    def action_send(self) -> None:
        from ispterm.messaging.service import send_email

        if self.options is None:
            return
        to = self.recipients()
        if not to:
            self._error("Choose a recipient or type an address.", "to")
            return
        text = self.query_one("#mail-body", TextArea).text
        html = self.query_one("#mail-html", MarkedCheckbox).value
        sender = self.query_one("#mail-sender", Select).value
        template = self.query_one("#mail-template", Select).value
        kwargs = dict(template=None if template is Select.NULL else str(template),
                      to=to, subject=self.query_one("#mail-subject", Input).value,
                      body=None if html else text, html=text if html else None,
                      attachments=[*self.fixed, *self.attachments],
                      priority=str(self.query_one("#mail-priority", Select).value),
                      sender=None if sender is Select.NULL else str(sender), contact_id=self.contact_id)
        self._error("Queueing…")
        self.query_one("#send", Button).disabled = True
        call_service(self, send_email, self.number, done=self._sent, on_error=self._refused, **kwargs)

    def _sent(self, queued: Queued) -> None:
        self.notify(f"E-mail to {queued.to} queued (#{queued.id})", title="Mail")
        self.dismiss(queued)

    def _refused(self, exc: Exception) -> bool:
        from ispterm.errors import ValidationError

        if self.is_attached:
            self.query_one("#send", Button).disabled = self.options is None
            if isinstance(exc, ValidationError):
                self._error(error_text(exc), exc.field)
            else:
                self._error(str(exc))
        return True

    def _error(self, text: str, field: str | None = None) -> None:
        self.query_one("#mail-error", Static).update(text)
        for name, selector in FIELD_WIDGET.items():
            self.query_one(selector).set_class(name == field, "-invalid")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.cancel_or_ask()

