"""Database objects the ORM metadata cannot express: the search index and audit guards.

Both dialects get the same behaviour from different objects, so migrations call these
helpers instead of repeating raw SQL.
"""

from __future__ import annotations

SEARCH_TABLES = ("customer_fts", "customer_search")

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE customer_fts USING fts5(doc, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TABLE IF EXISTS customer_fts",
]
_PG_UP = [
    "CREATE TABLE customer_search ("
    " customer_id integer PRIMARY KEY REFERENCES customer(id),"
    " doc text NOT NULL,"
    " tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', doc)) STORED)",
    "CREATE INDEX ix_customer_search_tsv ON customer_search USING gin (tsv)",
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]
_PG_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
    "DROP TABLE IF EXISTS customer_search",
]


def create_extras(op) -> None:
    for sql in _PG_UP if op.get_bind().dialect.name == "postgresql" else _SQLITE_UP:
        op.execute(sql)


def drop_extras(op) -> None:
    for sql in _PG_DOWN if op.get_bind().dialect.name == "postgresql" else _SQLITE_DOWN:
        op.execute(sql)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Keep the search index (and FTS5 shadow tables) out of model/schema comparison."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLES):
        return False
    return True
