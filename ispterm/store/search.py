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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.orm import Mapped, Session, UOWTransaction
from sqlmodel import col

from ispterm.customers.model import Customer, Service, ServiceIp
from ispterm.validation import phone_digits_variants

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PHONE_CHARS = re.compile(r"[\s()+-]")  # not "." or "/": those make IPs


def fold(value: str) -> str:
    """Lowercase, strip accents, and turn every run of punctuation into one space."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped).strip()


def name_key(name: str | None) -> str:
    """The folded name the "starts with" tier searches (indexed on both databases).

    Only ``[a-z0-9 ]`` remain, compared bytewise (binary collation on SQLite, "C" on
    PostgreSQL), so ``key >= prefix AND key < prefix || '~'`` is an index range scan.
    """
    return fold(name or "")[:200]


def document(customer: Mapping[str, Any], ips: Iterable[str]) -> str:
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
    folded = fold(" ".join(parts))
    extra = [compact(ip) for ip in ips]
    for key in ("email", "billing_email", "tech_email", "business_email"):
        if customer.get(key):
            extra.append(compact(customer[key]))
    for value in (customer.get("other_emails") or "").replace(";", ",").split(","):
        if value.strip():
            extra.append(compact(value))
    return " ".join([folded, *extra])


_DOC_COLUMNS: list[Mapped[Any]] = [
    col(Customer.id), col(Customer.number), col(Customer.name), col(Customer.representative),
    col(Customer.billing_name), col(Customer.email), col(Customer.billing_email),
    col(Customer.tech_email), col(Customer.business_email), col(Customer.other_emails),
    col(Customer.street), col(Customer.city), col(Customer.zip), col(Customer.mail_street),
    col(Customer.mail_city), col(Customer.mail_zip), col(Customer.billing_street),
    col(Customer.billing_city), col(Customer.billing_zip), col(Customer.ico), col(Customer.dic),
    col(Customer.vs_alt1), col(Customer.vs_alt2), col(Customer.vs_alt3), col(Customer.portal_login),
    col(Customer.phone), col(Customer.mobile),
]


def _documents(conn: Connection, chunk: list[int]) -> list[dict[str, Any]]:
    rows = conn.execute(select(*_DOC_COLUMNS).where(col(Customer.id).in_(chunk))).mappings().all()
    ip_rows = conn.execute(
        select(col(Service.customer_id), col(ServiceIp.address), col(ServiceIp.mac))
        .join(ServiceIp, col(ServiceIp.service_id) == col(Service.id))
        .where(col(Service.customer_id).in_(chunk))
    ).all()
    ips: dict[int, list[str]] = {}  # addresses and MACs: both are indexed as compact tokens
    for customer_id, address, mac in ip_rows:
        ips.setdefault(customer_id, []).extend(v for v in (address, mac) if v)
    return [{"cid": r["id"], "doc": document(dict(r), ips.get(r["id"], [])), "name_key": name_key(r["name"])}
            for r in rows]


def reindex(conn: Connection, customer_ids: Iterable[int]) -> None:
    """Rebuild the documents of these customers (in the caller's transaction)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        write_documents(conn, _documents(conn, ids[start : start + 500]), replace=True)


def write_documents(conn: Connection, docs: list[dict[str, Any]], *, replace: bool) -> None:
    """Store prepared documents ``{"cid": id, "doc": text, "name_key": key}``.

    Bulk loaders call this directly; the ORM path calls it from the flush listener. The
    customer's ``name_key`` is written here too, so both tiers of the index move together.
    """
    if not docs:
        return
    keyed = [{"cid": d["cid"], "key": d["name_key"]} for d in docs if "name_key" in d]
    if keyed:
        conn.execute(text("UPDATE customer SET name_key = :key WHERE id = :cid"), keyed)
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


_IP_WORD = re.compile(r"^[0-9]+(\.[0-9]*)+(/[0-9]*)?$|^[0-9a-f]*:[0-9a-f:]*$", re.I)


def compact(value: str) -> str:
    """One token for a whole identifier: ``10.0.3.5`` -> ``10x0x3x5``, ``a@b.cz`` -> ``abcz``.

    Indexed beside the ordinary tokens, so an e-mail, IP or MAC typed whole (or its start) is
    one prefix look-up instead of a phrase over tokens as common as ``cz`` or ``10``.
    """
    value = value.strip().casefold()
    if "@" in value:
        return fold(value).replace(" ", "")
    return re.sub(r"[.:/-]", "x", value) if value else ""


def _word_tokens(query: str) -> list[list[str]]:
    words: list[list[str]] = []
    for word in query.split():
        if "@" in word or _IP_WORD.match(word):
            token = compact(word).strip("x")
            tokens = [fold(token).replace(" ", "")] if token else []
        else:
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
    if digits:
        # A phone number typed with spaces: one token, not three common prefixes.
        return f'"{digits}" *'
    return " AND ".join(phrases)


def _tsquery(words: list[list[str]], digits: str | None) -> str:
    phrases = []
    for tokens in words:
        parts = list(tokens)
        parts[-1] += ":*"
        phrases.append("(" + " <-> ".join(parts) + ")")
    if digits:
        return f"{digits}:*"
    return " & ".join(phrases)


def search_ids(
    conn: Connection, query: str, *, limit: int = 20, offset: int = 0, include_deleted: bool = False
) -> list[int]:
    """Customer ids in three tiers, each cheap on a large database:

    1. the customer number or an assigned VS equal to the query (unique indexes);
    2. names starting with the query, alphabetically (a range scan of ``name_key``);
    3. every other document match, newest customer first (FTS5 / GIN index).

    A tier is read only when the ones before it do not fill the page, so the common
    type-ahead cases (a number, the start of a surname) never rank thousands of matches.
    """
    words = _word_tokens(query)
    if not words:
        return []
    need = offset + limit
    alive = "" if include_deleted else " AND deleted_at IS NULL"
    ids: list[int] = []
    seen: set[int] = set()

    def take(rows: Iterable[Sequence[Any]]) -> None:
        for (cid,) in rows:
            if cid not in seen:
                seen.add(cid)
                ids.append(cid)

    exact = query.strip()
    if exact.isdigit() and len(exact) <= 18:
        take(conn.execute(text(
            "SELECT id FROM customer WHERE (number = :n OR vs_alt1 = :s OR vs_alt2 = :s OR vs_alt3 = :s)"
            + alive + " ORDER BY number"), {"n": int(exact), "s": exact.lstrip("0") or "0"}))
    prefix = " ".join(" ".join(t) for t in words)
    if len(ids) < need and not _compact_digits(query):
        take(conn.execute(text(
            "SELECT id FROM customer WHERE name_key >= :lo AND name_key < :hi" + alive
            + " ORDER BY name_key, id LIMIT :n"),
            {"lo": prefix, "hi": prefix + "~", "n": need + 1}))
    if len(ids) < need:
        take(_document_matches(conn, words, _compact_digits(query), need + len(ids) + 1, include_deleted))
    return ids[offset:need]


def _document_matches(
    conn: Connection, words: list[list[str]], digits: str | None, n: int, include_deleted: bool
) -> CursorResult[Any]:
    alive = "" if include_deleted else " AND c.deleted_at IS NULL"
    if conn.dialect.name == "postgresql":
        # The matches are collected first (GIN index), then ordered: left to itself the
        # planner walks the primary key backwards hoping for an early hit, which scans
        # every customer when the query matches only a few.
        return conn.execute(text(
            "SELECT c.id FROM customer c WHERE c.id = ANY(ARRAY(SELECT customer_id"
            " FROM customer_search WHERE tsv @@ to_tsquery('simple', :q)))" + alive
            + " ORDER BY c.id DESC LIMIT :n"),
            {"q": _tsquery(words, digits), "n": n})
    return conn.execute(text(
        "SELECT c.id FROM customer_fts f JOIN customer c ON c.id = f.rowid"
        " WHERE customer_fts MATCH :q" + alive + " ORDER BY f.rowid DESC LIMIT :n"),
        {"q": _fts5_query(words, digits), "n": n})


def rebuild_all(conn: Connection) -> int:
    """Recreate every document (after a bulk load or to repair the index)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("DELETE FROM customer_search"))
    else:
        conn.execute(text("DELETE FROM customer_fts"))
    # The primary key is never NULL; the model types it Optional only until the first flush.
    ids = [cid for cid in conn.execute(select(col(Customer.id))).scalars() if cid is not None]
    for start in range(0, len(ids), 5000):
        write_documents(conn, _documents(conn, ids[start : start + 5000]), replace=False)
    return len(ids)


def _sync_index(session: Session, _flush_ctx: UOWTransaction) -> None:
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


def install(session_class: type[Session]) -> None:
    """Keep the index in step with every unit of work of ``session_class`` (``store.bootstrap``)."""
    event.listen(session_class, "after_flush", _sync_index)
