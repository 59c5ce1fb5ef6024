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


def _logged(ctx) -> tuple[Counter, Counter]:
    """(sent history rows per message, communication statuses)."""
    from sqlmodel import func, select

    from ispterm.audit.model import AuditEvent
    from ispterm.support.model import Communication

    with ctx.read() as s:
        history = Counter(s.exec(select(AuditEvent.entity_id).where(AuditEvent.action == "email_sent")).all())
        comms = Counter(dict(s.exec(select(Communication.status, func.count()).where(Communication.channel == "email")
                                    .group_by(Communication.status)).all()))
    return history, comms


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
    history, comms = _logged(ctx)
    assert len(history) == 1000 and set(history.values()) == {1}
    assert comms == Counter(sent=1000)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _sent_then_killed(ctx, count: int, folder, *, worker: str | None = None):
    """A sender that noted ``count`` messages as sent in its journal and was killed before
    recording them: they are still 'sending' under its name. Returns (ids, journal path)."""
    import socket
    from datetime import timedelta

    from ispterm.customers.service import create
    from ispterm.messaging import journal, queue

    worker = worker or f"{socket.gethostname()}:{_dead_pid()}:abcdef"
    number = create(ctx, "Crash Test", {"email": "crash@example.cz"})
    fill_queue(ctx, count, customer_number=number)
    items = queue.claim(ctx.engine, worker, kind="email", limit=count, lease=timedelta(minutes=5), now=ctx.now())
    noted = journal.Journal(folder, journal.database_key(ctx.engine), worker)
    for item in items:
        noted.note(journal.Entry(item.id, ctx.now(), "250 2.0.0 queued as 42"))
    os.close(noted.fd)  # SIGKILL: no close(), the file stays
    assert len(items) == count
    return {i.id for i in items}, noted.path


async def test_a_starting_sender_records_what_a_killed_one_noted_and_sends_none_again(ctx, tmp_path):
    from sqlmodel import select

    from ispterm.audit.model import AuditEvent
    from ispterm.support.model import Communication
    from tests.mailfixtures import free_port

    ids, path = _sent_then_killed(ctx, 40, tmp_path)
    # Nothing may be sent again: no SMTP server listens, so a resend would show as a retry.
    stats = await run_sender(ctx.engine, sender_settings(free_port(), journal_dir=tmp_path), asyncio.Event(),
                             once=True)
    assert stats.errors == 0 and stats.retried == 0
    assert _statuses(ctx) == Counter(sent=40)
    history, comms = _logged(ctx)
    assert set(history) == ids and set(history.values()) == {1}
    assert comms == Counter(sent=40)
    assert not path.exists() and list(tmp_path.glob("*.journal")) == []
    with ctx.read() as s:
        first = s.exec(select(AuditEvent).where(AuditEvent.action == "email_sent").order_by(AuditEvent.entity_id)).first()
        assert (first.summary, first.new, first.operator) == (
            "e-mail to user0@example.cz sent: 250 2.0.0 queued as 42", "250 2.0.0 queued as 42", "mail-sender")
        assert {c.detail for c in s.exec(select(Communication).where(Communication.channel == "email"))} == {
            "250 2.0.0 queued as 42"}


async def test_replay_leaves_live_senders_other_databases_and_messages_owned_by_others(ctx, tmp_path):
    import socket
    from datetime import timedelta

    from sqlalchemy import update
    from sqlmodel import select

    from ispterm.messaging import journal
    from ispterm.messaging.model import OutboundMessage
    from tests.mailfixtures import free_port

    # A live sender (this process), and a dead one, one of whose messages another sender
    # has taken over since (its lease ran out).
    live_ids, live = _sent_then_killed(ctx, 3, tmp_path, worker=f"{socket.gethostname()}:{os.getpid()}:aaaaaa")
    dead_ids, dead = _sent_then_killed(ctx, 3, tmp_path)
    # A dead sender whose journal is out of sight (another user's data directory).
    unseen_ids, unseen = _sent_then_killed(ctx, 2, tmp_path / "elsewhere")
    taken = min(dead_ids)
    with ctx.write() as s:
        s.exec(update(OutboundMessage).where(OutboundMessage.id == taken).values(claimed_by="other:1:ffffff"))
    # A dead sender's journal for another database, naming one of the live sender's messages.
    foreign = journal.Journal(tmp_path, "sqlite:////elsewhere/ispterm.db",
                              f"{socket.gethostname()}:{_dead_pid()}:bbbbbb")
    foreign.note(journal.Entry(min(live_ids), ctx.now(), "250"))
    os.close(foreign.fd)

    await run_sender(ctx.engine, sender_settings(free_port(), journal_dir=tmp_path, lease=timedelta(minutes=5)),
                     asyncio.Event(), once=True)
    assert live.exists() and foreign.path.exists() and not dead.exists()
    with ctx.read() as s:
        status = dict(s.exec(select(OutboundMessage.id, OutboundMessage.status)).all())
    assert {status[i] for i in live_ids} == {"sending"}  # its sender is alive: its business
    assert status[taken] == "sending"  # another sender's now: not recorded for the dead one
    assert {status[i] for i in dead_ids - {taken}} == {"sent"}
    # It may have sent them: they wait for their lease, not freed at once to be sent again.
    assert {status[i] for i in unseen_ids} == {"sending"} and unseen.exists()


