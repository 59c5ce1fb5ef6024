"""The customer search index: one folded text document per customer.

Both databases index the same document, built here in Python (accents and case folded,
punctuation split into tokens), and answer the same token-prefix queries: SQLite with an
FTS5 table ranked by bm25, PostgreSQL with a generated tsvector behind a GIN index ranked by
ts_rank. A query word like ``10.0.3`` or ``novak@sez`` becomes a phrase of its tokens with
the last one as a prefix; all-digit queries also try the number, phone digits and VS.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session
from sqlalchemy.engine import Connection

from ispterm.customers.model import Customer, Service, ServiceIp
from ispterm.validation import phone_digits_variants

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PHONE_CHARS = re.compile(r"[\s()+./-]")


def fold(value: str) -> str:
    """Lowercase, strip accents, and turn every run of punctuation into one space."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped).strip()


def document(customer: dict, ips: Iterable[str]) -> str:
    parts: list[str] = [str(customer["number"])]
    for key in (
        "name", "representative", "billing_name", "email", "billing_email", "tech_email",
        "business_email", "other_emails", "street", "city", "zip", "mail_street", "mail_city",
        "billing_street", "billing_city", "ico", "dic", "vs_alt1", "vs_alt2", "vs_alt3",
        "portal_login",
    ):
        value = customer.get(key)
        if value:
            parts.append(str(value))
    for key in ("zip", "mail_zip", "billing_zip"):
        if customer.get(key):
            parts.append(str(customer[key]).replace(" ", ""))
    for key in ("phone", "mobile"):
        if customer.get(key):
            parts.extend(phone_digits_variants(customer[key]))
    parts.extend(ips)
    return fold(" ".join(parts))


_DOC_COLUMNS = [
    Customer.id, Customer.number, Customer.name, Customer.representative, Customer.billing_name,
    Customer.email, Customer.billing_email, Customer.tech_email, Customer.business_email,
    Customer.other_emails, Customer.street, Customer.city, Customer.zip, Customer.mail_street,
    Customer.mail_city, Customer.mail_zip, Customer.billing_street, Customer.billing_city,
    Customer.billing_zip, Customer.ico, Customer.dic, Customer.vs_alt1, Customer.vs_alt2,
    Customer.vs_alt3, Customer.portal_login, Customer.phone, Customer.mobile,
]


def _documents(conn: Connection, chunk: list[int]) -> list[dict]:
    rows = conn.execute(select(*_DOC_COLUMNS).where(Customer.id.in_(chunk))).mappings().all()
    ip_rows = conn.execute(
        select(Service.customer_id, ServiceIp.address)
        .join(ServiceIp, ServiceIp.service_id == Service.id)
        .where(Service.customer_id.in_(chunk))
    ).all()
    ips: dict[int, list[str]] = {}
    for customer_id, address in ip_rows:
        ips.setdefault(customer_id, []).append(address)
    return [{"cid": r["id"], "doc": document(dict(r), ips.get(r["id"], []))} for r in rows]


