"""Keys from one read are handled one after another, in the order they were typed.

Over SSH, from a paste or a barcode reader, several keys arrive in one read and Textual posts
them all to the App at once. The App forwards each key to the focused widget, and a key the
widget does not take bubbles back up to the App, which only then runs its binding. Keys that
the widget takes itself overtake it: in Textual 8.2.8 the bytes ``\\x15abc`` (ctrl+u, then
"abc") leave an ``Input`` empty, because "abc" is typed before ctrl+u's binding (delete to the
start) runs; ``10030\\r`` in the search box submits before the search for "10030" has even
been asked for; and keys typed right after a key that opens a screen land on the old screen.

``OrderedKeys`` (mixed into the App) forwards one key (or paste) at a time. After forwarding
it posts a ``KeyDone`` marker to the same widget: messages are handled in order and bubble in
order, so when the marker reaches the App the key has been handled all the way (or stopped
on the way). Only then is the next key sent. If the key changed the screen (opened a card, a
dialog), the next key waits until that screen has mounted and taken the focus, so type-ahead
goes where the operator will see it. An action that ends later than its key (enter waiting
for the search of what was typed, a form that opens once its data is read) holds the
keyboard (``hold_keys``) until it is done. A marker that never comes back (its widget was
removed on the way: a dialog the key closed) is noticed within ``MARKER_CHECK``; a key
whose handling outlasts ``MARKER_TIMEOUT``, or a hold nobody releases, lets go of the
keyboard then: keys are never held for good.
"""

from __future__ import annotations

from collections import deque
from time import monotonic
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.timer import Timer

MARKER_TIMEOUT = 2.0
MARKER_CHECK = 0.05
HOLD_TIMEOUT = 10.0


class KeyDone(Message):
    """The marker that follows a key through the DOM (bubbles, like the key).

    It makes two rounds: the first comes back once the key itself has been handled; a binding
    run at the App may have posted messages to the focused widget meanwhile (an Input's enter
    posts ``Submitted``), so a second round follows those before the key counts as done."""

    def __init__(self, serial: int, round: int = 1) -> None:
        self.serial = serial
        self.round = round
        super().__init__()


class OrderedKeys:
    """App mixin: see the module docstring. Must come before ``App`` in the bases."""

    _held: deque[events.Event]
    _key_serial: int
    _key_busy: bool
    _key_screen: Screen[Any] | None
    _key_timer: Timer | None
    _key_target: DOMNode | None
    _holds: dict[object, Screen[Any]]
    _waiting_screen: bool

    def _init_ordered_keys(self) -> None:
        self._held = deque()
        self._key_serial = 0
        self._key_busy = False
        self._key_screen = None
        self._key_timer = None
        self._key_target = None
        self._holds = {}
        self._waiting_screen = False

    @property
    def keys_pending(self) -> bool:
        """Keys typed but not yet handled (tests wait for this, as for workers)."""
        return bool(self._held or self._key_busy or self._holds or self._waiting_screen)

    # Holding the keyboard ------------------------------------------------------------------

    def hold_keys(self, timeout: float = HOLD_TIMEOUT) -> object:
        """Keep the keys typed from now on until ``release_keys(token)``: for a key whose
        action ends later (enter waiting for a search, a form opening after its data), so
        what is typed next goes where that action leads. Released by itself after
        ``timeout`` seconds if nobody does (an action that never ends must not take the
        keyboard with it)."""
        app: Any = self
        token = object()
        self._holds[token] = app.screen
        app.set_timer(timeout, lambda: self.release_keys(token))
        return token

    def release_keys(self, token: object) -> None:
        screen = self._holds.pop(token, None)
        if screen is None:
            return
        self._after(screen)

    # Sending one key at a time --------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._held.append(event)
            await self._pump()
            return
        await super().on_event(event)  # type: ignore[misc]

    async def _pump(self) -> None:
        """Send the next key if nothing is in flight, held or waiting for a new screen."""
        if self._key_busy or self._holds or self._waiting_screen or not self._held:
            return
        await self._send_key(self._held.popleft())

    async def _send_key(self, event: events.Event) -> None:
        app: Any = self
        self._key_busy = True
        self._key_serial += 1
        serial = self._key_serial
        self._key_screen = app.screen
        self._key_target = app.focused or app.screen
        await super().on_event(event)  # type: ignore[misc]  # priority bindings or forward
        if not self._send_marker(KeyDone(serial)):
            await self._key_finished(serial)
            return
        started = monotonic()

        async def check() -> None:
            # A marker is lost with its widget (a dialog the key closed): do not wait for it.
            target = self._key_target
            if target is None or not target.is_attached or monotonic() - started > MARKER_TIMEOUT:
                await self._key_finished(serial)

        self._key_timer = app.set_interval(MARKER_CHECK, check)

    def _send_marker(self, marker: KeyDone) -> bool:
        marker.set_sender(self)  # type: ignore[arg-type]
        target = self._key_target
        return target is not None and target.is_attached and target.post_message(marker)

    async def on_key_done(self, message: KeyDone) -> None:
        message.stop()
        if message.round == 1 and message.serial == self._key_serial:
            if self._send_marker(KeyDone(message.serial, 2)):
                return
        await self._key_finished(message.serial)

    async def _key_finished(self, serial: int) -> None:
        if serial != self._key_serial or not self._key_busy:
            return  # a late marker of a key already let go
        if self._key_timer is not None:
            self._key_timer.stop()
            self._key_timer = None
        self._key_busy = False
        self._after(self._key_screen)
        await self._pump()

    def _after(self, screen_before: Screen[Any] | None) -> None:
        """The key (or hold) that started on ``screen_before`` is over: if it changed the
        screen, wait until the new one is ready before the next key goes out."""
        app: Any = self
        if app.screen is not screen_before and not self._waiting_screen:
            self._waiting_screen = True
            self._when_screen_ready(self._screen_ready)
        elif not self._waiting_screen:
            app.call_later(self._pump)

    async def _screen_ready(self) -> None:
        self._waiting_screen = False
        await self._pump()

    def _when_screen_ready(self, callback: Any) -> None:
        """Call back once the current screen and its widgets have handled what is queued for
        them (its mount, its first focus) and the focus change that queued has been applied."""
        app: Any = self
        screen = app.screen
        nodes = [screen, *screen.walk_children(with_self=False)]
        pending = 0

        def one_done() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                app.call_later(callback)  # after the focus a mount asked the App for

        for node in nodes:
            if node.call_later(one_done):
                pending += 1
        if pending == 0:
            app.call_later(callback)


__all__ = ["HOLD_TIMEOUT", "KeyDone", "MARKER_TIMEOUT", "OrderedKeys"]
