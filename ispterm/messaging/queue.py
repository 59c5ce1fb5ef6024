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

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ispterm.audit.recorder import record
from ispterm.context import Actor
from ispterm.messaging.compose import Attachment
from ispterm.messaging.model import OutboundAttachment, OutboundMessage
from ispterm.support.model import Communication

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
    html: str | None
    attachments: tuple[Attachment, ...]
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
    """Queue one message in the caller's transaction (with its log and history rows)."""
    actor = s.info.get("actor")
    now = s.info.get("now")
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
                          recipients=to, subject=subject, body=body, html=html,
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


def _session(engine: Engine, now: datetime) -> Session:
    s = Session(engine, expire_on_commit=False)
    s.info["actor"] = SENDER_ACTOR
    s.info["now"] = now
    return s


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
                       _T.c.body, _T.c.html, _T.c.attempts, _T.c.created_at, _T.c.priority))
    with _session(engine, now) as s, s.begin():
        rows = sorted(s.execute(stmt).all(), key=lambda r: (r.priority, r.id))
        files: dict[int, list[Attachment]] = {}
        if rows:
            a = OutboundAttachment.__table__
            for r in s.execute(select(a.c.message_id, a.c.filename, a.c.content_type, a.c.content)
                               .where(a.c.message_id.in_([r.id for r in rows])).order_by(a.c.id)):
                files.setdefault(r.message_id, []).append(Attachment(r.filename, r.content_type, r.content))
    return [Claimed(r.id, r.kind, r.message_id, r.sender,
                    tuple(x.strip() for x in r.recipients.split(",") if x.strip()), r.subject, r.body,
                    r.html, tuple(files.get(r.id, ())), r.attempts, r.created_at, until) for r in rows]


def backoff(policy: Policy, attempts: int) -> timedelta:
    return min(policy.backoff * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def finish(engine: Engine, item: Claimed, worker: str, outcome: Outcome, *, now: datetime,
           policy: Policy) -> str:
    """Record an outcome; returns the final status ('lost' if another sender owns it now)."""
    status, reply = outcome.status, outcome.reply
    if status == "retry":
        age = now - item.created_at
        if item.attempts >= policy.max_attempts:
            status, reply = "failed", f"gave up after {item.attempts} attempts: {reply}"
        elif age >= policy.max_age:
            status, reply = "failed", f"gave up after {age.total_seconds() / 3600:.0f} h: {reply}"
    values: dict = {"claimed_by": None, "claimed_until": None}
    if status == "sent":
        values.update(status="sent", sent_at=now, reply=reply, last_error=None)
    elif status == "failed":
        values.update(status="failed", last_error=reply, reply=reply)
    else:
        values.update(status="queued", last_error=reply, next_attempt_at=now + backoff(policy, item.attempts))
    with _session(engine, now) as s, s.begin():
        stmt = (update(_T).where(_T.c.id == item.id, _T.c.claimed_by == worker).values(**values)
                .returning(_T.c.customer_id, _T.c.communication_id, _T.c.sensitive))
        row = s.execute(stmt).first()
        if row is None:
            return "lost"
        if row.sensitive and status == "sent":
            s.execute(update(_T).where(_T.c.id == item.id)
                      .values(body="(removed after delivery: it held a password)", html=None))
        shown = "retrying" if status == "queued" or status == "retry" else status
        if row.communication_id is not None:
            c = Communication.__table__
            s.execute(update(c).where(c.c.id == row.communication_id).values(status=shown, detail=reply))
        what = "e-mail" if item.kind == "email" else "SMS"
        to = ", ".join(item.recipients)
        verb = {"sent": "sent", "failed": "failed", "retrying": f"attempt {item.attempts} failed, will retry"}[shown]
        record(s, customer_id=row.customer_id, entity="message", entity_id=item.id,
               action=f"{item.kind}_{shown}", new=reply[:500],
               summary=f"{what} to {to} {verb}: {reply[:200]}")
    return "queued" if status == "retry" else status


def release(engine: Engine, worker: str, ids: list[int], *, now: datetime) -> None:
    """Give back claimed messages that were not tried (clean stop); the attempt is not counted."""
    if not ids:
        return
    with _session(engine, now) as s, s.begin():
        s.execute(update(_T).where(_T.c.id.in_(ids), _T.c.claimed_by == worker, _T.c.status == "sending")
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
    with _session(engine, now) as s, s.begin():
        rows = s.execute(select(_T.c.id, _T.c.claimed_by)
                         .where(_T.c.status == "sending", _T.c.claimed_by.like(f"{host}:%"))).all()
        dead = []
        for r in rows:
            parts = r.claimed_by.split(":")
            if len(parts) == 3 and parts[1].isdigit() and not _alive(int(parts[1])):
                dead.append(r.id)
        if dead:
            s.execute(update(_T).where(_T.c.id.in_(dead), _T.c.status == "sending")
                      .values(status="queued", claimed_by=None, claimed_until=None))
    return len(dead)
