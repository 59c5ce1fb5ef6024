"""The customer card: a header strip and the five tabs, each built when its pane is first shown.

The screen owns which tab is on screen: when a pane is activated it mounts that pane's tab
(the first time) or tells it so (``CardTab.activated``, which reloads it if the customer
changed meanwhile), and moves the keyboard into it only if that pane is still the active one
when the focus is applied (operators switch tabs faster than tabs load: focusing a widget in
a pane that is no longer active would make the TabbedContent switch back to it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static, TabbedContent, TabPane

from screens.app import TABS
from screens.card.base import CardTab
from screens.messages import Booted
from screens.widgets import render
from screens.widgets.footer import KeyFooter
from screens.work import Loads

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


def header_text(number: int, name: str, status: str | None, status_color: str | None,
                marks: Any, balance: Any, *, alerts: int = 0, former: bool = False,
                deleted: bool = False, release: str | None = None) -> Text:
    text = Text()
    text.append(f"{number} ", style="bold")
    text.append(name, style="bold")
    text.append("  [")
    text.append(status or "no status", style=status_color or "")
    text.append("]")
    if release:  # a non-payer who paid: the status is about to change, say so
        text.append(f" ({release})", style="italic")
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


class CardTabs(TabbedContent):
    """The card's tabs switch only when the operator switches them (keys, a click on a tab)."""

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        # Textual switches to the pane of any widget that gets the focus. A focus asked for
        # earlier and applied late (a tab mounted, a dialog closed) must not take the card
        # back to a tab the operator has left: the focus goes into the active pane instead.
        event.stop()
        event.prevent_default()  # not TabbedContent's own handler, which would switch
        if event.tab_pane.id != self.active and self.active_pane is not None:
            focus_in = getattr(self.screen, "focus_in", None)
            if focus_in is not None:
                focus_in(self.active_pane)


class CustomerCardScreen(Screen):
    # Textual's auto focus takes the first focusable widget in the DOM when nothing has the
    # focus (on resume after a dialog, say): a table of another, hidden pane, which switches
    # the card back to that pane. The card puts the focus into the active pane itself.
    AUTO_FOCUS = ""

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
        self.loads = Loads(self)
        self.busy: set[str] = set()  # what is loading: "card" and tab keys, shown in the header
        self.header = Text(f"{number}  loading…")
        self.mounted_tabs: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.header, id="card-header")
        with CardTabs(initial=self.start_tab, id="card-tabs"):
            for i, key in enumerate(TABS):
                yield TabPane(f"{i + 1} {LABELS[key]}", id=key)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = f"Customer {self.number}"
        # After the first frame: the header paints before the tab's module is imported.
        self.call_after_refresh(self.mount_tab, self.start_tab)
        h = self.quick_header
        if h is not None:
            self._header(header_text(h.number, h.name, h.status, h.status_color, h.marks,
                                     h.balance, former=h.former, deleted=h.deleted))
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.load_card(alerts=True)

    def on_booted(self, _message: Booted) -> None:
        self.load_card(alerts=True)

    def _header(self, text: Text) -> None:
        self.header = text
        shown = text.copy()
        if self.busy:
            shown.append("  ⟳ loading…", style="italic")
        self.query_one("#card-header", Static).update(shown)

    def show_busy(self, busy: bool) -> None:
        self._busy("card", busy)

    def tab_busy(self, tab: CardTab, busy: bool) -> None:
        self._busy(tab.id or "tab", busy)

    def _busy(self, what: str, busy: bool) -> None:
        if busy:
            self.busy.add(what)
        else:
            self.busy.discard(what)
        if self.is_mounted:
            self._header(self.header)

    # Data ---------------------------------------------------------------------------------

    def load_card(self, alerts: bool = False) -> None:
        """The card read model for the header; with ``alerts`` (on opening only) the alert notes."""
        number = self.number
        want_alerts = alerts and not self.alerts_shown

        def fetch(ctx: Any) -> tuple[CustomerCard, list[Any]]:
            from ispterm.customers.service import get_card
            from ispterm.notes.service import list_notes

            card = get_card(ctx, number)
            notes = list_notes(ctx, number, alerts_only=True) if want_alerts and card.alert_count else []
            return card, notes

        self.loads.start("card", fetch, self._card_loaded)

    def _card_loaded(self, result: tuple[CustomerCard, list[Any]]) -> None:
        c, alerts = result
        self.card = c
        self.sub_title = c.name
        self._header(header_text(c.number, c.name, c.status, c.status_color,
                                 [(m.name, m.color) for m in c.marks], c.standing.balance,
                                 alerts=c.alert_count, former=c.former, deleted=c.deleted,
                                 release=c.suspension_hint if c.release_due else None))
        if alerts and not self.alerts_shown:
            self.alerts_shown = True
            from screens.dialogs.alert import AlertDialog

            self.app.push_screen(AlertDialog(self.number, alerts))

    def refresh_card(self) -> None:
        """After a change (or a conflict): reload the header and the visible tab; the others
        reload when next shown."""
        self.load_card()
        active = self.query_one(TabbedContent).active
        for tab in self.query(CardTab):
            if tab.id == f"tab-{active}":
                tab.reload()
            else:
                tab.stale = True

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
        pane = event.pane
        if pane.id in self.mounted_tabs:
            tabs = pane.query(CardTab)
            if tabs:
                tabs.first().activated()
        elif pane.id in TAB_CLASSES:
            self.call_after_refresh(self.mount_tab, pane.id)
        # Put the keyboard inside the new tab so its own keys work at once.
        self.call_after_refresh(self.focus_in, pane)

    def mount_tab(self, key: str) -> None:
        """Mount the tab of pane ``key`` (once; it loads its data when mounted)."""
        if key in self.mounted_tabs or not self.is_attached:
            return
        self.mounted_tabs.add(key)
        self.query_one(f"TabPane#{key}", TabPane).mount(tab_widget(key, self.number))

    def on_screen_resume(self) -> None:
        if self.focused is None:
            tabs = self.query(TabbedContent)
            if tabs and tabs.first().active_pane is not None:
                self.call_after_refresh(self.focus_in, tabs.first().active_pane)

    def tab_mounted(self, tab: CardTab) -> None:
        """A tab mounted after its pane was activated: move the keyboard into it (if still there)."""
        pane = tab.parent
        if pane is not None and self.focused is None:
            self.call_after_refresh(self.focus_in, pane)

    def focus_in(self, pane: Any) -> None:
        """Focus the tab's first table or scroll area, not a text box: digits and [ ] must
        keep switching tabs until the operator asks for a box (with / or tab). Nothing
        happens if another pane became active meanwhile."""
        from textual.widgets import Input, TextArea

        if not pane.is_attached or self.query_one(TabbedContent).active != pane.id:
            return
        candidates = [w for w in pane.query("*") if w.focusable and not isinstance(w, (Input, TextArea))]
        if candidates:
            self.set_focus(candidates[0])  # now: Widget.focus() would apply it later
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
