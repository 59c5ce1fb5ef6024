"""The app's work model: service calls off the UI thread, results and errors back on it.

Two kinds of work, one place each:

- **Loads** (``Loads.start``) read what a widget shows. Each widget has named loads ("tab",
  "card", "search", ...); starting a load supersedes the running one of the same name: only
  the newest answer is shown, and only while its widget is still on a screen, whatever order
  the threads finish in (a thread cannot be cancelled, so an older answer may come last; it is
  dropped, never shown over a newer one). A load that takes longer than ``BUSY_AFTER`` tells
  its widget (``show_busy``) so the operator sees that something is coming; a load that fails
  tells it too (``show_failure``), else a notification says what could not be loaded.
- **Calls** (``call_service``) change something. Typed service errors become what an
  operator can act on: a stale-version ``Conflict`` opens the conflict dialog (who changed it,
  reload?), anything else a one-line notification, unless the caller's ``on_error`` handles
  it (forms show field errors inline).

Both take the services' ``Ctx`` in the worker thread (``wait_ctx`` waits for the boot).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.timer import Timer

BUSY_AFTER = 0.2  # seconds before a load is shown as under way (no flicker for quick ones)


class Loads:
    """The loads of one widget (see the module docstring)."""

    def __init__(self, node: DOMNode) -> None:
        self.node = node
        self.generation: dict[str, int] = {}
        self.running: set[str] = set()
        self.dropped = 0  # answers that came too late to be shown (tests read it)
        self._busy_timer: Timer | None = None
        self._busy_shown = False

    def start(self, key: str, fetch: Callable[[Any], Any], show: Callable[[Any], None], *,
              failed: Callable[[Exception], None] | None = None) -> int:
        """Run ``fetch(ctx)`` in a thread, then ``show(result)`` on the UI thread if this is
        still the newest load of ``key``; returns its generation."""
        node = self.node
        app = node.app
        generation = self.generation.get(key, 0) + 1
        self.generation[key] = generation
        self.running.add(key)
        self._busy_soon()

        def work() -> None:
            from ispterm.errors import IsptermError

            try:
                ctx = app.wait_ctx()  # type: ignore[attr-defined]
                result = fetch(ctx)
            except IsptermError as exc:
                node.call_later(self._finish, key, generation, exc, failed, True)
                return
            node.call_later(self._finish, key, generation, result, show, False)

        node.run_worker(work, thread=True, group=f"load-{key}", name=f"load {key}")
        return generation

    def is_current(self, key: str, generation: int) -> bool:
        return self.generation.get(key) == generation

    def pending(self, key: str) -> bool:
        """Whether a load of ``key`` is under way whose answer will still be shown."""
        return key in self.running

    def cancel(self, key: str) -> None:
        """Drop the answer of the running load of ``key`` (a newer request made it moot)."""
        self.generation[key] = self.generation.get(key, 0) + 1
        self.running.discard(key)
        self._busy_update()

    def _finish(self, key: str, generation: int, result: Any,
                then: Callable[[Any], None] | None, error: bool) -> None:
        if generation != self.generation.get(key) or not self.node.is_attached:
            self.dropped += 1
            return
        self.running.discard(key)
        self._busy_update()
        if error:
            if then is not None:
                then(result)
                return
            show_failure = getattr(self.node, "show_failure", None)
            if show_failure is not None:
                show_failure(result)
            else:
                from screens.widgets.labels import error_text

                self.node.notify(error_text(result), title="Could not load", severity="error", timeout=8)
            return
        assert then is not None
        then(result)

    # Progress ---------------------------------------------------------------------------

    def _busy_soon(self) -> None:
        if self._busy_timer is None and not self._busy_shown:
            self._busy_timer = self.node.set_timer(BUSY_AFTER, self._busy_update)

    def _busy_update(self) -> None:
        busy = bool(self.running)
        if not busy and self._busy_timer is not None:
            self._busy_timer.stop()
        self._busy_timer = None
        if busy != self._busy_shown:
            self._busy_shown = busy
            show_busy = getattr(self.node, "show_busy", None)
            if show_busy is not None and self.node.is_attached:
                show_busy(busy)


def call_service(node: DOMNode, fn: Callable[..., Any], *args: Any,
                 done: Callable[[Any], None] | None = None,
                 on_error: Callable[[Exception], bool] | None = None,
                 hold_keys: bool = False, **kwargs: Any) -> None:
    """Run ``fn(ctx, *args, **kwargs)`` off the UI thread on behalf of ``node``.

    ``hold_keys``: the call opens what the operator types into next (a form that needs its
    fields first), so keys typed meanwhile wait for it instead of acting on this screen."""
    app = node.app
    held = app.hold_keys() if hold_keys else None  # type: ignore[attr-defined]

    def release() -> None:
        if held is not None:
            app.release_keys(held)  # type: ignore[attr-defined]

    def finished(result: Any) -> None:
        try:
            if done is not None:
                done(result)
        finally:
            release()

    def refused(exc: Exception) -> None:
        try:
            report_error(node, exc, on_error)
        finally:
            release()

    def work() -> None:
        from ispterm.errors import IsptermError

        try:
            ctx = app.wait_ctx()  # type: ignore[attr-defined]
            result = fn(ctx, *args, **kwargs)
        except IsptermError as exc:
            app.call_from_thread(refused, exc)
            return
        app.call_from_thread(finished, result)

    node.run_worker(work, thread=True, group="service", name=getattr(fn, "__name__", "service"))


def report_error(node: DOMNode, exc: Exception,
                 on_error: Callable[[Exception], bool] | None = None) -> None:
    from ispterm.errors import Conflict

    if on_error is not None and on_error(exc):
        return
    if isinstance(exc, Conflict):
        from screens.dialogs.conflict import ConflictDialog

        def reload(answer: bool | None) -> None:
            refresh = getattr(node.screen, "refresh_card", None)
            if answer and refresh is not None:
                refresh()

        node.app.push_screen(ConflictDialog(exc), reload)
        return
    from screens.widgets.labels import error_text

    node.notify(error_text(exc), title=_title(exc), severity="error", timeout=8)


def _title(exc: Exception) -> str:
    from ispterm.errors import NotFound, PermissionDenied, ValidationError

    if isinstance(exc, PermissionDenied):
        return "Not allowed"
    if isinstance(exc, ValidationError):
        return "Invalid value"
    if isinstance(exc, NotFound):
        return "Not found"
    return "Error"
