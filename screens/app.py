"""The App and its one factory, ``make_app``, used by the CLI and the tests alike.

Start-up is arranged for the first frame: nothing heavy is imported at module level, the
database is opened and the operator looked up in a worker thread (``boot``), and screens that
need services wait for it (``wait_ctx``). ``ispterm open`` passes the card header it already
read with SQLAlchemy Core, so the card's first frame shows data before the ORM is loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from screens.keys import OrderedKeys
from screens.messages import Booted
from themes import TCSS, THEMES, pick_theme

if TYPE_CHECKING:
    from ispterm.config import Config
    from ispterm.context import Ctx
    from ispterm.customers.header import CardHeader

TABS = ("information", "billing", "notes", "history", "support")


class IsptermApp(OrderedKeys, App[None]):
    CSS_PATH = TCSS
    TITLE = "ispterm"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "keys", "Help", id="app.keys"),
        # The same, where the focus is in a text box (there ? and q are typed) and in dialogs.
        Binding("f10,ctrl+q", "quit", "Quit", id="app.quit_anywhere", priority=True, show=False),
        Binding("f1", "keys", "Help", id="app.help", priority=True, show=False),
        # esc closes the innermost thing first: the help panel before the screen under it.
        Binding("escape", "hide_keys", "Close help", id="app.hide_help", priority=True, show=False),
        Binding("ctrl+p", "command_palette", "Palette", id="app.palette", show=False),
    ]

    def __init__(self, url: str, login: str, *, number: int | None = None, tab: str | None = None,
                 readonly: bool = False, theme: str | None = None, config: Config | None = None,
                 header: CardHeader | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self._init_ordered_keys()
        from screens import pacing
        from screens.commands import ActionCommands, CustomerCommands

        pacing.install()

        self.COMMANDS = App.COMMANDS | {CustomerCommands, ActionCommands}
        self.url = url
        self.login = login
        self.readonly = readonly
        self.start_number = number
        self.start_tab = tab
        self.start_header = header
        self.config = config
        self.clock = clock  # None: the real clock (tests set an instant)
        self.ctx: Ctx | None = None
        self._ctx_ready = threading.Event()
        self._boot_error: Exception | None = None
        from screens.sender_worker import AppSender

        self.sender = AppSender(self)
        for t in THEMES:
            self.register_theme(t)
        self.theme = pick_theme(theme, config.ui.theme if config else None)
        if config is not None and config.keymap:
            self.set_keymap(dict(config.keymap))

    # Start-up -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.sub_title = self.login + (" (read-only)" if self.readonly else "")
        if self.start_number is not None:
            from screens.customer_card import CustomerCardScreen

            self.push_screen(CustomerCardScreen(self.start_number, tab=self.start_tab,
                                                header=self.start_header, root=True))
            # The header is already known: paint it first, then load the ORM and services
            # (their import would hold the GIL while the first frame is being drawn).
            self.call_after_refresh(self.call_after_refresh, self.start_boot)
        else:
            from screens.customer_list import CustomerListScreen

            self.push_screen(CustomerListScreen())
            self.start_boot()

    def start_boot(self) -> None:
        self.run_worker(self._boot, thread=True, name="boot", group="boot")

    def _boot(self) -> None:
        from ispterm.connect import open_ctx
        from ispterm.errors import IsptermError

        try:
            ctx = open_ctx(self.url, self.login, readonly=self.readonly, config=self.config)
            if self.clock is not None:
                from dataclasses import replace

                ctx = replace(ctx, clock=self.clock)
        except IsptermError as exc:
            self._boot_error = exc
            self._ctx_ready.set()
            from rich.text import Text

            self.call_from_thread(self.exit, None, 1, Text(f"error: {exc}"))
            return
        self.ctx = ctx
        self._ctx_ready.set()
        self.post_message(Booted())
        if self.config is not None and self.config.keymap:
            unknown = sorted(set(self.config.keymap) - binding_ids())
            if unknown:
                self.call_from_thread(
                    self.notify, f"keymap: no key binding has the id {', '.join(unknown)}; "
                    "see README for the ids", title="Config", severity="warning", timeout=10)

    def on_booted(self, _message: Booted) -> None:
        for screen in self.screen_stack:
            screen.post_message(Booted())
        self.sender.start()

    def on_mail_event(self, message: Any) -> None:
        """The sender finished a message: let the screens showing the queue refresh."""
        for screen in self.screen_stack:
            handler = getattr(screen, "mail_changed", None)
            if handler is not None:
                handler(message)

    async def on_exit_app(self, _message: Any) -> None:
        await self.sender.shutdown()

    def wait_ctx(self, timeout: float | None = 60) -> Ctx:
        """The services' context, for worker threads; blocks until the boot worker is done."""
        if not self._ctx_ready.wait(timeout):
            from ispterm.errors import StoreError

            raise StoreError("the database did not open in time")
        if self._boot_error is not None:
            raise self._boot_error
        assert self.ctx is not None
        return self.ctx

    def today(self) -> date:
        """The operator's "today" for form defaults: the services' clock, as ``Ctx.today``."""
        if self.ctx is not None:
            return self.ctx.today()
        from ispterm.store.types import utcnow

        return (self.clock or utcnow)().astimezone().date()

    def can(self, permission: str) -> bool:
        """Whether to offer a write action; before boot only when not read-only (services check)."""
        if self.readonly:
            return False
        if self.ctx is None:
            return True
        return self.ctx.can(permission)

    # Navigation ---------------------------------------------------------------------------

    def open_card(self, number: int, tab: str | None = None) -> None:
        from screens.customer_card import CustomerCardScreen

        self.push_screen(CustomerCardScreen(number, tab=tab))

    def open_list(self) -> None:
        from screens.customer_list import CustomerListScreen

        self.switch_screen(CustomerListScreen())

    def open_history(self) -> None:
        from screens.history import GlobalHistoryScreen

        self.push_screen(GlobalHistoryScreen())

    def open_mail_queue(self) -> None:
        from screens.mail_queue import MailQueueScreen

        self.push_screen(MailQueueScreen())

    def open_settings(self) -> None:
        from screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def action_keys(self) -> None:
        """Toggle the panel listing every key active where the focus is."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_hide_keys(self) -> None:
        self.action_hide_help_panel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "hide_keys":  # else esc goes on to the focused widget and the screen
            return bool(self.screen.query("HelpPanel"))
        return True


def binding_ids() -> set[str]:
    """Every binding id in the app (what a ``[keymap]`` section may name)."""
    import importlib
    import pkgutil

    import screens

    for module in pkgutil.walk_packages(screens.__path__, "screens."):
        importlib.import_module(module.name)
    ids: set[str] = set()
    seen: set[type] = set()
    stack: list[type] = [IsptermApp, *_widget_classes()]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        stack.extend(cls.__subclasses__())
        for binding in getattr(cls, "BINDINGS", []):
            if getattr(binding, "id", None):
                ids.add(binding.id)
    return ids


def _widget_classes() -> list[type]:
    from textual.screen import Screen
    from textual.widget import Widget

    return [Screen, Widget]


def check_options(*, tab: str | None = None, theme: str | None = None,
                  config: Config | None = None) -> None:
    """Refuse an unknown ``--tab``, ``--theme`` or ``ui.theme`` before anything is opened."""
    from ispterm.errors import ValidationError
    from themes import names

    if tab is not None and tab not in TABS:
        raise ValidationError("--tab", f"must be one of {', '.join(TABS)}, got {tab!r}")
    for field, value in (("--theme", theme), ("ui.theme (config)", config.ui.theme if config else None)):
        if value is not None and value not in names():
            raise ValidationError(field, f"unknown theme {value!r}; choose one of {', '.join(names())}")


def make_app(url: str, login: str, *, number: int | None = None, tab: str | None = None,
             readonly: bool = False, theme: str | None = None, config: Config | None = None,
             header: CardHeader | None = None,
             clock: Callable[[], datetime] | None = None) -> IsptermApp:
    """The one way to build the App (CLI and tests; ``clock`` stands the services at an instant)."""
    check_options(tab=tab, theme=theme, config=config)
    return IsptermApp(url, login, number=number, tab=tab, readonly=readonly, theme=theme,
                      config=config, header=header, clock=clock)


def run_app(app: IsptermApp, *, mouse: bool = True) -> int:
    """Run until quit; returns the exit status (1 when the database or operator was refused)."""
    app.run(mouse=mouse)
    return app.return_code or 0


__all__ = ["IsptermApp", "TABS", "check_options", "make_app", "run_app"]


