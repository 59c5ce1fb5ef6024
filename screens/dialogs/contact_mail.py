"""Mail for one contact person (MSG-6, HIS-2): welcome, password reset, account statement,
a free e-mail to them, or their e-mail history. Opened with ``w`` on the contacts table."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from screens.dialogs.modal import Dialog

# (choice id, label, needs the right to send)
CHOICES = (
    ("welcome", "Welcome e-mail (new portal password)", True),
    ("password_reset", "Password reset (new portal password)", True),
    ("account_statement", "Account statement", True),
    ("compose", "Write an e-mail to this contact", True),
    ("history", "E-mail history of this contact", False),
)


class ContactMailMenu(Dialog[str]):
    """Dismisses with the chosen id; None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="contact_mail.cancel")]

    def __init__(self, contact_name: str, contact_email: str | None, *, can_send: bool) -> None:
        super().__init__()
        self.contact_name = contact_name
        self.contact_email = contact_email
        self.can_send = can_send

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Mail for {self.contact_name}", classes="dialog-title")
            if not self.contact_email:
                yield Static("This contact has no e-mail address.", classes="muted")
            options = [Option(label, id=key) for key, label, sends in CHOICES
                       if not sends or (self.can_send and self.contact_email)]
            yield OptionList(*options, id="contact-mail-choices")
            yield Static("enter chooses · esc cancels", classes="muted")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_contact_mail(tab: Any, contact: Any) -> None:
    """Show the menu for ``contact`` on the card ``tab`` and carry out the choice."""
    from ispterm.operators.roles import COMM_WRITE

    def chosen(choice: str | None) -> None:
        if choice is None:
            return
        if choice == "history":
            from screens.card.mail_history import MailHistoryScreen

            tab.app.push_screen(MailHistoryScreen(tab.number, contact_id=contact.id, contact_name=contact.name))
        elif choice == "compose":
            from screens.dialogs.compose_mail import ComposeMailDialog

            tab.app.push_screen(ComposeMailDialog(tab.number, contact_id=contact.id))
        else:
            from ispterm.messaging.notices import send_contact_mail

            tab.call_service(send_contact_mail, contact.id, choice,
                             done=lambda q: tab.notify(f"{choice.replace('_', ' ').capitalize()} to {q.to} "
                                                       f"queued (#{q.id})", title="Mail"))

    tab.app.push_screen(ContactMailMenu(contact.name, contact.email, can_send=tab.app.can(COMM_WRITE)), chosen)
