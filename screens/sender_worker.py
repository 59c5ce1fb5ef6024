"""The mail and SMS sender inside the app: ``run_sender`` as an async worker on the App.

It lives on the App, not on a screen, so it keeps sending while operators move between
screens. It starts only when the config names an SMTP host or an SMS gateway and the app is
not read-only, and it is stopped through its stop event on exit (so claimed messages are
finished or handed back, not left to a lease). A failure of the sender never reaches the
App: it is shown once as a notification and the app goes on without sending.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from textual.worker import Worker


class MailEvent(Message):
    """A message left the queue's hands (sent, failed or queued again)."""

    def __init__(self, message: int, status: str, reply: str) -> None:
        self.message = message
        self.status = status
        self.reply = reply
        super().__init__()


def sender_wanted(config: Any, readonly: bool) -> bool:
    if readonly or config is None:
        return False
    return bool(config.smtp.host or config.sms.url)


class AppSender:
    """Owns the sender worker of one App."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.stop: asyncio.Event | None = None
        self.worker: Worker | None = None
        self.warned: set[str] = set()
        self.events = 0

    @property
    def running(self) -> bool:
        return self.worker is not None and not self.worker.is_finished

    def start(self) -> bool:
        if self.running or not sender_wanted(self.app.config, self.app.readonly):
            return False
        self.stop = asyncio.Event()
        self.worker = self.app.run_worker(self._run(), name="sender", group="sender", exit_on_error=False)
        return True

    async def _run(self) -> None:
        import dataclasses

        from ispterm.errors import IsptermError
        from ispterm.messaging.sender import SenderSettings, run_sender

        assert self.stop is not None
        try:
            ctx = await asyncio.to_thread(self.app.wait_ctx)
            settings = SenderSettings.from_config(self.app.config)
            if not self.app.config.smtp.host:
                settings = dataclasses.replace(settings, connections=0)  # SMS gateway only
            await run_sender(ctx.engine, settings, self.stop, on_event=self._event)
        except asyncio.CancelledError:
            raise
        except IsptermError as exc:
            self._warn_once("stopped", f"The mail sender did not start: {exc}")
        except Exception as exc:  # noqa: BLE001 - the sender must never take the app down
            self._warn_once("stopped", f"The mail sender stopped: {type(exc).__name__}: {exc}")

    def _event(self, event: Any) -> None:
        self.events += 1
        if event.status == "failed":
            self._warn_once("failed", f"Message {event.message} failed: {event.reply} "
                                      "(the mail queue, Q, shows every failure)")
        self.app.post_message(MailEvent(event.message, event.status, event.reply))

    def _warn_once(self, what: str, text: str) -> None:
        if what in self.warned:
            return
        self.warned.add(what)
        self.app.notify(text, title="Mail", severity="error" if what == "stopped" else "warning", timeout=10)

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Ask the sender to stop and wait for it to hand back what it has not sent."""
        if not self.running or self.stop is None or self.worker is None:
            return
        self.stop.set()
        try:
            await asyncio.wait_for(self.worker.wait(), timeout)
        except Exception:  # noqa: BLE001 - cancelled, timed out or failed: the app leaves anyway
            self.worker.cancel()
