"""esc on a form the operator has typed into asks before throwing the typing away.

A dialog takes a picture of its values once it has been filled in (``mark_clean``); ``esc``
closes it at once if nothing differs from that picture, else asks "Discard your changes?".
The values are read off the widgets (text boxes, text areas, ticks, selects, multi-selects),
so every dialog is covered without listing its fields.
"""

from __future__ import annotations

from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Input, Select, SelectionList, TextArea
from textual.widgets._toggle_button import ToggleButton


def snapshot(screen: ModalScreen[Any]) -> tuple[tuple[str, object], ...]:
    values: list[tuple[str, object]] = []
    for widget in screen.query("*"):
        if isinstance(widget, Input):
            value: object = widget.value
        elif isinstance(widget, TextArea):
            value = widget.text
        elif isinstance(widget, ToggleButton):
            value = widget.value
        elif isinstance(widget, Select):
            value = widget.value
        elif isinstance(widget, SelectionList):
            value = tuple(widget.selected)
        else:
            continue
        values.append((widget.id or str(id(widget)), value))
    return tuple(values)


class DiscardGuard:
    """Dialog mixin: ``mark_clean()`` once filled in; ``cancel_or_ask()`` for esc."""

    _clean: tuple[tuple[str, object], ...] | None = None

    def mark_clean(self) -> None:
        self._clean = snapshot(self)  # type: ignore[arg-type]

    def is_dirty(self) -> bool:
        return self._clean is not None and snapshot(self) != self._clean  # type: ignore[arg-type]

    def cancel_or_ask(self) -> None:
        screen: Any = self
        if not self.is_dirty():
            screen.dismiss(None)
            return
        from screens.dialogs.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                screen.dismiss(None)

        screen.app.push_screen(ConfirmDialog(
            "Discard your changes?", "What you typed in this form is not saved.",
            yes="Discard", danger=True), answered)


__all__ = ["DiscardGuard", "snapshot"]
