"""The durable queue: SIGKILLed senders lose nothing, two senders never send one message twice."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections import Counter

import pytest

from ispterm.messaging.sender import run_sender
from tests.mailfixtures import SmtpServer, fill_queue, sender_settings, write_config


def _statuses(ctx) -> Counter:
    from sqlmodel import func, select

    from ispterm.messaging.model import OutboundMessage

    with ctx.read() as s:
        return Counter(dict(s.exec(select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)).all()))


async def test_two_senders_on_one_database_never_send_a_message_twice(ctx, db_url):
    from ispterm.store.engine import make_engine

    ids = fill_queue(ctx, 300)
    engines = [make_engine(db_url), make_engine(db_url)]
    with SmtpServer() as srv:
        settings = sender_settings(srv.port, connections=2, batch=5)
        stats = await asyncio.gather(*(run_sender(e, settings, asyncio.Event(), once=True) for e in engines))
        counts = srv.handler.ids()
    for e in engines:
        e.dispose()
    assert sorted(counts) == sorted(ids)
    assert max(counts.values()) == 1
    assert sum(s.sent for s in stats) == 300 and all(s.sent > 0 for s in stats)
    assert _statuses(ctx) == Counter(sent=300)


def _logged(ctx) -> tuple[Counter, Counter, int]:
    """(sent history rows per message, communication statuses, messages still flagged)."""
    from sqlmodel import func, select

    from ispterm.audit.model import AuditEvent
    from ispterm.messaging.model import OutboundMessage
    from ispterm.support.model import Communication

    with ctx.read() as s:
        history = Counter(s.exec(select(AuditEvent.entity_id).where(AuditEvent.action == "email_sent")).all())
        comms = Counter(dict(s.exec(select(Communication.status, func.count()).where(Communication.channel == "email")
                                    .group_by(Communication.status)).all()))
        flagged = s.exec(select(func.count()).where(OutboundMessage.log_pending)).one()
    return history, comms, flagged


@pytest.mark.slow
def test_sigkilled_sender_loses_nothing_and_duplicates_at_most_one_per_kill(tmp_path, sqlite_url):
    from ispterm.connect import open_ctx
    from ispterm.customers.service import create

    ctx = open_ctx(sqlite_url, "admin")
    number = create(ctx, "Kill Test", {"email": "kill@example.cz"})
    ids = fill_queue(ctx, 1000, customer_number=number)
    config = tmp_path / "config.toml"
    kills = 20
    rng = random.Random(4)
    with SmtpServer() as srv:
        write_config(config, srv.port)
        cmd = [sys.executable, "-m", "ispterm", "--db", sqlite_url, "--config", str(config), "mail", "run",
               "--concurrency", "1"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for _ in range(kills):
            before = len(srv.handler.received)
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                # Kill at a random moment while it is draining: after 1..40 more deliveries.
                assert srv.handler.wait_for(before + rng.randint(1, 40), timeout=30), "sender made no progress"
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        done = subprocess.run([*cmd, "--once"], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        counts = srv.handler.ids()
    assert set(counts) == set(ids), "a message was lost"
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= kills
    assert _statuses(ctx) == Counter(sent=1000)
    # The history and communication rows written after the fact: every one, none twice.
    history, comms, flagged = _logged(ctx)
    assert len(history) == 1000 and set(history.values()) == {1}
    assert comms == Counter(sent=1000) and flagged == 0


def _sent_then_crashed(ctx, count: int) -> set[int]:
    """Messages recorded as sent by a sender that died before writing their log rows."""
    from datetime import timedelta

    from ispterm.customers.service import create
    from ispterm.messaging import queue
    from ispterm.store.types import utcnow

    number = create(ctx, "Crash Test", {"email": "crash@example.cz"})
    fill_queue(ctx, count, customer_number=number)
    qc = queue.QueueConnection(ctx.engine)
    items = qc.claim("w", kind="email", limit=count, lease=timedelta(minutes=5), now=utcnow())
    results = qc.record([(i, "w", queue.Outcome("sent", "250 2.0.0 queued as 42"), utcnow(), queue.Policy())
                         for i in items])
    qc.close()
    assert {r.status for r in results} == {"sent"} and len(results) == count
    assert _statuses(ctx) == Counter(sent=count)
    assert _logged(ctx) == (Counter(), Counter(queued=count), count)
    return {i.id for i in items}


def test_log_rows_left_by_a_crash_are_written_once_by_two_writers_at_once(ctx):
    """Sent is recorded at once, the history and communication rows follow in batches; the
    flag is cleared with them in one transaction, so concurrent writers never both take one."""
    import threading

    from ispterm.messaging import queue

    ids = _sent_then_crashed(ctx, 40)
    errors = []

    def drain():
        writer = queue.QueueConnection(ctx.engine)
        try:
            while writer.write_log(limit=3):
                pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            writer.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history, comms, flagged = _logged(ctx)
    assert set(history) == ids and set(history.values()) == {1}
    assert comms == Counter(sent=40) and flagged == 0
    from sqlmodel import select

    from ispterm.audit.model import AuditEvent
    from ispterm.support.model import Communication

    with ctx.read() as s:
        first = s.exec(select(AuditEvent).where(AuditEvent.action == "email_sent").order_by(AuditEvent.entity_id)).first()
        assert (first.summary, first.new, first.operator) == (
            "e-mail to user0@example.cz sent: 250 2.0.0 queued as 42", "250 2.0.0 queued as 42", "mail-sender")
        assert {c.detail for c in s.exec(select(Communication).where(Communication.channel == "email"))} == {
            "250 2.0.0 queued as 42"}


async def test_a_starting_sender_writes_the_log_rows_a_crashed_one_left(ctx):
    from tests.mailfixtures import free_port

    ids = _sent_then_crashed(ctx, 5)
    # Nothing is due, so no server is needed: the sender only catches up and exits.
    stats = await run_sender(ctx.engine, sender_settings(free_port()), asyncio.Event(), once=True)
    assert stats.errors == 0
    history, comms, flagged = _logged(ctx)
    assert set(history) == ids and set(history.values()) == {1}
    assert comms == Counter(sent=5) and flagged == 0


def test_clean_stop_gives_back_claimed_messages(sqlite_url):
    """SIGTERM: the sender finishes the message in hand, returns the rest of its batch, exits 0."""
    from ispterm.connect import open_ctx

    ctx = open_ctx(sqlite_url, "admin")
    fill_queue(ctx, 400)
    with SmtpServer() as srv:
        import pathlib
        import tempfile

        config = pathlib.Path(tempfile.mkdtemp()) / "config.toml"
        write_config(config, srv.port)
        proc = subprocess.Popen([sys.executable, "-m", "ispterm", "--db", sqlite_url, "--config", str(config),
                                 "mail", "run"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert srv.handler.wait_for(5, timeout=30)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        sent = len(srv.handler.received)
    statuses = _statuses(ctx)
    assert statuses["sending"] == 0
    assert statuses["sent"] == sent and "sent " in out
    assert statuses["queued"] == 400 - sent
