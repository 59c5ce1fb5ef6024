"""The key footer: what matters most where the focus is, fitted to the terminal's width.

Textual's footer lists the focused widget's keys, then its containers', then the screen's and
the app's, and cuts the line at the terminal's edge: at 80 columns the keys for help and quit
were never shown, nor half of the Billing tab's. This footer always shows help and quit (as
keys that work where the focus is: ``?`` and ``q``, or ``F1`` and ``F10`` in a text box, where
``?`` and ``q`` are typed; ``ctrl+q`` quits too), then the bindings marked to show, nearest the focus first, then
keys that are useful but not essential (``EXTRA``) while there is room, and the navigation
everybody knows (``LAST``) at the end. What does not fit is in the help panel (F1).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, TextArea
from textual.widgets._footer import FooterKey

# Shown after the essential keys, while there is room (they are show=False for Textual).
EXTRA = ("app.palette", "card.mail", "card.sms", "card.mail_history", "card.send_settings", "billing.invoices",
         "billing.payments", "list.mail_queue", "support.log_contact")
# Everybody knows them: shown last.
LAST = ("card.back", "card.reload", "list.clear", "global_history.back", "import.back",
        "unmatched.back", "queue.back", "settings.back", "app.palette")
# Help and quit: the key for anywhere but a text box, and the one that works in a text box too
# (where ? and q are typed).
FIXED = {"app.keys": ("help", False), "app.help": ("help", True),
         "app.quit": ("quit", False), "app.quit_anywhere": ("quit", True)}


def _width(key: str, description: str) -> int:
    """Cells a compact FooterKey takes: key, space, description, margin."""
    return len(key) + 1 + len(description) + 1


class KeyFooter(Footer):
    """A compact footer whose keys are chosen and ordered as the module docstring says."""

    def __init__(self, **kw: Any) -> None:
        # The palette key is one of the others here (shown if there is room), not docked.
        super().__init__(compact=True, show_command_palette=False, **kw)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        in_text = isinstance(self.screen.focused, (Input, TextArea))
        by_action: dict[str, list[tuple[Binding, bool]]] = defaultdict(list)
        fixed: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.id in FIXED:
                what, anywhere = FIXED[binding.id]
                if anywhere == in_text:
                    fixed.setdefault(what, (binding, enabled))
                continue
            if binding.show or binding.id in EXTRA:
                by_action[binding.action].append((binding, enabled))
        if self.screen.is_modal:
            # A dialog's bindings stop at the dialog: the App's priority bindings (F1, F10,
            # ctrl+q) work there all the same but are not among them; "?" and "q" do not.
            for _key, binding in self.app._bindings:
                if binding.priority and binding.id in FIXED and FIXED[binding.id][1]:
                    fixed.setdefault(FIXED[binding.id][0], (binding, True))
        chosen = self._fit([entries[0] for entries in by_action.values()], fixed)
        for binding, enabled in chosen + [fixed[k] for k in ("help", "quit") if k in fixed]:
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled,
                            tooltip=binding.tooltip or binding.description).data_bind(compact=Footer.compact)

    def _fit(self, entries: list[tuple[Binding, bool]],
             fixed: dict[str, tuple[Binding, bool]]) -> list[tuple[Binding, bool]]:
        """The entries that fit beside help, quit and the palette, in the order they show."""

        def width(entry: tuple[Binding, bool]) -> int:
            return _width(self.app.get_key_display(entry[0]), entry[0].description)

        room = (self.size.width or self.app.size.width) - 1
        room -= sum(width(e) for e in fixed.values())

        def rank(item: tuple[int, tuple[Binding, bool]]) -> tuple[int, int]:
            index, (binding, _enabled) = item
            if binding.id in LAST:
                return (2, index)
            return (1 if binding.id in EXTRA else 0, index)

        kept: list[tuple[int, tuple[Binding, bool]]] = []
        for index, entry in sorted(enumerate(entries), key=rank):
            w = width(entry)
            if w <= room:
                kept.append((index, entry))
                room -= w
        # Shown nearest-the-focus first, as chosen; LAST ones at the end.
        return [entry for _i, entry in sorted(kept, key=rank)]


__all__ = ["EXTRA", "KeyFooter", "LAST"]
