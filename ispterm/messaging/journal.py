"""The sender's outcome journal: a sent message is noted on local disk before the next DATA
on its connection, and reaches the database a moment later in a group commit.

Why a local file and not a commit per message: the duplicate bound (a killed sender re-sends
at most the one message per connection that the server accepted but nobody noted) needs the
outcome to outlive the process before the next DATA. A database round trip per message for
that cost a third of the throughput on a 2-core PostgreSQL host even when made from another
process; one ``write`` to a file in the page cache costs microseconds and outlives a SIGKILL.

The next sender started on the same host for the same database replays the journals of
dead senders before it frees their claims, so their noted messages are recorded, never
sent again. Not fsynced: like ``synchronous_commit = off``, a crash of the machine itself
may forget the last outcomes, and those messages are sent again (never lost). A sender
that dies and is never restarted on its host leaves its last unrecorded outcomes (at most
one group commit, ~50 ms of sending) to be sent again by another host after the lease.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger("ispterm.sender")

SUFFIX = ".journal"
# Truncated when every outcome in it is recorded and it has grown past this.
ROTATE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Entry:
    """A sent message, as the database needs it to record the outcome."""

    id: int
    at: datetime
    reply: str
    sensitive: bool = False


def directory() -> Path:
    from ispterm.config import data_dir

    return data_dir() / "sender-journal"


def database_key(engine: Engine) -> str:
    """Which database a journal belongs to: the URL without its password (SQLite: the absolute path)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=True)


class Journal:
    """One sender's journal file, written only from the event loop.

    ``note`` appends before the next DATA; ``recorded`` counts outcomes the database has
    committed, and once all are, the file is emptied (past ``ROTATE_BYTES``) or, on a clean
    ``close``, removed.
    """

    def __init__(self, folder: Path, database: str, worker: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / (worker.replace(":", "_").replace("/", "_") + SUFFIX)
        self.header = (json.dumps({"database": database, "worker": worker}) + "\n").encode()
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
        os.write(self.fd, self.header)
        self.size = len(self.header)
        self.noted = 0
        self.done = 0

    def note(self, entry: Entry) -> None:
        line = (json.dumps([entry.id, entry.at.isoformat(), entry.reply, entry.sensitive]) + "\n").encode()
        os.write(self.fd, line)
        self.size += len(line)
        self.noted += 1

    def recorded(self, count: int) -> None:
        self.done += count
        if self.done >= self.noted and self.size > ROTATE_BYTES:
            os.ftruncate(self.fd, 0)
            os.write(self.fd, self.header)
            self.size = len(self.header)

    @property
    def pending(self) -> int:
        return self.noted - self.done

    def close(self) -> None:
        """Close; remove the file when every outcome in it is recorded, else leave it to replay."""
        os.close(self.fd)
        if self.pending <= 0:
            self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read(path: Path) -> tuple[dict[str, object], list[Entry]]:
    """(header, entries); a line cut short by a crash of the machine is skipped."""
    lines = path.read_bytes().splitlines()
    header: dict[str, object] = json.loads(lines[0]) if lines else {}
    entries = []
    for line in lines[1:]:
        try:
            mid, at, reply, sensitive = json.loads(line)
            entries.append(Entry(int(mid), datetime.fromisoformat(at), str(reply), bool(sensitive)))
        except (ValueError, TypeError):
            log.warning("%s: skipped a damaged journal line", path)
    return header, entries


def orphans(folder: Path, database: str) -> list[tuple[Path, str, list[Entry]]]:
    """Journals of senders on this host, for this database, whose process is gone:
    (path, worker, entries). Others' journals are left alone."""
    host = socket.gethostname()
    found = []
    for path in sorted(folder.glob("*" + SUFFIX)) if folder.is_dir() else ():
        try:
            header, entries = _read(path)
        except (OSError, ValueError) as exc:
            log.warning("cannot read sender journal %s: %s", path, exc)
            continue
        worker = str(header.get("worker", ""))
        parts = worker.split(":")
        if header.get("database") != database or len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
            continue
        if _alive(int(parts[1])):
            continue
        found.append((path, worker, entries))
    return found


def replay(folder: Path, database: str, record: Callable[[str, list[Entry]], Collection[int]],
           release: Callable[[str], object]) -> int:
    """For each dead sender's journal: record the outcomes it noted (``record(worker,
    entries)`` commits them), put the rest of its claims back in the queue at once
    (``release(worker)``), then remove the journal. Returns the messages recorded.

    Only the claims of senders whose journal was read are freed before their lease ends:
    one whose journal is out of sight (another user's data directory) may have noted
    messages as sent that the database does not know of yet.
    """
    total = 0
    for path, worker, entries in orphans(folder, database):
        if entries:
            total += len(record(worker, entries))
            log.info("recorded %d outcome(s) from the journal of dead sender %s", len(entries), worker)
        release(worker)
        path.unlink(missing_ok=True)
    return total
