"""The durable outbound queue (MSG-3): enqueue, claim, finish, release.

* ``enqueue`` runs in the caller's transaction: the message, its communication-log row and
  the "queued" history row commit together or not at all.
* ``claim`` marks a batch ``sending`` under a lease in one short transaction: PostgreSQL
  picks rows with ``FOR UPDATE SKIP LOCKED`` inside the UPDATE; SQLite's ``BEGIN IMMEDIATE``
  serialises claimers and ``UPDATE ... RETURNING`` hands the rows back. Rows whose lease ran
  out (their sender died) are claimable again.
* ``finish`` records one outcome in one transaction *after* the network talk: sent, retry
  with exponential backoff, or failed, each in the history and the communication log with
  the server's reply. No transaction is open while the SMTP server or gateway is talking.
"""

from __future__ import annotations

import email.policy
import os
import re
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ispterm.audit.recorder import record
from ispterm.context import Actor
from ispterm.messaging.compose import Attachment, build_email
from ispterm.messaging.model import OutboundAttachment, OutboundMessage
from ispterm.store.types import utcnow
from ispterm.support.model import Communication

SMTP_POLICY = email.policy.SMTP
SENDER_ACTOR = Actor(id=None, login="mail-sender", role="readonly", name="ispterm sender")
MAX_BACKOFF = timedelta(hours=6)
_T = OutboundMessage.__table__


@dataclass(frozen=True)
class Claimed:
    """A message as the sender needs it: everything to send, nothing live."""

    id: int
    kind: str
    message_id: str
    sender: str | None
    recipients: tuple[str, ...]
    subject: str | None
    body: str
    raw: bytes | None
    attempts: int
    created_at: datetime
    claimed_until: datetime


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retry | failed
    reply: str


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 8
    max_age: timedelta = timedelta(hours=72)
    backoff: timedelta = timedelta(seconds=60)


def enqueue(s: Session, *, kind: str, recipients: list[str], body: str, message_id: str,
            subject: str | None = None, html: str | None = None, sender: str | None = None,
            attachments: list[Attachment] = (), priority: int = 5, customer_id: int | None = None,
            contact_id: int | None = None, sensitive: bool = False) -> OutboundMessage:
    """Queue one message in the caller's transaction (with its log and history rows).

    An e-mail is built here, once: headers are checked (no CR/LF) and the bytes stored.
    """
    actor = s.info.get("actor")
    now = s.info.get("now") or utcnow()
    raw = None
    if kind == "email":
        raw = build_email(sender=sender or "", recipients=recipients, subject=subject or "", body=body,
                          html=html, message_id=message_id, date=now,
                          attachments=list(attachments)).as_bytes(policy=SMTP_POLICY)
    login = actor.login if actor else "system"
    to = ", ".join(recipients)
    comm = None
    if customer_id is not None:
        comm = Communication(customer_id=customer_id, contact_id=contact_id, channel=kind,
                             direction="out", at=now, operator=login, subject=subject or to,
                             body=None if sensitive else body, status="queued", ref=message_id)
        s.add(comm)
        s.flush()
    msg = OutboundMessage(kind=kind, status="queued", priority=priority, message_id=message_id,
                          customer_id=customer_id, contact_id=contact_id,
                          communication_id=comm.id if comm else None, sender=sender,
                          recipients=to, subject=subject, body=body, html=html, raw=raw,
                          sensitive=sensitive, created_at=now, next_attempt_at=now,
                          created_by=login)
    s.add(msg)
    s.flush()
    for a in attachments:
        s.add(OutboundAttachment(message_id=msg.id, filename=a.filename, content_type=a.content_type,
                                 size=a.size, content=a.content))
    what = "e-mail" if kind == "email" else "SMS"
    record(s, customer_id=customer_id, entity="message", entity_id=msg.id, action=f"{kind}_queued",
           new=to, summary=f"{what} to {to} queued: {subject or body[:60]}")
    return msg


