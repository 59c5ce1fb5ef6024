"""Databases this ispterm must not or cannot change: a schema stamped by a newer ispterm (or
by nothing we know), and a SQLite file the user may only read. Each is one line and exit 1,
and the database stays exactly as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ispterm.store.migrate import head_revision

# --- schema revisions this ispterm does not know ------------------------------------------

NEWER = "the database is at schema revision 0042_xyz, newer than this ispterm (which knows up to {head}); upgrade ispterm"
UNKNOWN = ("the database is at schema revision {rev}, which this ispterm does not know (it knows 0001 to "
           "{head}): it was not made by ispterm, or its alembic_version table is damaged")
FAULTS = {
    "newer": (["0042_xyz"], NEWER),
    "foreign": (["deadbeef"], UNKNOWN.replace("{rev}", "deadbeef")),
    "unknown-but-not-newer": (["0003_branch"], UNKNOWN.replace("{rev}", "0003_branch")),
    "empty-stamp": ([], "the database has tables but no schema revision (its alembic_version table is "
                        "empty): it is not an ispterm database, or its revision stamp was lost"),
    "two-stamps": (["{head}", "0042_xyz"], "the database has 2 schema revisions ({head}, 0042_xyz) where "
                                           "ispterm keeps one: its alembic_version table is damaged"),
}
COMMANDS = [
    ("init",), ("db", "upgrade"), ("db", "status"), ("customer", "show", "10001"),
    ("customer", "search", "novak"), ("customer", "add", "--name", "Nobody"), ("history",), ("open", "10001"),
]


def _stamp(url: str, revisions: list[str]) -> None:
    from sqlalchemy import text

    from ispterm.store.engine import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        for revision in revisions:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": revision})
    engine.dispose()


@pytest.fixture
def stamp(db_url):
    """Stamp the test database; its head stamp is put back afterwards (the PostgreSQL
    database is shared by the run, and alembic_version is not among the tables reset)."""
    from ispterm.connect import dispose_engines

    yield lambda revisions: _stamp(db_url, revisions)
    dispose_engines()
    _stamp(db_url, [head_revision()])


def _contents(url: str) -> dict[str, object]:
    """Every table with its columns and rows: what "exactly as it was" is checked against."""
    from sqlalchemy import inspect, text

    from ispterm.store.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        inspector = inspect(conn)
        found: dict[str, object] = {}
        for table in sorted(inspector.get_table_names()):
            columns = [c["name"] for c in inspector.get_columns(table)]
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            found[table] = (columns, sorted(map(repr, rows)))
    engine.dispose()
    return found


@pytest.mark.parametrize("fault", FAULTS)
def test_a_revision_this_ispterm_does_not_know_is_one_line_everywhere(cli, db_url, stamp, fault):
    from ispterm.connect import dispose_engines, open_ctx
    from ispterm.customers.service import create

    head = head_revision()
    revisions, message = FAULTS[fault]
    message = message.replace("{head}", head)
    create(open_ctx(db_url, "admin"), "Jan Novák")
    dispose_engines()
    stamp([r.replace("{head}", head) for r in revisions])
    before = _contents(db_url)
    for command in COMMANDS:
        code, out, err = cli(*command)
        assert (code, err) == (1, f"error: {message}\n"), command
        if command == ("db", "status"):
            assert out.startswith("database: ") and out.endswith(f"; ispterm: {head}\n")
        else:
            assert out == "", command
    dispose_engines()
    assert _contents(db_url) == before


def test_an_older_revision_still_says_upgrade_and_db_status_says_why(cli, stamp):
    from ispterm.connect import dispose_engines

    stamp(["0008"])
    code, out, err = cli("db", "status")
    assert (code, out) == (1, f"database: 0008; ispterm: {head_revision()}\n")
    assert err == f"error: database schema is at 0008, this ispterm needs {head_revision()}; run 'ispterm db upgrade'\n"
    stamp([head_revision()])
    dispose_engines()
    assert cli("db", "status") == (0, f"database: {head_revision()}; ispterm: {head_revision()}\n", "")


# --- a SQLite file this user may not write ------------------------------------------------


def _unprivileged() -> list[str]:
    """The command prefix that makes file permissions apply to a subprocess.

    Tests run as root here, which ignores them: the subprocess stays root (the interpreter of
    the virtualenv may be under /root, which no other user can reach) but loses the
    capabilities that override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is needed to run a process that file permissions apply to")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_unprivileged(), sys.executable, *args], capture_output=True, text=True, timeout=120)


