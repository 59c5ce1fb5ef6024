"""The durable outbound queue (MSG-3): enqueue, claim, finish, release.

* ``enqueue`` runs in the caller's transaction: the message, its communication-log row and
  the "queued" history row commit together or not at all.
* ``claim`` marks a batch ``sending`` under a lease in one short transaction: PostgreSQL
  picks rows with ``FOR UPDATE SKIP LOCKED`` inside the UPDATE; SQLite's ``BEGIN IMMEDIATE``
  serialises claimers and ``UPDATE ... RETURNING`` hands the rows back. Rows whose lease ran
  out (their sender died) are claimable again.
* ``QueueConnection.record`` records a group of outcomes in one transaction *after* the
  network talk: sent, retry with exponential backoff, or failed, each with its history and
  communication-log rows and the server's reply. No transaction is open while the SMTP
  server or gateway is talking. ``finish`` is the same for one outcome.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ispterm import validation as v
from ispterm.audit.recorder import record
from ispterm.audit.rows import audit_row
from ispterm.context import Actor
from ispterm.messaging.compose import Attachment, build_email
from ispterm.messaging.journal import Entry
from ispterm.messaging.model import OutboundAttachment, OutboundContent, OutboundMessage
from ispterm.store.quick import pyformat
from ispterm.store.types import session_now
from ispterm.support.model import Communication

SENDER_ACTOR = Actor(id=None, login="mail-sender", role="readonly", name="ispterm sender")
MAX_BACKOFF = timedelta(hours=6)
MAX_TEXT = 1_000_000  # characters of a body: far above any letter, short of what would stall the builder
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
    sensitive: bool = False


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
            contact_id: int | None = None, sensitive: bool = False,
            names: dict[str, str] | None = None, sender_name: str | None = None) -> OutboundMessage:
    """Queue one message in the caller's transaction (with its log and history rows).

    An e-mail is built here, once: the subject is one line and the bodies text (no NUL or
    other control characters but line breaks and tabs, refused naming the field), headers
    are checked (no CR/LF) and the bytes stored. ``names`` (by recipient address) and
    ``sender_name`` are display names, for the headers only: ``recipients`` and ``sender``
    are addresses, stored as typed.
    """
    actor = s.info.get("actor")
    now = session_now(s)  # the Ctx clock of the caller's transaction
    raw = None
    if kind == "email":
        subject = v.single_line(subject or "", field="subject", max_len=300)
        body = v.text_block(body or "", field="body", max_len=MAX_TEXT) or ""
        html = v.text_block(html or "", field="html", max_len=MAX_TEXT)
        raw = build_email(sender=sender or "", recipients=recipients, subject=subject or "", body=body,
                          html=html, message_id=message_id, date=now, attachments=list(attachments),
                          names=names, sender_name=sender_name).as_bytes()
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
                          recipients=to, subject=subject, sensitive=sensitive, created_at=now,
                          next_attempt_at=now, created_by=login)
    s.add(msg)
    s.flush()
    s.add(OutboundContent(message_id=msg.id, body=body, html=html, raw=raw))
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
    return audit_row(at=now, operator=SENDER_ACTOR.login, customer_id=customer_id, entity="message",
                     entity_id=message, action=action, new=new, summary=summary)


def backoff(policy: Policy, attempts: int) -> timedelta:
    return min(policy.backoff * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


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


@dataclass(frozen=True)
class Result:
    """What became of one outcome: sent, queued (retry), failed, or lost (another sender owns it)."""

    status: str
    reply: str


# The sender's statements, pre-built and run on the raw DBAPI connection: they run once per
# message, and SQLAlchemy's per-execution overhead costs more GIL time (the GIL the SMTP
# loop needs) than SQLite itself. Written with :name placeholders (sqlite3); psycopg gets
# them as %(name)s.
# Two picks, so that each walks an index in order and stops at the limit (one OR of both
# made SQLite read every queued row and sort them, per claim): the messages of senders
# that died (their lease ran out; few rows are ever 'sending'), then the due ones.
_EXPIRED = "status = 'sending' AND kind = :kind AND claimed_until < :now"
_DUE = "status = 'queued' AND kind = :kind AND next_attempt_at <= :now"
_CLAIM = ("UPDATE outbound_message SET status = 'sending', claimed_by = :worker, claimed_until = :until, "
          "attempts = attempts + 1 WHERE id IN (SELECT id FROM outbound_message WHERE {pick} "
          "ORDER BY priority, id LIMIT :limit{lock}) "
          "RETURNING id, kind, message_id, sender, recipients, subject, attempts, created_at, priority, sensitive")
# What is sent: the built bytes of an e-mail, the text of an SMS (the other is not fetched).
_CONTENT = ("SELECT message_id, CASE WHEN :kind = 'sms' THEN body ELSE '' END, raw FROM outbound_content "
            "WHERE message_id IN ({ids})")
# PostgreSQL: both picks and the content in one statement, so a claim is one round trip
# (and its own transaction); expired messages may come on top of ``limit`` (a sender died).
_CLAIM_ONE = ("WITH e AS ({expired}), d AS ({due}) SELECT x.*, CASE WHEN :kind = 'sms' THEN c.body ELSE '' END, "
              "c.raw FROM "
              "(SELECT * FROM e UNION ALL SELECT * FROM d) AS x "
              "LEFT JOIN outbound_content AS c ON c.message_id = x.id")
# Sent: the message rows of a group of outcomes, then their communication and history rows
# (and a password-holding body blanked), all in one transaction: a message is never sent
# without its log. The history row reads as ``_log``'s.
_SENT = ("UPDATE outbound_message SET status = 'sent', claimed_by = NULL, claimed_until = NULL, "
         "sent_at = :at, reply = :reply, last_error = NULL, next_attempt_at = :at "
         "WHERE id = :mid AND claimed_by = :worker")
_SENT_AUDIT = ("INSERT INTO audit_event (at, operator, customer_id, entity, entity_id, action, new, summary) "
               "SELECT sent_at, :operator, customer_id, 'message', id, kind || '_sent', substr(reply, 1, 500), "
               "CASE WHEN kind = 'email' THEN 'e-mail' ELSE 'SMS' END || ' to ' || recipients || ' sent: ' "
               "|| substr(reply, 1, 200) FROM {rows} ORDER BY id")
# A join, not a correlated subquery: that made PostgreSQL scan the queue once per row.
_SENT_COMM = ("UPDATE communication SET status = 'sent', detail = m.reply FROM {rows} AS m "
              "WHERE m.communication_id = communication.id")
_BLANKED = "body = '(removed after delivery: it held a password)', html = NULL, raw = NULL"
_BLANK = "UPDATE outbound_content SET " + _BLANKED + " WHERE message_id = :mid"
# PostgreSQL: all of that for the whole group in one statement (one round trip). The group
# travels as one JSON document: psycopg dumps arrays element by element in Python, which
# cost the sender's database thread more than the rest of the commit did.
_SENT_ONE = (
    "WITH s AS (UPDATE outbound_message AS m SET status = 'sent', claimed_by = NULL, claimed_until = NULL, "
    "sent_at = v.at, reply = v.reply, last_error = NULL, next_attempt_at = v.at "
    "FROM json_to_recordset(:outcomes::json) AS v(mid integer, at timestamptz, reply text, secret boolean) "
    "WHERE m.id = v.mid AND m.claimed_by = :worker "
    "RETURNING m.id, m.customer_id, m.communication_id, m.kind, m.recipients, m.sent_at, m.reply, v.secret), "
    "c AS (" + _SENT_COMM.format(rows="s") + "), "
    "a AS (" + _SENT_AUDIT.format(rows="s") + "), "
    "b AS (UPDATE outbound_content SET " + _BLANKED + " FROM s WHERE outbound_content.message_id = s.id "
    "AND s.secret) "
    "SELECT id FROM s")
# Retried or failed (rare): the message, its communication row and history in one go.
_UNSENT = ("UPDATE outbound_message SET status = :status, claimed_by = NULL, claimed_until = NULL, "
           "reply = :reply, last_error = :reply, next_attempt_at = :next "
           "WHERE id = :mid AND claimed_by = :worker RETURNING customer_id, communication_id")
_RELEASE = ("UPDATE outbound_message SET status = 'queued', claimed_by = NULL, claimed_until = NULL "
            "WHERE status = 'sending' AND claimed_by = :worker")
_COMM = "UPDATE communication SET status = :status, detail = :detail WHERE id = :cid"
_AUDIT = ("INSERT INTO audit_event (at, operator, customer_id, entity, entity_id, action, field, old, new, "
          "summary, private_to) VALUES (:at, :operator, :customer_id, :entity, :entity_id, :action, :field, "
          ":old, :new, :summary, :private_to)")


class QueueConnection:
    """The sender's own connection to the queue: claims and outcomes.

    Owned by one thread (a sender's database thread); ``claim``, ``record`` and
    ``record_sent`` each commit before they return. On an error the connection is dropped
    (rolled back) and the next call opens another.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        lock = " FOR UPDATE SKIP LOCKED" if self.pg else ""
        expired, due = _CLAIM.format(pick=_EXPIRED, lock=lock), _CLAIM.format(pick=_DUE, lock=lock)
        # The rows just marked sent, for the log statements (SQLite).
        rows = "(SELECT * FROM outbound_message WHERE id IN ({ids}))"
        sql = {"expired": expired, "due": due, "content": _CONTENT, "claim_one": _CLAIM_ONE.format(expired=expired, due=due),
               "sent": _SENT, "sent_one": _SENT_ONE, "sent_comm": _SENT_COMM.format(rows=rows),
               "sent_audit": _SENT_AUDIT.format(rows=rows), "blank": _BLANK, "unsent": _UNSENT,
               "comm": _COMM, "audit": _AUDIT, "release": _RELEASE}
        self.sql = {k: pyformat(v) for k, v in sql.items()} if self.pg else sql
        # The column type's own conversions, so raw rows hold exactly what SQLAlchemy writes.
        column = _T.c.sent_at.type
        self.stamp = column._cached_bind_processor(engine.dialect) or (lambda v: v)
        self.read_stamp = column._cached_result_processor(engine.dialect, None) or (lambda v: v)
        self.conn = None

    def _cursor(self):
        if self.conn is None:
            self.conn = self.engine.raw_connection()
            if self.pg:
                # One statement commits in one round trip; several get BEGIN ... COMMIT.
                self.conn.driver_connection.autocommit = True
                # Commits return before the WAL reaches the disk, as SQLite's synchronous=NORMAL
                # does: a killed sender loses nothing committed (the server has it); only a
                # crash of the server itself may forget the last outcomes, and those messages
                # are then sent again (never lost). Enqueueing keeps the server's default.
                self.conn.cursor().execute("SET synchronous_commit TO off")
        return self.conn.cursor()

    def _run(self, work):
        """``work(cursor)`` inside BEGIN (IMMEDIATE on SQLite: the write lock up front) ... COMMIT."""
        cur = self._cursor()
        try:
            cur.execute("BEGIN" if self.pg else "BEGIN IMMEDIATE")
            result = work(cur)
            cur.execute("COMMIT")
            cur.close()
        except BaseException:
            self.discard()
            raise
        return result

    def _single(self, work):
        """``work(cursor)`` that is one statement (PostgreSQL): autocommit makes it its own
        transaction, in one round trip."""
        cur = self._cursor()
        try:
            result = work(cur)
            cur.close()
        except BaseException:
            self.discard()
            raise
        return result

    def claim(self, worker: str, *, kind: str, limit: int, lease: timedelta, now: datetime) -> list[Claimed]:
        """Take up to ``limit`` due messages, highest priority then oldest first."""
        until = now + lease
        params = {"worker": worker, "until": self.stamp(until), "now": self.stamp(now), "kind": kind,
                  "limit": limit}

        if self.pg:
            rows = self._single(lambda cur: cur.execute(self.sql["claim_one"], params).fetchall())
            return self._claimed(rows, {r[0]: (r[10], r[11]) for r in rows}, until)

        def work(cur):
            cur.execute(self.sql["expired"], params)
            rows = cur.fetchall()
            if len(rows) < limit:
                cur.execute(self.sql["due"], {**params, "limit": limit - len(rows)})
                rows += cur.fetchall()
            content = {}
            if rows:
                # Integers the database just returned: safe to write into the statement.
                cur.execute(self.sql["content"].format(ids=",".join(str(int(r[0])) for r in rows)), {"kind": kind})
                content = {mid: (body, raw) for mid, body, raw in cur.fetchall()}
            return rows, content

        rows, content = self._run(work)
        return self._claimed(rows, content, until)

    def _claimed(self, rows, content: dict, until: datetime) -> list[Claimed]:
        stamp = self.read_stamp
        out = []
        for r in sorted(rows, key=lambda r: (r[8], r[0])):
            body, raw = content.get(r[0], ("", None))
            out.append(Claimed(r[0], r[1], r[2], r[3], tuple(x.strip() for x in r[4].split(",") if x.strip()),
                               r[5], body, bytes(raw) if raw is not None else None, r[6], stamp(r[7]), until,
                               bool(r[9])))
        return out

    def record(self, done: list[tuple[Claimed, str, Outcome, datetime, Policy]]) -> list[Result]:
        """Record ``(item, worker, outcome, now, policy)`` outcomes, all in one transaction,
        each with its communication and history rows."""
        results: list[Result | None] = [None] * len(done)
        sent: dict[str, list[tuple[int, Entry]]] = {}
        unsent = []
        for n, (item, worker, outcome, now, policy) in enumerate(done):
            status, reply = decide(item, outcome, now=now, policy=policy)
            if status == "sent":
                sent.setdefault(worker, []).append((n, Entry(item.id, now, reply, item.sensitive)))
            else:
                nxt = now + backoff(policy, item.attempts) if status == "retry" else now
                unsent.append((n, item, status, reply, {
                    "mid": item.id, "worker": worker, "reply": reply, "at": self.stamp(now),
                    "status": "queued" if status == "retry" else status, "next": self.stamp(nxt)}))

        def work(cur):
            for worker, group in sent.items():
                found = self._sent(cur, worker, [e for _, e in group])
                for n, e in group:
                    results[n] = Result("sent" if e.id in found else "lost", e.reply)
            for n, item, status, reply, params in unsent:
                cur.execute(self.sql["unsent"], params)
                row = cur.fetchone()
                if row is None:
                    results[n] = Result("lost", reply)
                    continue
                shown = "retrying" if status == "retry" else status
                self._log(cur, [(params["at"], row[0], row[1], item.id, item.kind, ", ".join(item.recipients),
                                 shown, reply, item.attempts)])
                results[n] = Result("queued" if status == "retry" else status, reply)
            return results

        if self.pg and not unsent and len(sent) == 1:
            return self._single(work)
        return self._run(work)

    def record_sent(self, worker: str, entries: list[Entry]) -> set[int]:
        """Record messages ``worker`` sent (a dead sender's journal); returns the ids that
        were still its own, now recorded."""
        work = lambda cur: self._sent(cur, worker, entries)  # noqa: E731
        return self._single(work) if self.pg else self._run(work)

    def _sent(self, cur, worker: str, entries: list[Entry]) -> set[int]:
        """Mark a group of messages sent, with their log rows; the ids that ``worker`` still
        owned (another sender may own one whose lease ran out)."""
        if self.pg:
            outcomes = json.dumps([{"mid": e.id, "at": e.at.astimezone(UTC).isoformat(), "reply": e.reply,
                                    "secret": e.sensitive} for e in entries])
            cur.execute(self.sql["sent_one"], {"worker": worker, "outcomes": outcomes,
                                               "operator": SENDER_ACTOR.login})
            return {row[0] for row in cur.fetchall()}
        found = set()
        for e in entries:
            cur.execute(self.sql["sent"], {"mid": e.id, "worker": worker, "at": self.stamp(e.at), "reply": e.reply})
            if cur.rowcount == 1:
                found.add(e.id)
        if found:
            # Integers the database just returned: safe to write into the statements.
            ids = ",".join(str(int(i)) for i in sorted(found))
            cur.execute(self.sql["sent_comm"].format(ids=ids))
            cur.execute(self.sql["sent_audit"].format(ids=ids), {"operator": SENDER_ACTOR.login})
            for e in entries:
                if e.sensitive and e.id in found:
                    # A body holding a password: blanked once delivered, in the same transaction.
                    cur.execute(self.sql["blank"], {"mid": e.id})
        return found

    def release_worker(self, worker: str) -> int:
        """Put every message ``worker`` holds back in the queue (the attempt stays counted)."""
        return self._run(lambda cur: cur.execute(self.sql["release"], {"worker": worker}).rowcount)

    def _log(self, cur, rows) -> None:
        """Communication status and history rows for ``(at, customer_id, communication_id,
        message, kind, recipients, shown, reply, attempts)`` outcomes."""
        comm, audit = [], []
        for at, customer_id, communication_id, message, kind, to, shown, reply, attempts in rows:
            if communication_id is not None:
                comm.append({"cid": communication_id, "status": shown, "detail": reply})
            what = "e-mail" if kind == "email" else "SMS"
            verb = f"attempt {attempts} failed, will retry" if shown == "retrying" else shown
            audit.append(_audit_row(at, customer_id, message, f"{kind}_{shown}", reply[:500],
                                    f"{what} to {to} {verb}: {reply[:200]}"))
        if comm:
            cur.executemany(self.sql["comm"], comm)
        if audit:
            cur.executemany(self.sql["audit"], audit)

    def discard(self) -> None:
        """Drop the connection after an error (its transaction is rolled back with it)."""
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.invalidate()
            except Exception:  # noqa: BLE001 - it is being thrown away
                pass

    def close(self) -> None:
        """Hand the connection back to the pool as it was taken (or drop it if that fails)."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            if self.pg:
                conn.cursor().execute("RESET synchronous_commit")
                conn.driver_connection.autocommit = False
        except Exception:  # noqa: BLE001 - a broken connection is not given to anyone else
            self.conn = conn
            self.discard()
            return
        conn.close()


def claim(engine: Engine, worker: str, *, kind: str, limit: int, lease: timedelta,
          now: datetime) -> list[Claimed]:
    """One claim on a connection of its own (the sender keeps a ``QueueConnection``)."""
    qc = QueueConnection(engine)
    try:
        return qc.claim(worker, kind=kind, limit=limit, lease=lease, now=now)
    finally:
        qc.close()


def finish(engine: Engine, item: Claimed, worker: str, outcome: Outcome, *, now: datetime,
           policy: Policy) -> str:
    """Record one outcome, its log rows included; returns the final status ('lost' if another
    sender owns the message now)."""
    qc = QueueConnection(engine)
    try:
        [result] = qc.record([(item, worker, outcome, now, policy)])
    finally:
        qc.close()
    return result.status


def release(engine: Engine, worker: str, ids: list[int], *, now: datetime) -> None:
    """Give back claimed messages that were not tried (clean stop); the attempt is not counted."""
    if not ids:
        return
    with engine.begin() as conn:
        conn.execute(update(_T).where(_T.c.id.in_(ids), _T.c.claimed_by == worker, _T.c.status == "sending")
                  .values(status="queued", claimed_by=None, claimed_until=None, attempts=_T.c.attempts - 1))
