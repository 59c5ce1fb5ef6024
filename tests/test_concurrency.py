"""Concurrent writers: two processes on one SQLite file, parallel sessions on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from ispterm.customers import service as cs
from ispterm.errors import Conflict

WRITER = textwrap.dedent("""
    import sys
    from ispterm.connect import open_ctx
    from ispterm.customers import service as cs
    from ispterm.notes.service import add_note
    url, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ctx = open_ctx(url, "admin")
    shared = int(sys.argv[4])
    for i in range(count):
        n = cs.create(ctx, f"Writer {tag} {i}", {"city": "Brno"})
        add_note(ctx, n, f"note {tag} {i}")
        add_note(ctx, shared, f"shared {tag} {i}")
    print("done", tag)
""")


@pytest.mark.slow
def test_two_processes_write_one_sqlite_file(sqlite_url):
    from ispterm.connect import open_ctx
    from ispterm.notes.service import list_notes

    ctx = open_ctx(sqlite_url, "admin")
    shared = cs.create(ctx, "Shared Target")
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, sqlite_url, tag, "40", str(shared)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for tag in ("A", "B")]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "database is locked" not in err
    numbers = [r.number for r in cs.search(ctx, "writer", limit=1000)]
    assert len(numbers) == 80 and len(set(numbers)) == 80
    assert len(list_notes(ctx, shared)) == 80


def test_parallel_creates_get_unique_numbers(ctx, db_url):
    from ispterm.connect import open_ctx

    errors: list[BaseException] = []
    made: list[int] = []
    lock = threading.Lock()

    def work(tag: str) -> None:
        c = open_ctx(db_url, "admin")
        try:
            for i in range(10):
                n = cs.create(c, f"Parallel {tag} {i}")
                with lock:
                    made.append(n)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in "ABC"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(made) == 30 and len(set(made)) == 30


def test_concurrent_edits_one_wins_the_other_conflicts(ctx, db_url):
    from ispterm.connect import open_ctx

    n = cs.create(ctx, "Race")
    version = cs.get_card(ctx, n).version
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def edit(city: str) -> None:
        c = open_ctx(db_url, "admin")
        barrier.wait()
        try:
            cs.update(c, n, {"city": city}, expected_version=version)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(city,)) for city in ("Brno", "Praha")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert cs.get_card(ctx, n).version == version + 1


def test_writer_waits_for_a_held_sqlite_lock_instead_of_failing(sqlite_url):
    """Another process holding the write lock delays us; it does not make us fail."""
    import time

    from ispterm.connect import open_ctx

    path = sqlite_url.removeprefix("sqlite:///")
    ctx = open_ctx(sqlite_url, "admin")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\n"
         "print('locked', flush=True)\n"
         "time.sleep(1.5)\n"
         "c.execute('COMMIT')\n", path],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    started = time.perf_counter()
    number = cs.create(ctx, "Patient Writer")
    waited = time.perf_counter() - started
    holder.wait(timeout=30)
    assert waited >= 0.5
    assert cs.get_card(ctx, number).name == "Patient Writer"
