"""What every card tab shares: its data loaded through the app's work model, and writes.

A tab implements ``fetch(ctx)`` (runs in a worker thread, calls services, returns plain data)
and ``show(data)`` (runs on the UI thread, renders it). The tab is mounted when its pane is
first activated and loads then; the card screen tells it when its pane is activated again
(``activated``) and when the customer changed (``refresh``): the visible tab reloads at once,
the others are marked stale and reload when next shown. Loads go through ``Loads``, so only
the newest answer lands, never on a tab that is gone. Writes go through ``call_service``,
which runs the service in a thread and turns typed errors into a notification, a conflict
dialog or an ``on_error`` callback (for inline form errors), so no tab freezes on the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.widget import Widget

from screens.work import Loads, call_service

if TYPE_CHECKING:
    from ispterm.context import Ctx


class CardTab(Widget, can_focus=False):
    """One tab of the customer card; loads when first shown, reloads on demand."""

    DEFAULT_CSS = """
    CardTab { height: 1fr; }
    """

    def __init__(self, number: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.number = number
        self.loaded = False  # the data shown is the answer of a finished load
        self.stale = False  # the customer changed since; reload when next shown
        self.loads = Loads(self)

    @property
    def ctx(self) -> Ctx:
        return self.app.ctx  # type: ignore[attr-defined]

    def can(self, permission: str) -> bool:
        """Whether the operator may do this here (hides write actions; the service still checks)."""
        return self.app.can(permission)  # type: ignore[attr-defined]

    # Loading ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.reload()
        tab_mounted = getattr(self.screen, "tab_mounted", None)
        if tab_mounted is not None:
            tab_mounted(self)

    def activated(self) -> None:
        """The card switched to this tab's pane."""
        if self.stale:
            self.reload()

    def reload(self) -> None:
        self.stale = False
        self.loads.start("tab", self.fetch, self._loaded)

    def _loaded(self, data: Any) -> None:
        self.loaded = True
        self.show(data)

    def show_busy(self, busy: bool) -> None:
        busy_tab = getattr(self.screen, "tab_busy", None)
        if busy_tab is not None:
            busy_tab(self, busy)

    def show_failure(self, error: Exception) -> None:
        self.stale = True  # try again when next shown (or ctrl+r)
        self.notify(f"{error}\nctrl+r tries again.", title="Could not load", severity="error",
                    timeout=8)

    def fetch(self, ctx: Ctx) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def show(self, data: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # Writing ------------------------------------------------------------------------------

    def call_service(self, fn: Callable[..., Any], *args: Any,
                     done: Callable[[Any], None] | None = None,
                     on_error: Callable[[Exception], bool] | None = None,
                     reload: bool = True, hold_keys: bool = False, **kwargs: Any) -> None:
        """Run ``fn(ctx, *args, **kwargs)`` in a thread; then ``done(result)`` and reload the card."""

        def finished(result: Any) -> None:
            if done is not None:
                done(result)
            if reload:
                self.screen.refresh_card()  # type: ignore[attr-defined]

        call_service(self, fn, *args, done=finished, on_error=on_error, hold_keys=hold_keys, **kwargs)
