"""Command palette (ctrl+p): find a customer by anything the search knows, or run an action."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class CustomerCommands(Provider):
    """Customers matching what was typed, from the same indexed search as the list."""

    async def search(self, query: str) -> Hits:
        app = self.app
        if not query.strip() or getattr(app, "ctx", None) is None:
            return
        from ispterm.customers import service
        from ispterm.errors import IsptermError

        try:
            rows = await asyncio.to_thread(service.search, app.ctx, query, limit=8)
        except IsptermError:
            return
        for rank, row in enumerate(rows):
            label = f"{row.number}  {row.name}" + (f"  · {row.city}" if row.city else "")
            yield Hit(1.0 - rank / 100, label, partial(app.open_card, row.number),
                      help=f"open the card ({row.status or 'no status'})")


class ActionCommands(Provider):
    """Screens and app-wide actions."""

    def _actions(self):
        app = self.app
        return [
            ("Customer list", app.open_list, "search all customers"),
            ("Global history", app.open_history, "every change to every customer"),
            ("Settings", app.open_settings, "system settings and code lists"),
            ("Change theme", app.action_change_theme, "dark, light, high contrast, ANSI"),
            ("Keys", app.action_keys, "every key active here"),
            ("Quit", app.exit, "leave ispterm"),
        ]

    async def discover(self) -> Hits:
        for name, action, help_text in self._actions():
            yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
