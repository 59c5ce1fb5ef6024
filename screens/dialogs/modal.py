"""The base of every dialog: a modal screen with a key footer of its own.

Without one, the footer of the screen below stayed on show under the dialog and listed keys
that do not apply while it is open (``e Edit`` under an edit form, where ``e`` is typed).
"""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType

from screens.widgets.footer import KeyFooter


class Dialog(ModalScreen[ScreenResultType]):
    """A ``ModalScreen`` whose footer shows the dialog's own keys (and help and quit)."""

    def on_mount(self) -> None:
        # Mounted, not composed: subclasses compose their own content and need not yield it.
        self.mount(KeyFooter())


__all__ = ["Dialog"]
