"""Service calls from the UI: always in a worker thread, results and errors back on the UI thread.

Typed service errors become what an operator can act on: a stale-version ``Conflict`` opens
the conflict dialog (who changed it, reload?), anything else a one-line notification, unless
the caller's ``on_error`` handles it (forms show field errors inline).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode


def call_service(node: DOMNode, fn: Callable[..., Any], *args: Any,
                 done: Callable[[Any], None] | None = None,
                 on_error: Callable[[Exception], bool] | None = None, **kwargs: Any) -> None:
    """Run ``fn(ctx, *args, **kwargs)`` off the UI thread on behalf of ``node``."""
    app = node.app

    def work() -> None:
        from ispterm.errors import IsptermError

        ctx = app.wait_ctx()  # type: ignore[attr-defined]
        try:
            result = fn(ctx, *args, **kwargs)
        except IsptermError as exc:
            app.call_from_thread(report_error, node, exc, on_error)
            return
        if done is not None:
            app.call_from_thread(done, result)

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
    node.notify(str(exc), title=_title(exc), severity="error", timeout=8)


def _title(exc: Exception) -> str:
    from ispterm.errors import NotFound, PermissionDenied, ValidationError

    if isinstance(exc, PermissionDenied):
        return "Not allowed"
    if isinstance(exc, ValidationError):
        return "Invalid value"
    if isinstance(exc, NotFound):
        return "Not found"
    return "Error"
