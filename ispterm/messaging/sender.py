"""The background sender: an asyncio loop that drains the queue over SMTP and the SMS gateway.

``run_sender(engine, settings, stop)`` is the one coroutine: the App starts it as a worker,
``ispterm mail run`` runs it as a service. ``settings.connections`` e-mail workers each keep
one SMTP connection open and reuse it; one more worker sends SMS when a gateway is set.
Database work runs in threads between network operations, so no transaction is ever open
while a server is talking. Every SMTP operation has a timeout and a whole delivery has a
deadline; any failure is recorded on the message and the loop goes on.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from ispterm.errors import ConfigError
from ispterm.messaging import queue
from ispterm.messaging.compose import build_email
from ispterm.messaging.queue import Claimed, Outcome, Policy
from ispterm.store.types import utcnow

log = logging.getLogger("ispterm.sender")


@dataclass(frozen=True)
class SenderSettings:
    host: str = "localhost"
    port: int = 25
    security: str = "starttls"  # starttls | tls | none; starttls and tls are required, never dropped
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    deadline: float = 120.0
    connections: int = 2
    rate_per_minute: int = 0
    lease: timedelta = timedelta(seconds=300)
    policy: Policy = Policy()
    batch: int = 10
    poll: float = 2.0
    validate_certs: bool = True
    sms: object | None = None  # sms.Gateway

    @classmethod
    def from_config(cls, config, *, connections: int | None = None) -> SenderSettings:
        """Read ``smtp.*``, ``sms.*`` and ``mail.*``; the password from its env var or file only."""
        from ispterm.messaging.sms import gateway_from_config

        password = ""
        path = str(config.get("smtp.password_file") or "")
        env = str(config.get("smtp.password_env") or "")
        if path:
            try:
                password = Path(path).expanduser().read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"smtp.password_file {path}: {exc.strerror or exc}") from None
        elif env:
            password = os.environ.get(env, "")
        username = str(config.get("smtp.username") or "")
        if username and not password:
            raise ConfigError(f"smtp.username is set but no password: set ${env or 'ISPTERM_SMTP_PASSWORD'} "
                              "or smtp.password_file")
        timeout = float(config.get("smtp.timeout"))
        return cls(host=str(config.get("smtp.host") or "localhost"), port=int(config.get("smtp.port")),
                   security=str(config.get("smtp.security")), username=username, password=password,
                   timeout=timeout, deadline=max(timeout * 4, timeout + 5),
                   connections=connections or int(config.get("smtp.connections")),
                   rate_per_minute=int(config.get("smtp.rate_per_minute")),
                   lease=timedelta(seconds=int(config.get("mail.lease_seconds"))),
                   policy=Policy(max_attempts=int(config.get("mail.max_attempts"))),
                   sms=gateway_from_config(config))


@dataclass
class SenderStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: int = 0  # loop-level failures survived (database down, bugs)


@dataclass(frozen=True)
class SenderEvent:
    """Posted after every outcome, so the App can refresh its queue screen."""

    message: int
    status: str
    reply: str


class _RateLimit:
    """At most N sends a minute across all workers (0 = unlimited)."""

    def __init__(self, per_minute: int) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.next = 0.0

    async def wait(self, stop: asyncio.Event) -> None:
        if not self.interval:
            return
        now = asyncio.get_running_loop().time()
        slot = max(now, self.next)
        self.next = slot + self.interval
        if slot > now:
            try:
                await asyncio.wait_for(stop.wait(), slot - now)
            except TimeoutError:
                pass


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def classify(exc: BaseException) -> Outcome:
    """Temporary (connection refused, timeouts, 4xx) is retried; 5xx fails at once."""
    import aiosmtplib

    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        replies = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        every_permanent = all(_permanent(r.code) for r in exc.recipients)
        return Outcome("failed" if every_permanent else "retry", f"all recipients refused: {replies}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return Outcome("failed" if _permanent(exc.code) else "retry", f"{exc.code} {exc.message}")
    if isinstance(exc, TimeoutError):
        return Outcome("retry", f"timed out: {exc}" if str(exc) else "timed out")
    if isinstance(exc, ConnectionRefusedError):
        return Outcome("retry", f"connection refused: {exc}")
    return Outcome("retry", f"{type(exc).__name__}: {exc}")


class Sender:
    def __init__(self, engine: Engine, settings: SenderSettings, stop: asyncio.Event, *,
                 once: bool = False, on_event: Callable[[SenderEvent], None] | None = None) -> None:
        self.engine = engine
        self.s = settings
        self.stop = stop
        self.once = once
        self.on_event = on_event
        self.worker = queue.worker_name()
        self.stats = SenderStats()
        self.rate = _RateLimit(settings.rate_per_minute)

    # --- SMTP ------------------------------------------------------------------------

    def _client(self):
        import aiosmtplib

        s = self.s
        return aiosmtplib.SMTP(hostname=s.host, port=s.port, timeout=s.timeout,
                               use_tls=s.security == "tls",
                               start_tls=True if s.security == "starttls" else False,
                               validate_certs=s.validate_certs,
                               username=s.username or None, password=s.password or None)

    async def _close(self, client) -> None:
        if client is None:
            return
        try:
            if client.is_connected:
                await asyncio.wait_for(client.quit(), self.s.timeout)
        except Exception:  # noqa: BLE001 - a connection being thrown away may fail any way
            client.close()

    async def _deliver_email(self, client, item: Claimed):
        """Send one e-mail; returns (outcome, client to reuse or None)."""
        import aiosmtplib

        msg = build_email(sender=item.sender or "", recipients=list(item.recipients),
                          subject=item.subject or "", body=item.body, html=item.html,
                          message_id=item.message_id, date=item.created_at,
                          attachments=list(item.attachments))
        try:
            async with asyncio.timeout(self.s.deadline):
                if client is None or not client.is_connected:
                    client = self._client()
                    await client.connect()
                errors, reply = await client.send_message(msg, sender=item.sender,
                                                          recipients=list(item.recipients))
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as exc:
            outcome = classify(exc)
            await self._close(client)
            return outcome, None
        text = f"250 {reply}".strip()
        if errors:
            text += "; refused: " + "; ".join(f"{r}: {e.code} {e.message}" for r, e in errors.items())
        return Outcome("sent", text), client

    async def _deliver_sms(self, item: Claimed) -> Outcome:
        from ispterm.messaging import sms

        try:
            reply = await asyncio.wait_for(
                asyncio.to_thread(sms.send, self.s.sms, item.recipients[0], item.body), self.s.deadline)
        except sms.GatewayError as exc:
            return Outcome("retry" if exc.temporary else "failed", exc.reply)
        except TimeoutError:
            return Outcome("retry", "gateway timed out")
        return Outcome("sent", reply)

    # --- the loop ----------------------------------------------------------------------

    async def _finish(self, item: Claimed, outcome: Outcome) -> None:
        status = await asyncio.to_thread(queue.finish, self.engine, item, self.worker, outcome,
                                         now=utcnow(), policy=self.s.policy)
        if status == "sent":
            self.stats.sent += 1
        elif status == "failed":
            self.stats.failed += 1
        elif status == "queued":
            self.stats.retried += 1
        if status != "sent":
            log.info("message %s %s: %s", item.id, status, outcome.reply)
        if self.on_event is not None:
            self.on_event(SenderEvent(item.id, status, outcome.reply))

    async def _worker(self, kind: str) -> None:
        client = None
        try:
            while not self.stop.is_set():
                try:
                    batch = await asyncio.to_thread(queue.claim, self.engine, self.worker, kind=kind,
                                                    limit=self.s.batch, lease=self.s.lease, now=utcnow())
                except Exception as exc:  # noqa: BLE001 - a lost database must not kill the sender
                    self.stats.errors += 1
                    log.warning("cannot claim messages: %s", exc)
                    batch = []
                    if self.once:
                        return
                if not batch:
                    if self.once:
                        return
                    await self._idle()
                    continue
                client = await self._run_batch(kind, batch, client)
        finally:
            await self._close(client)

    async def _run_batch(self, kind: str, batch: list[Claimed], client):
        for n, item in enumerate(batch):
            left = (item.claimed_until - utcnow()).total_seconds()
            if self.stop.is_set() or left < self.s.deadline:
                # Not tried: give the rest back now rather than waiting for the lease.
                await asyncio.to_thread(queue.release, self.engine, self.worker,
                                        [i.id for i in batch[n:]], now=utcnow())
                return client
            await self.rate.wait(self.stop)
            try:
                if kind == "email":
                    outcome, client = await self._deliver_email(client, item)
                else:
                    outcome = await self._deliver_sms(item)
                await self._finish(item, outcome)
            except Exception as exc:  # noqa: BLE001 - survive bugs and database outages alike
                self.stats.errors += 1
                log.exception("message %s: %s", item.id, exc)
                await self._close(client)
                client = None
        return client

    async def _idle(self) -> None:
        try:
            await asyncio.wait_for(self.stop.wait(), self.s.poll)
        except TimeoutError:
            pass

    async def run(self) -> SenderStats:
        try:
            await asyncio.to_thread(queue.release_dead, self.engine, now=utcnow())
        except Exception as exc:  # noqa: BLE001
            self.stats.errors += 1
            log.warning("cannot free claims of dead senders: %s", exc)
        workers = [self._worker("email") for _ in range(self.s.connections)]
        if self.s.sms is not None:
            workers.append(self._worker("sms"))
        await asyncio.gather(*workers)
        return self.stats


async def run_sender(engine: Engine, settings: SenderSettings, stop: asyncio.Event, *,
                     once: bool = False, on_event: Callable[[SenderEvent], None] | None = None) -> SenderStats:
    """Drain the queue until ``stop`` is set (or, with ``once``, until nothing is due)."""
    return await Sender(engine, settings, stop, once=once, on_event=on_event).run()
