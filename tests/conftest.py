"""Fixtures: isolated config/data dirs, and a fresh database per test on SQLite and PostgreSQL.

PostgreSQL runs at 127.0.0.1:5432 (user postgres, trust auth). Each test run creates its
own database (one per xdist worker) and drops it at the end; each test starts from the
tables as ``initialise`` leaves them (restored by one SQL script, see ``_snapshot_script``). Under CI=true an unreachable server fails the run instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("ISPTERM_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ADMIN = "admin"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Never read or write the developer's own config or data."""
    monkeypatch.setenv("ISPTERM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ISPTERM_DATA_DIR", str(tmp_path / "data"))
    for var in ("ISPTERM_DB", "ISPTERM_OPERATOR", "ISPTERM_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TZ", "Europe/Prague")
    # The C library reads TZ only on tzset (or some localtime calls): without this, local
    # times depend on which earlier test in the same worker happened to trigger it.
    time.tzset()
    yield


def _pg_reachable() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_database(tmp_path_factory):
    """A database of this run (and xdist worker), migrated once, dropped at the end."""
    from sqlalchemy import create_engine, text

    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL tests must run under CI but the server is unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"ispterm_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    from ispterm.store.engine import make_engine
    from ispterm.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    from ispterm.connect import dispose_engines

    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated, initialised SQLite file copied for every test (much faster than migrating)."""
    from ispterm.connect import initialise

    path = tmp_path_factory.mktemp("tpl") / "template.db"
    initialise(f"sqlite:///{path}", ADMIN)
    return path


def _reset_tables() -> list[str]:
    """Every table a test may fill: the ORM's and the search index (not alembic_version)."""
    from ispterm.store.models import metadata

    return [*metadata.tables, "customer_search"]


def _truncate(url: str) -> None:
    from sqlalchemy import text

    from ispterm.store.engine import make_engine

    engine = make_engine(url)
    tables = ", ".join(f'"{t}"' for t in _reset_tables())
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _snapshot_script(url: str) -> str | None:
    """One SQL script that brings the database back to what ``initialise`` left in it now.

    ``TRUNCATE`` of every table and ``initialise`` cost 0.2 s per test on a quiet machine and
    0.5-0.8 s while the other worker runs; this script costs a few milliseconds. It deletes
    every row (as ``session_replication_role = replica``, so neither foreign keys nor the
    append-only trigger of audit_event apply while the whole database is emptied), inserts the
    rows ``initialise`` made, and sets every sequence where ``initialise`` left it. Only a
    superuser may take that role: for another server account, None (truncate and initialise).
    """
    import psycopg

    with psycopg.connect(_libpq_url(url), autocommit=True) as conn:
        if not conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            return None
        tables = _reset_tables()
        script = ["BEGIN", "SET LOCAL session_replication_role = replica"]
        script += [f'DELETE FROM "{t}"' for t in tables]
        for table in tables:
            rows = conn.execute(f'SELECT json_agg(t) FROM "{table}" t').fetchone()[0]
            if not rows:
                continue
            columns = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,))]
            names = ", ".join(f'"{c}"' for c in columns)
            data = _sql_literal(json.dumps(rows))
            script.append(f'INSERT INTO "{table}" ({names}) SELECT {names} '
                          f'FROM json_populate_recordset(NULL::"{table}", {data})')
        for name, last, called in conn.execute(
                "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value), "
                "last_value IS NOT NULL FROM pg_sequences WHERE schemaname = 'public'"):
            script.append(f"SELECT setval({_sql_literal(name)}, {last}, {str(called).lower()})")
        script.append("COMMIT")
    return ";\n".join(script)


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh database, initialised with default code lists and master admin 'admin'."""
    from ispterm.connect import dispose_engines

    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "ispterm.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
    yield url
    dispose_engines()


@pytest.fixture(scope="session")
def pg_initialised(pg_database) -> str | None:
    """The run's database initialised once; the script that restores that state (or None)."""
    from ispterm.connect import dispose_engines, initialise

    initialise(pg_database, ADMIN)
    dispose_engines()
    return _snapshot_script(pg_database)


@pytest.fixture
def pg_url(pg_database, pg_initialised) -> str:
    """A fresh PostgreSQL database, for what only PostgreSQL can show (a server that drops
    its connections); initialised as ``db_url``: every table as ``initialise`` leaves it."""
    from ispterm.connect import dispose_engines, initialise

    dispose_engines()
    if pg_initialised is None:
        _truncate(pg_database)
        initialise(pg_database, ADMIN)
    else:
        import psycopg

        with psycopg.connect(_libpq_url(pg_database), autocommit=True) as conn:
            conn.execute(pg_initialised)
    yield pg_database
    dispose_engines()


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    path = tmp_path / "ispterm.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"
    from ispterm.connect import dispose_engines

    dispose_engines()


@pytest.fixture
def ctx(db_url):
    from ispterm.connect import open_ctx

    return open_ctx(db_url, ADMIN)


@pytest.fixture
def as_role(ctx, db_url):
    """Make an operator with a role and return a Ctx acting as them: as_role('support')."""
    from ispterm.connect import open_ctx
    from ispterm.operators.service import add_operator

    made: dict[str, object] = {}

    def make(role: str, login: str | None = None):
        login = login or f"op_{role}"
        if login not in made:
            add_operator(ctx, login, role)
            made[login] = open_ctx(db_url, login)
        return made[login]

    return make


@pytest.fixture
def cli(db_url, capsys):
    """Run the CLI in-process against the test database: cli('customer', 'show', '10001')."""
    return cli_on(db_url, capsys)


def cli_on(url: str, capsys):
    """The ``cli`` fixture's runner for a database of the test's choosing."""
    from ispterm.cli.main import main

    def run(*args: str, operator: str = ADMIN) -> tuple[int, str, str]:
        capsys.readouterr()
        code = 0
        try:
            main(["--db", url, "--operator", operator, *args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_ispterm(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -m ispterm`` in a subprocess (for import hygiene and real exit codes)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "ispterm", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The bundled demo data set in a SQLite file, made once per run (fixed dates: stable)."""
    from ispterm.connect import dispose_engines, initialise, open_ctx
    from ispterm.sample import loader as sample

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    initialise(url, ADMIN)
    sample.load_file(open_ctx(url, ADMIN), sample.demo_path())
    dispose_engines()
    return path


@pytest.fixture
def demo_url(tmp_path, demo_template) -> str:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    yield f"sqlite:///{path}"
    from ispterm.connect import dispose_engines

    dispose_engines()


def pytest_collection_modifyitems(config, items):
    """App tests run on SQLite; those marked ``both_databases`` on PostgreSQL too.

    The app holds no SQL: every read and write goes through the services, and those are
    tested on both databases. The app tests that also run on PostgreSQL are the ones whose
    point involves the database under the app (a save, a conflict between two writers, a
    worker thread's connection, loads answered out of order); the rest would repeat the
    same keys and screens against the same services at twice the cost (a third of the run).
    """
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_pg = callspec is not None and callspec.params.get("db_url") == "postgresql"
        if (on_pg and item.path.name.startswith("test_app")
                and item.get_closest_marker("both_databases") is None):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
