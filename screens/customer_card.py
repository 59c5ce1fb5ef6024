"""The customer card: a header strip and the five tabs, each built lazily when first shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.lazy import Lazy
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from screens.app import TABS
from screens.card.base import CardTab
from screens.messages import AlertsLoaded, Booted, CardLoaded
from screens.widgets import render

if TYPE_CHECKING:
    from ispterm.customers.card import CustomerCard
    from ispterm.customers.header import CardHeader

LABELS = {"information": "Information", "billing": "Billing", "notes": "Notes",
          "history": "History", "support": "Tech support"}


TAB_CLASSES = {"information": ("screens.card.information", "InformationTab"),
               "billing": ("screens.card.billing", "BillingTab"),
               "notes": ("screens.card.notes", "NotesTab"),
               "history": ("screens.card.history", "HistoryTab"),
               "support": ("screens.card.support", "SupportTab")}


def tab_widget(key: str, number: int) -> CardTab:
    """A card tab, its module imported only now: tabs never opened cost nothing at start-up."""
    import importlib

    module, name = TAB_CLASSES[key]
    return getattr(importlib.import_module(module), name)(number, id=f"tab-{key}")


class TabLoader(Static):
    """Stands in a tab pane until the pane is first shown, then becomes the real tab."""

    def __init__(self, key: str, number: int) -> None:
        super().__init__("", id=f"loader-{key}")
        self.key = key
        self.number = number

    def on_show(self) -> None:
        if self.parent is not None:
            self.parent.mount(tab_widget(self.key, self.number), after=self)
            self.remove()


def header_text(number: int, name: str, status: str | None, status_color: str | None,
                marks: Any, balance: Any, *, alerts: int = 0, former: bool = False,
                deleted: bool = False) -> Text:
    text = Text()
    text.append(f"{number} ", style="bold")
    text.append(name, style="bold")
    text.append("  [")
    text.append(status or "no status", style=status_color or "")
    text.append("]")
    if deleted:
        text.append("  DELETED", style="bold red")
    if former:
        text.append("  former customer", style="italic")
    if marks:
        text.append("  ")
        text.append_text(render.marks(marks))
    text.append("  balance ")
    text.append_text(render.money(balance, owing_word=True))
    if alerts:
        text.append(f"  ! {alerts} alert{'s' if alerts > 1 else ''}", style="bold reverse yellow")
    return text


class CustomerCardScreen(Screen):
    BINDINGS = [
        *[Binding(str(i + 1), f"tab('{t}')", LABELS[t], id=f"card.tab.{t}", show=False)
          for i, t in enumerate(TABS)],
        Binding("left_square_bracket", "step(-1)", "Prev tab", id="card.tab.prev", show=False),
        Binding("right_square_bracket", "step(1)", "Next tab", id="card.tab.next", show=False),
        Binding("escape", "back", "Back", id="card.back"),
        Binding("ctrl+r", "reload", "Reload", id="card.reload"),
        Binding("m", "compose_mail", "E-mail", id="card.mail", show=False),
        Binding("t", "compose_sms", "SMS", id="card.sms", show=False),
        Binding("g", "send_settings", "Send settings", id="card.send_settings", show=False),
        Binding("M", "mail_history", "Mail history", id="card.mail_history", show=False),
    ]

    def __init__(self, number: int, *, tab: str | None = None, header: CardHeader | None = None,
                 root: bool = False) -> None:
        super().__init__()
        self.number = number
        self.start_tab = tab or "information"
        self.quick_header = header
        self.root = root
        self.card: CustomerCard | None = None
        self.alerts_shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"{self.number}  loading…"), id="card-header")
        with TabbedContent(initial=self.start_tab, id="card-tabs"):
            for i, key in enumerate(TABS):
                with TabPane(f"{i + 1} {LABELS[key]}", id=key):
                    if key == self.start_tab:
                        yield Lazy(tab_widget(key, self.number))
                    else:
                        yield TabLoader(key, self.number)
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Customer {self.number}"
        h = self.quick_header
        if h is not None:
            self._header(header_text(h.number, h.name, h.status, h.status_color, h.marks,
                                     h.balance, former=h.former, deleted=h.deleted))
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.load_card(alerts=True)

    def on_booted(self, _message: Booted) -> None:
        self.load_card(alerts=True)

    def _header(self, text: Text) -> None:
        self.query_one("#card-header", Static).update(text)

    # Data ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="card")
    def load_card(self, alerts: bool = False) -> None:
        """The card read model for the header; with ``alerts`` (on opening only) the alert notes."""
        from ispterm.customers.service import get_card
        from ispterm.errors import IsptermError
        from ispterm.notes.service import list_notes

        ctx = self.app.wait_ctx()  # type: ignore[attr-defined]
        try:
            card = get_card(ctx, self.number)
            self.post_message(CardLoaded(card))
            if alerts and not self.alerts_shown and card.alert_count:
                self.post_message(AlertsLoaded(list_notes(ctx, self.number, alerts_only=True)))
        except IsptermError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")

    def on_card_loaded(self, message: CardLoaded) -> None:
        c = message.card
        self.card = c
        self.sub_title = c.name
        self._header(header_text(c.number, c.name, c.status, c.status_color,
                                 [(m.name, m.color) for m in c.marks], c.standing.balance,
                                 alerts=c.alert_count, former=c.former, deleted=c.deleted))

    def on_alerts_loaded(self, message: AlertsLoaded) -> None:
        if self.alerts_shown or not message.notes:
            return
        self.alerts_shown = True
        from screens.dialogs.alert import AlertDialog

        self.app.push_screen(AlertDialog(self.number, message.notes))

    def refresh_card(self) -> None:
        """After a change (or a conflict): reload the header and the visible tab; the others
        reload when next shown."""
        self.load_card()
        for tab in self.query(CardTab):
            if tab.loaded and tab.is_on_screen:
                tab.reload()
            else:
                tab.loaded = False

    # Navigation ---------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        # Let go of the old tab's focus first: TabbedContent follows the focus back to it.
        self.set_focus(None)
        self.query_one(TabbedContent).active = tab

    def action_step(self, delta: int) -> None:
        tabs = self.query_one(TabbedContent)
        index = TABS.index(tabs.active) if tabs.active in TABS else 0
        self.action_tab(TABS[(index + delta) % len(TABS)])

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # Put the keyboard inside the new tab so its own keys work at once.
        pane = event.pane
        self.call_after_refresh(self.focus_in, pane)

    def focus_in(self, pane: Any) -> None:
        """Focus the tab's first table or scroll area, not a text box: digits and [ ] must
        keep switching tabs until the operator asks for a box (with / or tab)."""
        from textual.widgets import Input, TextArea

        candidates = [w for w in pane.query("*") if w.focusable and not isinstance(w, (Input, TextArea))]
        if candidates:
            candidates[0].focus()
        elif self.focused is not None and pane not in self.focused.ancestors:
            self.set_focus(None)

    def action_back(self) -> None:
        if self.root or len(self.app.screen_stack) <= 2:
            self.app.open_list()  # type: ignore[attr-defined]
        else:
            self.app.pop_screen()

    def action_reload(self) -> None:
        self.refresh_card()

    # Mail and SMS ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("compose_mail", "compose_sms", "send_settings"):
            from ispterm.operators.roles import COMM_WRITE

            return self.app.can(COMM_WRITE)  # type: ignore[attr-defined]
        return True

    def _mail_sent(self, result: Any) -> None:
        if result:
            self.refresh_card()

    def action_compose_mail(self) -> None:
        from screens.dialogs.compose_mail import ComposeMailDialog

        self.app.push_screen(ComposeMailDialog(self.number), self._mail_sent)

    def action_send_settings(self) -> None:
        """The service settings PDF attached to the service_settings template (MSG-5)."""
        from screens.dialogs.compose_mail import ComposeMailDialog

        self.app.push_screen(ComposeMailDialog(self.number, template="service_settings", settings_pdf=True),
                             self._mail_sent)

    def action_compose_sms(self) -> None:
        from screens.dialogs.compose_sms import ComposeSmsDialog

        self.app.push_screen(ComposeSmsDialog(self.number), self._mail_sent)

    def action_mail_history(self) -> None:
        from screens.card.mail_history import MailHistoryScreen

        self.app.push_screen(MailHistoryScreen(self.number))