def test_journal_is_emptied_once_recorded_and_removed_on_a_clean_close(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from ispterm.messaging import journal

    monkeypatch.setattr(journal, "ROTATE_BYTES", 200)
    noted = journal.Journal(tmp_path, "db", "host:1:abc")
    at = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    for n in range(5):
        noted.note(journal.Entry(n, at, "250 2.0.0 ok\nsecond line", sensitive=n == 2))
    size = noted.path.stat().st_size
    noted.recorded(4)
    assert noted.path.stat().st_size == size  # one still pending: kept whole
    header, entries = journal._read(noted.path)
    assert header == {"database": "db", "worker": "host:1:abc"}
    assert entries[2] == journal.Entry(2, at, "250 2.0.0 ok\nsecond line", True) and len(entries) == 5
    noted.recorded(1)
    assert journal._read(noted.path) == (header, [])  # all recorded and past the size: emptied
    noted.note(journal.Entry(9, at, "250"))
    with open(noted.path, "ab") as f:
        f.write(b'[10, "2026-11-')  # a line cut short by a crash of the machine
    assert journal._read(noted.path)[1] == [journal.Entry(9, at, "250")]
    noted.close()
    assert noted.path.exists()  # 9 was never recorded: left for the next sender
    again = journal.Journal(tmp_path, "db", "host:2:abc")
    again.close()
    assert not again.path.exists()


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


async def test_outcomes_whose_commit_fails_are_held_and_recorded_once_the_database_is_back(pg_url, caplog):
    """The server drops every connection mid-drain: the group being committed is held (the
    journal has it) and recorded on a new connection; nothing is sent twice or left behind."""
    import psycopg

    from ispterm.connect import open_ctx
    from ispterm.store.engine import make_engine

    ctx = open_ctx(pg_url, "admin")
    ids = fill_queue(ctx, 200)
    stop = asyncio.Event()
    events, killed = Counter(), []
    admin = psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)

    def on_event(event) -> None:
        events[event.status] += 1
        if events["sent"] >= 40 and not killed:
            killed.append(admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                        "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0])
        if events["sent"] >= 200:
            stop.set()

    engine = make_engine(pg_url)
    with SmtpServer() as srv:
        # One claim takes all 200, so the next database work after the kill is a group commit.
        stats = await asyncio.wait_for(run_sender(engine, sender_settings(srv.port, connections=2, batch=500), stop,
                                                  on_event=on_event), 60)
        counts = srv.handler.ids()
    engine.dispose()
    admin.close()
    assert killed and killed[0] >= 1
    assert "cannot record" in caplog.text
    assert sorted(counts) == sorted(ids) and max(counts.values()) == 1
    assert stats.sent == 200
    ctx.engine.dispose()
    assert _statuses(ctx) == Counter(sent=200)
    history, comms = _logged(ctx)
    assert set(history.values()) == {1} and len(history) == 200


async def test_a_claim_does_not_wait_out_the_group_window(ctx, monkeypatch):
    """Outcomes wait for company (GROUP_WINDOW) before their commit; a claim behind them must
    not: with a 5 s window, 60 messages claimed 10 at a time still drain in well under 5 s,
    and every outcome is committed before the sender returns."""
    from ispterm.messaging import sender

    monkeypatch.setattr(sender, "GROUP_WINDOW", 5.0)
    ids = fill_queue(ctx, 60)
    with SmtpServer() as srv:
        settings = sender_settings(srv.port, connections=2, batch=10)
        stats = await asyncio.wait_for(run_sender(ctx.engine, settings, asyncio.Event(), once=True), 4.0)
        counts = srv.handler.ids()
    assert stats.sent == 60 and sorted(counts) == sorted(ids)
    assert _statuses(ctx) == Counter(sent=60)
