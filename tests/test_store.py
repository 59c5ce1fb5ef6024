"""The store: migrations match the models, money and times survive exactly, audit is append-only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from ispterm.errors import StoreError


def test_migrated_schema_matches_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ispterm.store.engine import make_engine
    from ispterm.store.models import metadata
    from ispterm.store.schema_extras import include_object

    engine = make_engine(db_url)
    with engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        assert compare_metadata(mc, metadata) == []
    engine.dispose()


def test_downgrade_and_upgrade_again_on_sqlite(tmp_path):
    from ispterm.store.engine import make_engine
    from ispterm.store.migrate import current_revision, downgrade, head_revision, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", must_exist=False)
    upgrade(engine)
    downgrade(engine, "base")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_upgrade_keeps_the_data_of_a_populated_sqlite_database(tmp_path):
    """Tables that others reference are rebuilt by later migrations: with data in them (the
    demo set: invoices with allocations, notes, tasks) every step must still go through."""
    from sqlalchemy import text

    from ispterm.connect import dispose_engines, initialise, open_ctx
    from ispterm.sample import loader as sample
    from ispterm.store.engine import make_engine
    from ispterm.store.migrate import current_revision, downgrade, head_revision, upgrade

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    initialise(url, "admin")
    sample.load_file(open_ctx(url, "admin"), sample.demo_path())
    dispose_engines()
    engine = make_engine(url)
    counts = "SELECT (SELECT count(*) FROM invoice), (SELECT count(*) FROM payment_allocation), (SELECT count(*) FROM note)"
    with engine.connect() as conn:
        before = conn.execute(text(counts)).one()
    downgrade(engine, "0002")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text(counts)).one() == before
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_sqlite_pragmas(sqlite_url):
    from ispterm.store.engine import make_engine

    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
    engine.dispose()


def test_missing_sqlite_file_is_a_clear_error(tmp_path):
    from ispterm.store.engine import make_engine

    with pytest.raises(StoreError, match="does not exist; run 'ispterm init'"):
        make_engine(f"sqlite:///{tmp_path / 'nope.db'}")
    assert not (tmp_path / "nope.db").exists()


def test_unmigrated_database_is_refused(tmp_path):
    from ispterm.connect import open_ctx
    from ispterm.store.engine import make_engine

    make_engine(f"sqlite:///{tmp_path / 'empty.db'}", must_exist=False).connect().close()
    with pytest.raises(StoreError, match="not initialised"):
        open_ctx(f"sqlite:///{tmp_path / 'empty.db'}", "admin")


def test_unreachable_postgres_is_one_line():
    from ispterm.store.engine import check_reachable, make_engine

    engine = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot open database"):
        check_reachable(engine)


def test_wrong_url_scheme():
    from ispterm.store.engine import make_engine

    with pytest.raises(StoreError, match="unsupported database"):
        make_engine("mysql://x@localhost/y")


def test_money_is_exact_and_float_is_refused(ctx):
    from sqlmodel import select

    from ispterm.customers.model import InventoryItem
    from ispterm.customers.service import create
    from ispterm.store.types import Money

    number = create(ctx, "Exact Money")
    with ctx.write() as s:
        from ispterm.customers.model import Customer

        cid = s.exec(select(Customer.id).where(Customer.number == number)).one()
        for _ in range(10):
            s.add(InventoryItem(customer_id=cid, name="cable", cost=Decimal("0.10")))
    with ctx.read() as s:
        from sqlalchemy import func

        total = s.exec(select(func.sum(InventoryItem.cost))).one()
    assert total == Decimal("1.00") and isinstance(total, Decimal)
    with pytest.raises(TypeError, match="never float"):
        Money().process_bind_param(0.1, None)


def test_datetimes_come_back_aware_utc(ctx):
    from ispterm.customers.service import create, get_card
    from tests.clock import ctx_at, instant

    at = "2031-05-17T00:30:00+02:00"
    number = create(ctx_at(ctx, at), "Time Zone")
    card = get_card(ctx, number)
    assert card.created_at.tzinfo is not None
    assert card.created_at.utcoffset() == timedelta(0)
    # Stamped by the Ctx clock (a column's default too), never the machine's.
    assert card.created_at == card.updated_at == instant(at)


def test_audit_rows_are_append_only(ctx):
    from ispterm.customers.service import create

    create(ctx, "Audited")
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="append-only"):
        with ctx.write() as s:
            s.connection().execute(text("UPDATE audit_event SET operator = 'mallory'"))
    with pytest.raises(DBAPIError, match="append-only"):
        with ctx.write() as s:
            s.connection().execute(text("DELETE FROM audit_event"))
    with ctx.read() as s:
        assert s.connection().execute(text("SELECT count(*) FROM audit_event WHERE operator = 'admin'")).scalar() >= 1


def test_light_head_revision_agrees_with_alembic():
    """The start-up schema check reads revisions without Alembic; it must name Alembic's head,
    and know the same chain (what is older, what is unknown)."""
    from alembic.script import ScriptDirectory

    from ispterm.store.migrate import _alembic_config, head_revision, revision_chain

    script = ScriptDirectory.from_config(_alembic_config())
    assert head_revision() == script.get_current_head()
    assert revision_chain() == [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.mark.parametrize("offset,newer", [(1, True), (90, True), (0, False), (-1, False)])
def test_an_unknown_revision_is_newer_by_its_number(offset, newer):
    """Numbers, not strings: 0010 and 100 come after 0009; 0009_x and 0008_x are not ours."""
    from ispterm.store.migrate import head_revision, schema_refusal

    head = head_revision()
    for revision in (f"{int(head) + offset:04d}_next", str(int(head) + offset)):
        if revision == head:
            continue
        refusal = schema_refusal([revision], True)
        assert refusal is not None
        assert ("newer than this ispterm" in refusal) is newer, revision
        assert ("does not know" in refusal) is not newer, revision


def test_search_index_gets_prefix_indexes_and_keeps_its_documents_both_ways(tmp_path):
    """Migration 0007 rebuilds the FTS5 table with prefix indexes; the documents survive."""
    from sqlalchemy import text

    from ispterm.connect import dispose_engines, initialise, open_ctx
    from ispterm.customers import service as cs
    from ispterm.store.engine import make_engine
    from ispterm.store.migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'fts.db'}"
    initialise(url, "admin")
    ctx = open_ctx(url, "admin")
    number = cs.create(ctx, "Lukáš Bednář", {"email": "lukas.bednar@example.cz"})
    dispose_engines()
    engine = make_engine(url)
    table_sql = "SELECT sql FROM sqlite_master WHERE name = 'customer_fts'"

    def found(query: str) -> list[int]:
        return [row.number for row in cs.search(open_ctx(url, "admin"), query)]

    with engine.connect() as conn:
        assert "prefix = '1 2 3'" in conn.execute(text(table_sql)).scalar()
    assert found("lukas.b") == [number] and found("b") == [number]
    downgrade(engine, "0006")
    with engine.connect() as conn:
        assert "prefix" not in conn.execute(text(table_sql)).scalar()
        assert conn.execute(text("SELECT count(*) FROM customer_fts")).scalar() == 1
    dispose_engines()
    upgrade(engine)
    with engine.connect() as conn:
        assert "prefix = '1 2 3'" in conn.execute(text(table_sql)).scalar()
        assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'customer_fts_old%'")).scalar() == 0
    assert found("lukas.b") == [number]
    engine.dispose()
    dispose_engines()


def test_upgrade_to_0008_writes_the_log_rows_a_crashed_sender_left_flagged(db_url):
    """0008 drops outbound_message.log_pending; sent messages still flagged get their
    communication and history rows first, on both databases."""
    from ispterm.connect import dispose_engines, open_ctx
    from ispterm.customers.service import create
    from ispterm.store.engine import make_engine
    from ispterm.store.migrate import current_revision, downgrade, head_revision, upgrade
    from tests.mailfixtures import fill_queue

    ctx = open_ctx(db_url, "admin")
    number = create(ctx, "Flagged", {"email": "flagged@example.cz"})
    fill_queue(ctx, 3, customer_number=number)
    dispose_engines()
    engine = make_engine(db_url)
    downgrade(engine, "0007")
    with engine.begin() as conn:
        conn.execute(text("UPDATE outbound_message SET status = 'sent', reply = '250 ok', sent_at = created_at, "
                          "log_pending = TRUE WHERE id IN (SELECT min(id) FROM outbound_message)"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        history = conn.execute(text("SELECT summary FROM audit_event WHERE action = 'email_sent'")).scalars().all()
        comms = conn.execute(text("SELECT status, detail FROM communication ORDER BY id")).all()
    assert history == ["e-mail to user0@example.cz sent: 250 ok"]
    assert [tuple(c) for c in comms] == [("sent", "250 ok"), ("queued", None), ("queued", None)]
    engine.dispose()