def reindex(conn: Connection, customer_ids: Iterable[int]) -> None:
    """Rebuild the documents of these customers (in the caller's transaction)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        write_documents(conn, _documents(conn, ids[start : start + 500]), replace=True)


def write_documents(conn: Connection, docs: list[dict], *, replace: bool) -> None:
    """Store prepared documents ``{"cid": id, "doc": text}``; bulk loaders call this directly."""
    if not docs:
        return
    if conn.dialect.name == "postgresql":
        if replace:
            conn.execute(
                text("DELETE FROM customer_search WHERE customer_id = ANY(:ids)"),
                {"ids": [d["cid"] for d in docs]},
            )
        conn.execute(text("INSERT INTO customer_search (customer_id, doc) VALUES (:cid, :doc)"), docs)
    else:
        if replace:
            conn.execute(text("DELETE FROM customer_fts WHERE rowid = :cid"), docs)
        conn.execute(text("INSERT INTO customer_fts (rowid, doc) VALUES (:cid, :doc)"), docs)


def _word_tokens(query: str) -> list[list[str]]:
    words = []
    for word in query.split():
        tokens = fold(word).split()
        if tokens:
            words.append(tokens)
    return words


def _compact_digits(query: str) -> str | None:
    compact = _PHONE_CHARS.sub("", query)
    if compact.isdigit() and len(compact) >= 5:
        return compact.lstrip("0") if compact.startswith("00") else compact
    return None


def _fts5_query(words: list[list[str]], digits: str | None) -> str:
    phrases = []
    for tokens in words:
        quoted = [f'"{t}"' for t in tokens]
        quoted[-1] += " *"
        phrases.append(" + ".join(quoted))
    expr = " AND ".join(phrases)
    if digits and (len(words) > 1 or words[0] != [digits]):
        expr = f'({expr}) OR "{digits}" *'
    return expr


def _tsquery(words: list[list[str]], digits: str | None) -> str:
    phrases = []
    for tokens in words:
        parts = list(tokens)
        parts[-1] += ":*"
        phrases.append("(" + " <-> ".join(parts) + ")")
    expr = " & ".join(phrases)
    if digits and (len(words) > 1 or words[0] != [digits]):
        expr = f"({expr}) | {digits}:*"
    return expr


def search_ids(
    conn: Connection, query: str, *, limit: int = 20, offset: int = 0, include_deleted: bool = False
) -> list[int]:
    """Customer ids best first: exact number or VS matches, then by text rank, then by name."""
    words = _word_tokens(query)
    if not words:
        return []
    digits = _compact_digits(query)
    exact = query.strip() if query.strip().isdigit() else ""
    exact_num = int(exact) if exact and len(exact) <= 18 else -1
    params = {"exact": exact, "exact_num": exact_num, "limit": limit, "offset": offset}
    deleted = "" if include_deleted else "AND c.deleted_at IS NULL"
    boost = (
        "CASE WHEN c.number = :exact_num THEN 0 WHEN c.vs_alt1 = :exact OR c.vs_alt2 = :exact"
        " OR c.vs_alt3 = :exact THEN 1 ELSE 2 END"
    )
    if conn.dialect.name == "postgresql":
        params["q"] = _tsquery(words, digits)
        sql = f"""
            SELECT c.id FROM customer_search s JOIN customer c ON c.id = s.customer_id
            WHERE s.tsv @@ to_tsquery('simple', :q) {deleted}
            ORDER BY {boost}, ts_rank(s.tsv, to_tsquery('simple', :q)) DESC, c.name, c.id
            LIMIT :limit OFFSET :offset"""
    else:
        params["q"] = _fts5_query(words, digits)
        sql = f"""
            SELECT c.id FROM customer_fts f JOIN customer c ON c.id = f.rowid
            WHERE customer_fts MATCH :q {deleted}
            ORDER BY {boost}, bm25(customer_fts), c.name, c.id
            LIMIT :limit OFFSET :offset"""
    return [row[0] for row in conn.execute(text(sql), params)]


def rebuild_all(conn: Connection) -> int:
    """Recreate every document (after a bulk load or to repair the index)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("DELETE FROM customer_search"))
    else:
        conn.execute(text("DELETE FROM customer_fts"))
    ids = [row[0] for row in conn.execute(select(Customer.id))]
    for start in range(0, len(ids), 5000):
        write_documents(conn, _documents(conn, ids[start : start + 5000]), replace=False)
    return len(ids)



@event.listens_for(Session, "after_flush")
def _sync_index(session: Session, _flush_ctx) -> None:
    """Keep the index in step with every flushed change to a customer or its IP addresses."""
    ids: set[int] = set()
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Customer) and obj.id is not None:
                ids.add(obj.id)
            elif isinstance(obj, ServiceIp):
                service = session.get(Service, obj.service_id)
                if service is not None:
                    ids.add(service.customer_id)
    if ids:
        reindex(session.connection(), ids)