def _digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture
def locked(tmp_path, sqlite_url):
    """The test database with customer 10001, file and directory made read-only; restored
    afterwards so the directory can be removed."""
    from ispterm.connect import dispose_engines, open_ctx
    from ispterm.customers.service import create

    create(open_ctx(sqlite_url, "admin"), "Jan Novák")
    dispose_engines()
    directory = tmp_path / "ro"
    directory.mkdir()
    path = directory / "ispterm.db"
    shutil.move(sqlite_url.removeprefix("sqlite:///"), path)
    assert sorted(p.name for p in directory.iterdir()) == ["ispterm.db"]  # no -wal, no -shm

    def lock(file_mode: int, dir_mode: int) -> Path:
        path.chmod(file_mode)
        directory.chmod(dir_mode)
        probe = _run("-c", f"open({str(path)!r}, 'r+b')")
        if "PermissionError" not in probe.stderr:
            pytest.fail(f"could not make {path} unwritable for a subprocess: {probe.stderr or 'it opened'}")
        return path

    yield lock
    directory.chmod(0o755)
    path.chmod(0o644)


@pytest.mark.parametrize("dir_mode", [0o555, 0o755], ids=["read-only-directory", "writable-directory"])
def test_a_file_the_user_may_only_read_is_read_and_writes_are_one_clear_line(locked, dir_mode):
    """A WAL file whose -shm index does not exist: in a directory the user may not write it
    cannot be made, so the file (nobody may write it) is opened immutable; else SQLite makes it."""
    path = locked(0o444, dir_mode)
    before = _digest(path.parent)
    db = ["-m", "ispterm", "--db", str(path), "--operator", "admin"]
    for readonly in (["--readonly"], []):
        result = _run(*db[:2], *readonly, *db[2:], "customer", "show", "10001")
        assert (result.returncode, result.stderr) == (0, ""), readonly
        assert "Jan Novák" in result.stdout
    result = _run(*db, "customer", "search", "novak")
    assert result.returncode == 0 and "10001" in result.stdout, result.stderr
    quick = ("from ispterm.store import quick\nfrom ispterm.customers.header import read_header\n"
             f"with quick.connect({str(path)!r}) as conn:\n"
             "    quick.check_schema(conn); quick.check_operator(conn, 'admin'); print(read_header(conn, 10001).name)")
    result = _run("-c", quick)  # what 'ispterm open' reads before its first frame
    assert (result.returncode, result.stdout, result.stderr) == (0, "Jan Novák\n", "")
    refusal = f"error: cannot change database {path}: you may not write the file\n"
    for command in (["customer", "add", "--name", "Nobody"], ["note", "add", "10001", "hi"], ["init"], ["db", "upgrade"]):
        result = _run(*db, *command)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", refusal), command
    if dir_mode == 0o555:
        assert _digest(path.parent) == before
    else:  # SQLite made the index it reads through; the database itself is as it was
        assert {k: v for k, v in _digest(path.parent).items() if k == path.name} == {path.name: before[path.name]}


def test_a_wal_file_someone_may_still_write_in_a_read_only_directory_says_what_to_do(locked):
    """Without its -shm index and with a writer possible (the group may write), reading it
    immutable could see a half-written page: refused, naming the file and the ways out."""
    path = locked(0o464, 0o555)
    before = _digest(path.parent)
    result = _run("-m", "ispterm", "--readonly", "--db", str(path), "--operator", "admin", "customer", "show", "10001")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"error: cannot read database {path}: it is in WAL mode and SQLite must create ispterm.db-shm in "
        f"{path.parent}, which you may not write; read a copy in a directory of yours, or have the directory "
        "made writable for you, or (if nothing writes it any more) make the file read-only for everyone: chmod a-w\n")
    assert _digest(path.parent) == before
