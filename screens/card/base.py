"""What every card tab shares: lazy data loading in a thread, and service calls off the UI thread.

A tab implements ``fetch(ctx)`` (runs in a worker thread, calls services, returns plain data)
and ``show(data)`` (runs on the UI thread, renders it). Writes go through ``call_service``,
which runs the service in a thread and turns typed errors into a notification, a conflict
dialog or an ``on_error`` callback (for inline form errors), so no tab freezes on the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.widget import Widget

from screens.work import call_service

if TYPE_CHECKING:
    from ispterm.context import Ctx


class CardTab(Widget, can_focus=False):
    """One tab of the customer card; loads when first shown, reloads on demand."""

    DEFAULT_CSS = """
    CardTab { height: 1fr; }
    """

    class Loaded(Message):
        def __init__(self, tab: CardTab, data: Any) -> None:
            self.tab = tab
            self.data = data
            super().__init__()

    class Failed(Message):
        def __init__(self, tab: CardTab, error: Exception) -> None:
            self.tab = tab
            self.error = error
            super().__init__()

    def __init__(self, number: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.number = number
        self.loaded = False

    @property
    def ctx(self) -> Ctx:
        return self.app.ctx  # type: ignore[attr-defined]

    def can(self, permission: str) -> bool:
        """Whether the operator may do this here (hides write actions; the service still checks)."""
        return self.app.can(permission)  # type: ignore[attr-defined]

    # Loading ------------------------------------------------------------------------------

    def on_show(self) -> None:
        if not self.loaded:
            self.reload()
        if self.screen.focused is None:
            # The tab was mounted (lazily) after the switch that wanted to focus it.
            focus_in = getattr(self.screen, "focus_in", None)
            if focus_in is not None:
                focus_in(self)

    def reload(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True, group=f"load-{id(self)}",
                        name=f"load {type(self).__name__}")

    def _load(self) -> None:
        from ispterm.errors import IsptermError

        ctx = self.app.wait_ctx()  # type: ignore[attr-defined]
        try:
            data = self.fetch(ctx)
        except IsptermError as exc:
            self.post_message(self.Failed(self, exc))
            return
        self.post_message(self.Loaded(self, data))

    def on_card_tab_loaded(self, message: CardTab.Loaded) -> None:
        if message.tab is not self:
            return
        message.stop()
        self.loaded = True
        self.show(message.data)

    def on_card_tab_failed(self, message: CardTab.Failed) -> None:
        if message.tab is not self:
            return
        message.stop()
        self.notify(str(message.error), title="Could not load", severity="error")

    def fetch(self, ctx: Ctx) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def show(self, data: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # Writing ------------------------------------------------------------------------------

    def call_service(self, fn: Callable[..., Any], *args: Any,
                     done: Callable[[Any], None] | None = None,
                     on_error: Callable[[Exception], bool] | None = None,
                     reload: bool = True, **kwargs: Any) -> None:
        """Run ``fn(ctx, *args, **kwargs)`` in a thread; then ``done(result)`` and reload the card."""

        def finished(result: Any) -> None:
            if done is not None:
                done(result)
            if reload:
                self.screen.refresh_card()  # type: ignore[attr-defined]

        call_service(self, fn, *args, done=finished, on_error=on_error, **kwargs)
