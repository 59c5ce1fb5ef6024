"""Messages that worker threads post back to the UI thread."""

from __future__ import annotations

from textual.message import Message


class Booted(Message, bubble=False):
    """The database is open and the operator known: services may be called.

    Sent to the App, which hands one to each screen; it must not bubble back up."""