def worker_name() -> str:
    """host:pid:random; the pid lets a restarted sender free the claims of a dead one at once."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


def _audit_row(now: datetime, customer_id: int | None, message: int, action: str, new: str | None,
               summary: str) -> dict:
    """The same row ``audit.recorder.record`` writes, built without an ORM session (hot path)."""
    return {"at": now, "operator": SENDER_ACTOR.login, "customer_id": customer_id, "entity": "message",
            "entity_id": message, "action": action, "field": None, "old": None, "new": new,
            "summary": summary, "private_to": None}


def claim(engine: Engine, worker: str, *, kind: str, limit: int, lease: timedelta,
          now: datetime) -> list[Claimed]:
    """Take up to ``limit`` due messages, highest priority then oldest first."""
    due = or_(and_(_T.c.status == "queued", _T.c.next_attempt_at <= now),
              and_(_T.c.status == "sending", _T.c.claimed_until < now))
    pick = select(_T.c.id).where(_T.c.kind == kind, due).order_by(_T.c.priority, _T.c.id).limit(limit)
    if engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    until = now + lease
    stmt = (update(_T).where(_T.c.id.in_(pick.scalar_subquery()))
            .values(status="sending", claimed_by=worker, claimed_until=until, attempts=_T.c.attempts + 1)
            .returning(_T.c.id, _T.c.kind, _T.c.message_id, _T.c.sender, _T.c.recipients, _T.c.subject,
                       _T.c.body, _T.c.raw, _T.c.attempts, _T.c.created_at, _T.c.priority))
    with engine.begin() as conn:
        rows = sorted(conn.execute(stmt).all(), key=lambda r: (r.priority, r.id))
    return [Claimed(r.id, r.kind, r.message_id, r.sender,
                    tuple(x.strip() for x in r.recipients.split(",") if x.strip()), r.subject, r.body,
                    r.raw, r.attempts, r.created_at, until) for r in rows]


def backoff(policy: Policy, attempts: int) -> timedelta:
    return min(policy.backoff * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# The outcome is recorded with pre-built SQL on the raw DBAPI connection: it runs once per
# message in the sender's process, and SQLAlchemy's per-execution overhead costs more GIL
# time than SQLite itself (the GIL the SMTP loop needs). Written with :name placeholders,
# turned into %(name)s for psycopg.
_RECORD = ("UPDATE outbound_message SET status = :status, claimed_by = NULL, claimed_until = NULL, "
           "sent_at = :sent_at, reply = :reply, last_error = :error, next_attempt_at = :next "
           "WHERE id = :mid AND claimed_by = :worker RETURNING customer_id, communication_id, sensitive")
_BLANK = ("UPDATE outbound_message SET body = '(removed after delivery: it held a password)', html = NULL, "
          "raw = NULL WHERE id = :mid")
_COMM = "UPDATE communication SET status = :status, detail = :detail WHERE id = :cid"
_AUDIT = ("INSERT INTO audit_event (at, operator, customer_id, entity, entity_id, action, field, old, new, "
          "summary, private_to) VALUES (:at, :operator, :customer_id, :entity, :entity_id, :action, :field, "
          ":old, :new, :summary, :private_to)")
_PG_SQL = {sql: re.sub(r":(\w+)", r"%(\1)s", sql) for sql in (_RECORD, _BLANK, _COMM, _AUDIT)}


@dataclass(frozen=True)
class Result:
    """What ``finish`` decided for one message; ``status`` is 'lost' if another sender owns it."""

    status: str  # sent | queued | failed | lost
    reply: str


class Recorder:
    """Records outcomes over one raw DBAPI connection; several per transaction (``record``).

    Not thread-safe: one thread owns it (the sender's database thread).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.sql = _PG_SQL if self.pg else {k: k for k in _PG_SQL}
        # The column type's own conversion, so raw rows hold exactly what SQLAlchemy writes.
        self.stamp = _T.c.sent_at.type._cached_bind_processor(engine.dialect) or (lambda v: v)
        self.conn = None

    def record(self, done: list[tuple[Claimed, str, Outcome, datetime, Policy]]) -> list[Result]:
        """Record ``(item, worker, outcome, now, policy)`` outcomes in one transaction."""
        if self.conn is None:
            self.conn = self.engine.raw_connection()
        conn, sql, stamp = self.conn, self.sql, self.stamp
        results = []
        try:
            cur = conn.cursor()
            if not self.pg:
                cur.execute("BEGIN IMMEDIATE")
            for item, worker, outcome, now, policy in done:
                status, reply = decide(item, outcome, now=now, policy=policy)
                at = stamp(now)
                cur.execute(sql[_RECORD], {
                    "mid": item.id, "worker": worker, "status": "queued" if status == "retry" else status,
                    "sent_at": at if status == "sent" else None, "reply": reply,
                    "error": None if status == "sent" else reply,
                    "next": stamp(now + backoff(policy, item.attempts)) if status == "retry" else at})
                row = cur.fetchone()
                if row is None:
                    results.append(Result("lost", reply))
                    continue
                customer_id, communication_id, sensitive = row
                shown = "retrying" if status == "retry" else status
                if sensitive and status == "sent":
                    cur.execute(sql[_BLANK], {"mid": item.id})
                if communication_id is not None:
                    cur.execute(sql[_COMM], {"cid": communication_id, "status": shown, "detail": reply})
                what = "e-mail" if item.kind == "email" else "SMS"
                verb = "sent" if status == "sent" else "failed" if status == "failed" else \
                    f"attempt {item.attempts} failed, will retry"
                summary = f"{what} to {', '.join(item.recipients)} {verb}: {reply[:200]}"
                cur.execute(sql[_AUDIT], _audit_row(at, customer_id, item.id, f"{item.kind}_{shown}",
                                                    reply[:500], summary))
                results.append(Result("queued" if status == "retry" else status, reply))
            if self.pg:
                conn.commit()
            else:
                cur.execute("COMMIT")
            cur.close()
        except BaseException:
            self.discard()
            raise
        return results

    def discard(self) -> None:
        """Drop the connection after an error (rolled back); the next record opens a new one."""
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.invalidate()
            except Exception:  # noqa: BLE001 - it is being thrown away
                pass

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()


def decide(item: Claimed, outcome: Outcome, *, now: datetime, policy: Policy) -> tuple[str, str]:
    """A retry becomes a failure after ``max_attempts`` or ``max_age``: (status, reply)."""
    status, reply = outcome.status, outcome.reply
    if status == "retry":
        age = now - item.created_at
        if item.attempts >= policy.max_attempts:
            return "failed", f"gave up after {item.attempts} attempts: {reply}"
        if age >= policy.max_age:
            return "failed", f"gave up after {age.total_seconds() / 3600:.0f} h: {reply}"
    return status, reply


def finish(engine: Engine, item: Claimed, worker: str, outcome: Outcome, *, now: datetime,
           policy: Policy) -> str:
    """Record one outcome in its own transaction; returns the final status ('lost' if another
    sender owns the message now). The sender batches through a long-lived ``Recorder``."""
    recorder = Recorder(engine)
    try:
        [result] = recorder.record([(item, worker, outcome, now, policy)])
    finally:
        recorder.close()
    return result.status


def release(engine: Engine, worker: str, ids: list[int], *, now: datetime) -> None:
    """Give back claimed messages that were not tried (clean stop); the attempt is not counted."""
    if not ids:
        return
    with engine.begin() as conn:
        conn.execute(update(_T).where(_T.c.id.in_(ids), _T.c.claimed_by == worker, _T.c.status == "sending")
                  .values(status="queued", claimed_by=None, claimed_until=None, attempts=_T.c.attempts - 1))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_dead(engine: Engine, *, now: datetime) -> int:
    """Free at once the claims of senders on this host whose process is gone (no lease wait)."""
    host = socket.gethostname()
    with engine.begin() as conn:
        rows = conn.execute(select(_T.c.id, _T.c.claimed_by)
                         .where(_T.c.status == "sending", _T.c.claimed_by.like(f"{host}:%"))).all()
        dead = []
        for r in rows:
            parts = r.claimed_by.split(":")
            if len(parts) == 3 and parts[1].isdigit() and not _alive(int(parts[1])):
                dead.append(r.id)
        if dead:
            conn.execute(update(_T).where(_T.c.id.in_(dead), _T.c.status == "sending")
                      .values(status="queued", claimed_by=None, claimed_until=None))
    return len(dead)
