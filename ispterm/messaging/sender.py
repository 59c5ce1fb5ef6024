"""The background sender: an asyncio loop that drains the queue over SMTP and the SMS gateway.

``run_sender(engine, settings, stop)`` is the one coroutine: the App starts it as a worker,
``ispterm mail run`` runs it as a service. ``settings.connections`` e-mail workers each keep
one SMTP connection open and reuse it; one more worker sends SMS when a gateway is set.
Database work runs in threads of its own, so no transaction is ever open while a server is
talking. A sent message is noted in the journal (``journal.py``) before the next DATA, and
outcomes reach the database in group commits. Every SMTP operation has a timeout and a whole
delivery has a deadline; any failure is recorded on the message and the loop goes on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue as jobqueue
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine

from ispterm.errors import ConfigError
from ispterm.messaging import compose, journal, queue
from ispterm.messaging.journal import Entry
from ispterm.messaging.queue import Claimed, Outcome, Policy
from ispterm.store.types import utcnow

if TYPE_CHECKING:
    import aiosmtplib

    from ispterm.config import Config
    from ispterm.messaging.sms import Gateway

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
    batch: int = 100  # messages claimed at a time, shared by the connections
    poll: float = 2.0
    validate_certs: bool = True
    ca_file: str = ""  # PEM CA bundle trusted for the server's certificate (a private CA); "" = system CAs
    journal_dir: Path | None = None  # where sent outcomes are noted first; None = data dir/sender-journal
    sms: Gateway | None = None
    # The sender is not a Ctx service, so it carries its own clock: every "now" it takes (claims,
    # leases, outcomes, retries, the journal) comes from here. Real UTC; tests may set another.
    clock: Callable[[], datetime] = field(default=utcnow, repr=False, compare=False)

    @classmethod
    def from_config(cls, config: Config, *, connections: int | None = None) -> SenderSettings:
        """Read ``smtp.*``, ``sms.*`` and ``mail.*``; the password from its env var or file only."""
        from ispterm.messaging.sms import gateway_from_config

        smtp, mail = config.smtp, config.mail
        password = ""
        if smtp.password_file:
            try:
                password = Path(smtp.password_file).expanduser().read_text(encoding="utf-8").strip()
            except OSError as exc:
                why = exc.strerror or exc
                raise ConfigError(f"smtp.password_file {smtp.password_file}: {why}") from None
        elif smtp.password_env:
            password = os.environ.get(smtp.password_env, "")
        if smtp.username and not password:
            env = smtp.password_env or "ISPTERM_SMTP_PASSWORD"
            raise ConfigError(f"smtp.username is set but no password: set ${env} or smtp.password_file")
        ca_file = ""
        if smtp.ca_file:
            ca_file = str(Path(smtp.ca_file).expanduser())
            if not Path(ca_file).is_file():
                raise ConfigError(f"smtp.ca_file {ca_file}: no such file")
        deadline = smtp.deadline or smtp.timeout * 4
        if deadline < smtp.timeout:
            raise ConfigError(f"smtp.deadline ({deadline:g} s) must be at least smtp.timeout "
                              f"({smtp.timeout:g} s), or 0 for 4 x smtp.timeout")
        return cls(host=smtp.host or "localhost", port=smtp.port, security=smtp.security,
                   username=smtp.username, password=password, timeout=smtp.timeout, deadline=deadline,
                   ca_file=ca_file, connections=connections or smtp.connections,
                   rate_per_minute=smtp.rate_per_minute, lease=timedelta(seconds=mail.lease_seconds),
                   policy=Policy(max_attempts=mail.max_attempts, max_age=timedelta(hours=mail.max_age_hours)),
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

    cert = exc if isinstance(exc, ssl.SSLCertVerificationError) else exc.__cause__
    if isinstance(cert, ssl.SSLCertVerificationError):
        # Never a fallback to plain text: the message waits until the certificate is trusted.
        return Outcome("retry", f"TLS certificate of the SMTP server not trusted ({cert.verify_message}); "
                                "set smtp.ca_file to the CA that issued it")
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
    if isinstance(exc, UnicodeError):
        # Text that cannot be written for SMTP (an address with no IDNA form) stays so.
        return Outcome("failed", f"cannot be written for SMTP: {exc}")
    return Outcome("retry", f"{type(exc).__name__}: {exc}")


def no_smtputf8(item: Claimed, needing: list[str]) -> Outcome:
    """A message naming a local part beyond ASCII, for a server without SMTPUTF8: failed at
    once (no later attempt makes the server offer it). Not sent to anyone, as RFC 6531
    asks: its headers carry that address in UTF-8, and no ASCII spelling of it exists."""
    text = (f"not sent: the SMTP server does not offer SMTPUTF8, which {', '.join(needing)} "
            f"need{'s' if len(needing) == 1 else ''} (characters beyond ASCII before the @)")
    others = [a for a in item.recipients if a not in needing]
    if others and len(others) < len(item.recipients):  # a recipient needs it, others do not
        text += f"; so not to {', '.join(others)} either (the headers name that address)"
    return Outcome("failed", text)


# Outcomes are committed in groups: the first waits GROUP_WINDOW for others (GROUP_MAX at
# most, a claim ends the wait), so one transaction records tens of messages with a few
# statements. Nothing waits for that commit before the next DATA: the journal holds the
# outcome. Each commit wakes this thread and the database server, time taken from the SMTP
# loop on a small host: 20 ms gave 0.73-0.78x of a bare aiosmtplib loop on PostgreSQL, 50 ms 0.82-0.87x.
GROUP_WINDOW = 0.05
GROUP_MAX = 500
# Outcomes not yet committed, at most, before the workers wait for the database.
MAX_BEHIND = 2000
RETRY_AFTER = 1.0  # a group whose commit failed is tried again after this

_P = ParamSpec("_P")
_R = TypeVar("_R")
_A = TypeVar("_A")
# One outcome handed over: (item, worker, outcome, now, policy), as ``QueueConnection.record`` takes it.
_Done = tuple[Claimed, str, Outcome, datetime, Policy]
# What the database thread is handed: a call someone awaits (``call``), an outcome
# (``record``) or the close (``close``).
_Call = tuple["asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...], dict[str, Any]]
_Record = tuple[None, None, _Done, None]
_Close = tuple["asyncio.Future[None]", None, None, None]
_Job = _Call | _Record | _Close
_Results = list[tuple[Claimed, Outcome, queue.Result]]
# A finished call for the loop to hand to its future: (future, ok, result or exception).
_Settled = tuple["asyncio.Future[Any]", bool, Any]


class _DbThread:
    """A sender's database thread, with its own connection: claims, releases and outcomes.

    Why one long-lived thread: ``asyncio.to_thread`` per job and two threads writing to
    one SQLite file (each waiting on the other's lock with the busy handler's sleeps) cost
    GIL time and latency the SMTP loop needs. Outcomes are group-committed (see
    GROUP_WINDOW); ``on_results`` gets them on the loop, in order, once committed. A group
    that cannot be committed (the database is away) is kept and tried again; it is also in
    the journal, replayed by the next sender if this one dies first.
    """

    def __init__(self, engine: Engine, on_results: Callable[[_Results], None]) -> None:
        self.loop = asyncio.get_running_loop()
        self.jobs: jobqueue.SimpleQueue[_Job] = jobqueue.SimpleQueue()
        self.qc = queue.QueueConnection(engine)
        self.on_results = on_results
        self.held: list[_Done] = []  # outcomes whose commit failed, tried again after RETRY_AFTER
        self.urgent = threading.Event()  # a job someone awaits (a claim, the close) ends the window
        self.retry_at = 0.0
        self.thread = threading.Thread(target=self._run, name="ispterm-sender-db", daemon=True)
        self.thread.start()

    def call(self, fn: Callable[Concatenate[queue.QueueConnection, _P], _R], *args: _P.args,
             **kw: _P.kwargs) -> asyncio.Future[_R]:
        """Run ``fn(qc, *args, **kw)`` in the database thread, after the outcomes handed
        over before it are committed (or held)."""
        fut: asyncio.Future[_R] = self.loop.create_future()
        self.jobs.put((fut, fn, args, kw))
        self.urgent.set()
        return fut

    def record(self, done: _Done) -> None:
        """Hand over one outcome ``(item, worker, outcome, now, policy)``; its result comes
        to ``on_results`` as ``(item, outcome, Result)`` after the commit."""
        self.jobs.put((None, None, done, None))

    async def close(self) -> None:
        """Commit what was handed over (one more try for held outcomes), then end the thread."""
        done: asyncio.Future[None] = self.loop.create_future()
        self.jobs.put((done, None, None, None))
        self.urgent.set()
        await done

    def _collect(self, timeout: float | None) -> list[_Job]:
        """The next jobs: the first within ``timeout`` and, if it is an outcome, all that
        come in the GROUP_WINDOW after it, or until a job someone awaits comes. The window is
        waited on ``urgent``, not on the queue: a thread waiting on the queue is woken by
        every put, at a cost to the loop; ``urgent`` is set only by claims and the close."""
        batch = [self.jobs.get(timeout=timeout)]
        if batch[0][0] is None:
            self.urgent.wait(GROUP_WINDOW)
        self.urgent.clear()
        while len(batch) < GROUP_MAX:
            try:
                batch.append(self.jobs.get_nowait())
            except jobqueue.Empty:
                break
        return batch

    def _commit(self, done: list[_Done], *, final: bool = False) -> bool:
        """Record outcomes; False if the loop is gone. On failure they are held for later,
        or (``final``) reported as errors."""
        try:
            results = self.qc.record(done)
        except Exception as exc:  # noqa: BLE001 - held and tried again; the journal has them
            log.warning("cannot record %d outcome(s) yet: %s", len(done), exc)
            if not final:
                self.held = done
                self.retry_at = time.monotonic() + RETRY_AFTER
                return True
            results = [queue.Result("error", str(exc))] * len(done)
        self.held = []
        return self._call_soon(self.on_results, [(d[0], d[2], r) for d, r in zip(done, results, strict=True)])

    def _run(self) -> None:
        while True:
            timeout = max(0.0, self.retry_at - time.monotonic()) if self.held else None
            try:
                batch = self._collect(timeout)
            except jobqueue.Empty:
                batch = []
            done = [job[2] for job in batch if job[0] is None]
            close = next((job[0] for job in batch if job[0] is not None and job[1] is None), None)
            if self.held and (close is not None or time.monotonic() >= self.retry_at):
                done = self.held + done
                self.held = []
            elif self.held:
                self.held += done
                done = []
            if done and not self._commit(done, final=close is not None):
                return
            settled: list[_Settled] = []
            for job in batch:
                if job[0] is None or job[1] is None:
                    continue
                fut, fn, args, kw = job
                try:
                    settled.append((fut, True, fn(self.qc, *args, **kw)))
                except Exception as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                    settled.append((fut, False, exc))
            if close is not None:
                self.qc.close()
                settled.append((close, True, None))
            if (settled and not self._call_soon(_settle, settled)) or close is not None:
                return

    def _call_soon(self, fn: Callable[[_A], object], arg: _A) -> bool:
        try:
            self.loop.call_soon_threadsafe(fn, arg)
        except RuntimeError:  # the loop is gone (the app was torn down): nobody is waiting
            self.qc.close()
            return False
        return True


def _settle(settled: list[_Settled]) -> None:
    for fut, ok, value in settled:
        if fut.done():
            continue
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)


class _Feed:
    """The claimed messages of one kind, shared by that kind's workers.

    Messages are claimed ``settings.batch`` at a time, and the next batch is claimed while
    the last half of the current one is being sent: a claim costs milliseconds of database
    time that every connection would otherwise sit out.
    """

    def __init__(self, sender: Sender, kind: str) -> None:
        self.sender = sender
        self.kind = kind
        self.items: deque[Claimed] = deque()
        self.claiming: asyncio.Task[int] | None = None
        self.more = True  # the last claim was full, so more is probably due
        self.low = max(1, sender.s.batch // 2)

    async def take(self) -> Claimed | None:
        """The next claimed message, or None when nothing is due."""
        while True:
            if self.items:
                item = self.items.popleft()
                if self.more and len(self.items) < self.low and self.claiming is None:
                    self.claiming = asyncio.ensure_future(self._claim())
                return item
            if self.claiming is None:
                self.claiming = asyncio.ensure_future(self._claim())
            if not await asyncio.shield(self.claiming) and not self.items:
                return None

    async def _claim(self) -> int:
        s = self.sender
        try:
            batch = await s.db.call(queue.QueueConnection.claim, s.worker, kind=self.kind, limit=s.s.batch,
                                    lease=s.lease, now=s.s.clock())
        except Exception as exc:  # noqa: BLE001 - a lost database must not kill the sender
            s.stats.errors += 1
            log.warning("cannot claim messages: %s", exc)
            batch = []
        finally:
            self.claiming = None
        self.items.extend(batch)
        self.more = len(batch) >= s.s.batch
        return len(batch)

    async def give_back(self, items: list[Claimed]) -> None:
        """Release messages that were not tried (the attempt is not counted)."""
        if items:
            s = self.sender
            await s.db.call(lambda qc: queue.release(qc.engine, s.worker, [i.id for i in items], now=s.s.clock()))

    async def close(self) -> None:
        """On stop: give back everything claimed and not taken, including a claim under way."""
        if self.claiming is not None:
            await asyncio.shield(self.claiming)
        items, self.items = list(self.items), deque()
        try:
            await self.give_back(items)
        except Exception as exc:  # noqa: BLE001 - their lease brings them back
            self.sender.stats.errors += 1
            log.warning("cannot give back %d claimed messages: %s", len(items), exc)


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
        # A lease shorter than one delivery's deadline would hand messages back untried.
        self.lease = max(settings.lease, timedelta(seconds=2 * settings.deadline))

    # --- SMTP ------------------------------------------------------------------------

    def _client(self) -> aiosmtplib.SMTP:
        import aiosmtplib

        s = self.s
        return aiosmtplib.SMTP(hostname=s.host, port=s.port, timeout=s.timeout,
                               use_tls=s.security == "tls",
                               start_tls=True if s.security == "starttls" else False,
                               validate_certs=s.validate_certs, cert_bundle=s.ca_file or None,
                               username=s.username or None, password=s.password or None)

    async def _close(self, client: aiosmtplib.SMTP | None) -> None:
        if client is None:
            return
        try:
            if client.is_connected:
                await asyncio.wait_for(client.quit(), self.s.timeout)
        except Exception:  # noqa: BLE001 - a connection being thrown away may fail any way
            client.close()

    async def _deliver_email(self, client: aiosmtplib.SMTP | None,
                             item: Claimed) -> tuple[Outcome, aiosmtplib.SMTP | None]:
        """Send one e-mail; returns (outcome, client to reuse or None)."""
        import aiosmtplib

        raw = item.raw
        if raw is None:
            # Its bytes are stored with the row at enqueue; without them there is nothing to
            # send, and no later attempt would have them either.
            return Outcome("failed", "not sent: the message has no stored content"), client
        try:
            async with asyncio.timeout(self.s.deadline):
                if client is None or not client.is_connected:
                    client = self._client()
                    await client.connect()
                refused = []
                # Stored addresses are as typed (Unicode): the envelope has the domain in IDNA,
                # and a local part beyond ASCII only with SMTPUTF8.
                needing = compose.smtputf8_addresses((item.sender or "", *item.recipients))
                if needing:
                    if client.is_ehlo_or_helo_needed:
                        await client.ehlo()
                    if not client.supports_extension("smtputf8"):
                        return no_smtputf8(item, needing), client
                options, encoding = (["SMTPUTF8"], "utf-8") if needing else ([], "ascii")
                await client.mail(compose.envelope_address(item.sender or ""), options=options, encoding=encoding)
                for address in item.recipients:
                    try:
                        await client.rcpt(compose.envelope_address(address), encoding=encoding)
                    except aiosmtplib.SMTPRecipientRefused as exc:
                        # Recorded with the address as stored, the one a person recognises.
                        refused.append(aiosmtplib.SMTPRecipientRefused(exc.code, exc.message, address))
                if len(refused) == len(item.recipients):
                    raise aiosmtplib.SMTPRecipientsRefused(refused)
                response = await client.data(raw)
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as exc:
            outcome = classify(exc)
            await self._close(client)
            return outcome, None
        text = f"{response.code} {response.message}".strip()
        if refused:
            text += "; refused: " + "; ".join(f"{e.recipient}: {e.code} {e.message}" for e in refused)
        return Outcome("sent", text), client

    async def _deliver_sms(self, item: Claimed) -> Outcome:
        from ispterm.messaging import sms

        gateway = self.s.sms
        assert gateway is not None  # an SMS feed runs only with a gateway (see run)
        try:
            reply = await asyncio.wait_for(
                asyncio.to_thread(sms.send, gateway, item.recipients[0], item.body), self.s.deadline)
        except sms.GatewayError as exc:
            return Outcome("retry" if exc.temporary else "failed", exc.reply)
        except TimeoutError:
            return Outcome("retry", "gateway timed out")
        return Outcome("sent", reply)

    # --- the loop ----------------------------------------------------------------------

    def _finish(self, item: Claimed, outcome: Outcome) -> None:
        """Note a sent message in the journal (before this connection's next DATA: that
        bounds what a kill can re-send to the message in flight), then hand the outcome
        to the database thread, which commits it with others a moment later."""
        now = self.s.clock()
        if outcome.status == "sent":
            self.journal.note(Entry(item.id, now, outcome.reply, item.sensitive))
        self.behind += 1
        self.db.record((item, self.worker, outcome, now, self.s.policy))

    def _recorded(self, results: list[tuple[Claimed, Outcome, queue.Result]]) -> None:
        """Outcomes are committed (or, at the very end, could not be: logged; the journal
        keeps the sent ones for the next sender, the lease brings the rest back)."""
        self.behind -= len(results)
        if self.behind < MAX_BEHIND:
            self.caught_up.set()
        # A journal entry is settled once its message is recorded sent, or found to be
        # another sender's (its lease ran out); an error leaves it to be replayed.
        self.journal.recorded(sum(o.status == "sent" and r.status != "error" for _, o, r in results))
        for item, _, result in results:
            status = result.status
            if status == "error":
                self.stats.errors += 1
                log.warning("message %s: cannot record the outcome: %s", item.id, result.reply)
                continue
            if status == "sent":
                self.stats.sent += 1
            elif status == "failed":
                self.stats.failed += 1
            elif status == "queued":
                self.stats.retried += 1
            if status != "sent":
                log.info("message %s %s: %s", item.id, status, result.reply)
            if self.on_event is not None:
                self.on_event(SenderEvent(item.id, status, result.reply))

    async def _worker(self, feed: _Feed) -> None:
        """One connection's loop: take a claimed message, send it, hand the outcome over."""
        client = None
        try:
            while not self.stop.is_set():
                try:
                    if not feed.items and self.behind:
                        # About to claim: let the outcomes (and their events) land first, so a
                        # message due again at once is not taken back before it is told.
                        await self.db.call(_nothing)
                    item = await feed.take()
                    if item is None:
                        if self.once:
                            return
                        await self._idle()
                        continue
                    left = (item.claimed_until - self.s.clock()).total_seconds()
                    if left < self.s.deadline:
                        # Too little lease left to try it: give it back now, not when the lease ends.
                        await feed.give_back([item])
                        continue
                    while self.behind >= MAX_BEHIND and not self.stop.is_set():
                        # The database is far behind (or away): wait for it, but not past a stop.
                        self.caught_up.clear()
                        try:
                            await asyncio.wait_for(self.caught_up.wait(), self.s.poll)
                        except TimeoutError:
                            pass
                    await self.rate.wait(self.stop)
                    if self.stop.is_set():
                        await feed.give_back([item])
                        break
                    try:
                        if feed.kind == "email":
                            outcome, client = await self._deliver_email(client, item)
                        else:
                            outcome = await self._deliver_sms(item)
                    except Exception as exc:  # noqa: BLE001 - survive bugs alike; the lease brings it back
                        self.stats.errors += 1
                        log.exception("message %s: %s", item.id, exc)
                        await self._close(client)
                        client = None
                        continue
                    self._finish(item, outcome)
                except Exception as exc:  # noqa: BLE001 - e.g. the database went away
                    self.stats.errors += 1
                    log.warning("sender worker: %s", exc)
                    await self._close(client)
                    client = None
                    await self._idle()
        finally:
            await self._close(client)

    async def _idle(self) -> None:
        try:
            await asyncio.wait_for(self.stop.wait(), self.s.poll)
        except TimeoutError:
            pass

    async def run(self) -> SenderStats:
        self.behind = 0
        self.caught_up = asyncio.Event()
        database = journal.database_key(self.engine)
        folder = self.s.journal_dir or journal.directory()
        try:
            self.journal = journal.Journal(folder, database, self.worker)
        except OSError as exc:
            raise ConfigError(f"cannot write the sender journal in {folder}: {exc.strerror or exc} "
                              "(set ISPTERM_DATA_DIR to a writable directory)") from None
        self.db = _DbThread(self.engine, self._recorded)
        try:
            try:
                # The outcomes dead senders noted first, then their claims freed: in this
                # order, nothing they sent is sent again.
                await self.db.call(lambda qc: journal.replay(folder, database, qc.record_sent, qc.release_worker))
            except Exception as exc:  # noqa: BLE001
                self.stats.errors += 1
                log.warning("cannot replay the journals of dead senders: %s", exc)
            feeds = [_Feed(self, "email")]
            workers = [self._worker(feeds[0]) for _ in range(self.s.connections)]
            if self.s.sms is not None:
                feeds.append(_Feed(self, "sms"))
                workers.append(self._worker(feeds[1]))
            try:
                await asyncio.gather(*workers)
            finally:
                for feed in feeds:
                    await feed.close()
        finally:
            await self.db.close()
            self.journal.close()
        return self.stats


def _nothing(qc: queue.QueueConnection) -> None:
    """A no-op job: awaiting it waits for the outcomes handed over before it."""


async def run_sender(engine: Engine, settings: SenderSettings, stop: asyncio.Event, *,
                     once: bool = False, on_event: Callable[[SenderEvent], None] | None = None) -> SenderStats:
    """Drain the queue until ``stop`` is set (or, with ``once``, until nothing is due)."""
    return await Sender(engine, settings, stop, once=once, on_event=on_event).run()
