"""Lifecycle actions of a customer (INF-9), each behind a confirmation.

The menu offers what makes sense for the customer's state and the operator's role; the
services check both again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ispterm.operators.roles import CUSTOMER_DELETE, CUSTOMER_LIFECYCLE
from screens.dialogs.modal import Dialog

if TYPE_CHECKING:
    from ispterm.customers.card import CustomerCard


def choices(card: CustomerCard, can: Callable[[str], bool]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if can(CUSTOMER_LIFECYCLE):
        out.append(("mark", "Mark for disconnection on a date…"))
        if card.disconnect_on:
            out.append(("unmark", f"Cancel the disconnection planned for {card.disconnect_on}"))
        if card.status_tag != "disconnected":
            out.append(("disconnect", "Disconnect now"))
        if card.status_tag != "connected":
            out.append(("reconnect", "Reconnect (status Connected)"))
        out.append(("former", "Back from former customers" if card.former else "Move to former customers"))
        if card.parent_number:
            out.append(("detach", f"Detach from parent account {card.parent_number}"))
        else:
            out.append(("alias", "Attach as child account (alias) of…"))
    if can(CUSTOMER_DELETE):
        out.append(("restore", "Restore the deleted customer") if card.deleted else ("delete", "Delete customer"))
    return out


class LifecycleMenu(Dialog[str]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="lifecycle.cancel")]

    def __init__(self, card: CustomerCard, can: Callable[[str], bool]) -> None:
        super().__init__()
        self.card = card
        self.options = choices(card, can)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Customer {self.card.number}: lifecycle", classes="dialog-title")
            yield OptionList(*[Option(text, id=key) for key, text in self.options], id="lifecycle-options")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


CONFIRM = {
    "unmark": ("Cancel planned disconnection", "Keep the customer connected after {when}?", False),
    "disconnect": ("Disconnect", "Disconnect customer {n} now? Their status becomes Disconnected.", True),
    "reconnect": ("Reconnect", "Reconnect customer {n}? Their status becomes Connected.", False),
    "former": ("Former customers", "{former} customer {n}?", False),
    "detach": ("Detach alias", "Detach customer {n} from parent account {parent}?", False),
    "delete": ("Delete customer", "Delete customer {n} {name}? It leaves lists and search but keeps "
                                  "its history and can be restored.", True),
    "restore": ("Restore customer", "Restore deleted customer {n}?", False),
}


def run(tab: Any, card: CustomerCard, choice: str) -> None:
    """Ask what the action needs (a date, a parent, a yes) and call the service."""
    from ispterm import validation as v
    from ispterm.customers import service
    from screens.dialogs.confirm import ConfirmDialog
    from screens.dialogs.edit_form import PromptDialog

    n, version = card.number, card.version
    calls: dict[str, Callable[[Any], Any]] = {
        "unmark": lambda ctx: service.mark_for_disconnection(ctx, n, None, expected_version=version),
        "disconnect": lambda ctx: service.disconnect(ctx, n, expected_version=version),
        "reconnect": lambda ctx: service.reconnect(ctx, n, expected_version=version),
        "former": lambda ctx: service.set_former(ctx, n, not card.former, expected_version=version),
        "detach": lambda ctx: service.attach_alias(ctx, n, None, expected_version=version),
        "delete": lambda ctx: service.delete(ctx, n, expected_version=version),
        "restore": lambda ctx: service.restore(ctx, n),
    }

    def done(_result: Any) -> None:
        tab.notify(f"Customer {n}: done")

    if choice == "mark":
        def dated(raw: str | None) -> None:
            if raw:
                tab.call_service(lambda ctx: service.mark_for_disconnection(
                    ctx, n, v.iso_date(raw, field="date"), expected_version=version), done=done)
        tab.app.push_screen(PromptDialog("Mark for disconnection", "Disconnect on (YYYY-MM-DD):",
                                         value=str(card.disconnect_on or "")), dated)
        return
    if choice == "alias":
        def parent(raw: str | None) -> None:
            if raw:
                tab.call_service(lambda ctx: service.attach_alias(
                    ctx, n, v.non_negative_int(raw, field="parent"), expected_version=version), done=done)
        tab.app.push_screen(PromptDialog("Attach as child account", "Parent customer number:"), parent)
        return
    title, text, danger = CONFIRM[choice]
    text = text.format(n=n, name=card.name, when=card.disconnect_on, parent=card.parent_number,
                       former="Bring back from former" if card.former else "Move to former")

    def answered(yes: bool | None) -> None:
        if yes:
            tab.call_service(calls[choice], done=done)

    tab.app.push_screen(ConfirmDialog(title, text, yes=title.split()[0], danger=danger), answered)
