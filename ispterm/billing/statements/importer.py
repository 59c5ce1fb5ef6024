"""Import one bank statement file (BIL-8): parse all of it, then write it in one transaction.

Steps: read and hash the file; parse it whole (a malformed file is refused before anything is
written); keep the booked incoming movements; drop those already imported (same file hash, or
same per-movement ``bank_ref``: the bank's reference, else a deterministic fingerprint);
match the rest by VS; insert the statement, the payments and their audit rows; settle matched
payments against open invoices. ``dry_run`` does all but the writing. ``progress(stage, done,
total)`` is called as it goes (the import screen draws a progress bar from it).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, text

from ispterm.audit.model import AuditEvent
from ispterm.audit.recorder import payment_label, record
from ispterm.billing.model import Payment
from ispterm.billing.statements import detect
from ispterm.billing.statements.allocation import settle_new_payments
from ispterm.billing.statements.csvfile import CsvLayout
from ispterm.billing.statements.matching import Matcher
from ispterm.billing.statements.model import BankStatement
from ispterm.billing.statements.parsed import Entry, ParsedStatement, clean
from ispterm.context import Ctx
from ispterm.errors import ValidationError
from ispterm.operators.roles import PAYMENT_WRITE

Progress = Callable[[str, int, int], None]
CHUNK = 2000
MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ImportedLine:
    where: str
    received_on: date
    amount: Decimal
    currency: str
    vs: str | None
    counterparty: str | None
    customer_number: int | None
    reason: str | None  # why it is unmatched, or "duplicate"
    duplicate: bool = False


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    format: str
    account: str | None
    statement_ref: str | None
    dry_run: bool
    statement_id: int | None
    # Set when this very file was imported before: nothing was added.
    already_imported_at: datetime | None
    already_imported_by: str | None
    entries: int
    imported: int
    duplicates: int
    outgoing: int
    other: int
    matched: int
    unmatched: int
    total: Decimal
    invoices_paid: int
    lines: tuple[ImportedLine, ...]


def read_file(path: str | Path) -> tuple[bytes, str]:
    p = Path(path)
    if not p.is_file():
        raise ValidationError("file", f"{p} does not exist or is not a file")
    if p.stat().st_size > MAX_BYTES:
        raise ValidationError("file", f"{p} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    return p.read_bytes(), p.name


def import_file(ctx: Ctx, path: str | Path, **kw) -> ImportResult:
    data, name = read_file(path)
    return import_statement(ctx, data, name, **kw)


def import_statement(ctx: Ctx, data: bytes, name: str, *, fmt: str | None = None,
                     csv_layout: CsvLayout | None = None, dry_run: bool = False,
                     progress: Progress | None = None) -> ImportResult:
    ctx.require(PAYMENT_WRITE)
    report = progress or (lambda stage, done, total: None)
    digest = hashlib.sha256(data).hexdigest()
    with ctx.read() as s:
        seen = s.execute(select(BankStatement).where(BankStatement.file_hash == digest)).scalars().first()
    if seen is not None:
        # This very file again: answer from the first import without parsing it.
        return ImportResult(
            file_name=name, format=seen.format, account=seen.account, statement_ref=seen.statement_ref,
            dry_run=dry_run, statement_id=None, already_imported_at=seen.imported_at,
            already_imported_by=seen.imported_by, entries=seen.entries, imported=0,
            duplicates=seen.imported + seen.duplicates, outgoing=seen.outgoing, other=seen.other, matched=0,
            unmatched=0, total=Decimal("0.00"), invoices_paid=0, lines=())
    report("parse", 0, 1)
    parsed = detect.parse(data, name, fmt, csv_layout)
    report("parse", 1, 1)
    incoming, outgoing, other = _split(parsed.entries)
    with (ctx.read() if dry_run else ctx.write()) as s:
        conn = s.connection()
        if not dry_run and conn.dialect.name == "postgresql":
            # Imports queue: two operators importing overlapping statements never both add a line.
            conn.execute(text("SELECT pg_advisory_xact_lock(4242005)"))
        earlier = conn.execute(select(BankStatement.imported_at, BankStatement.imported_by)
                               .where(BankStatement.file_hash == digest)).first()
        if earlier is not None:
            return _result(name, parsed, dry_run, None, earlier, len(parsed.entries), [], incoming, outgoing, other, 0)
        refs = _bank_refs(parsed, incoming)
        known = _known_refs(conn, refs)
        fresh, dupes, seen = [], [], set()
        for entry, ref in zip(incoming, refs):
            if ref in known or ref in seen:
                dupes.append(entry)
            else:
                seen.add(ref)
                fresh.append((entry, ref))
        matcher = Matcher(conn, (e.vs for e, _ in fresh))
        matches = [matcher.match(e.vs, e.currency) for e, _ in fresh]
        lines = [ImportedLine(e.where, e.booked_on, e.amount, e.currency, e.vs, e.counterparty,
                              m.customer.number if m.customer else None, m.reason) for (e, _), m in zip(fresh, matches)]
        lines += [ImportedLine(e.where, e.booked_on, e.amount, e.currency, e.vs, e.counterparty, None,
                               "already imported", duplicate=True) for e in dupes]
        if dry_run:
            return _result(name, parsed, True, None, None, len(parsed.entries), lines, dupes, outgoing, other, 0)
        now = ctx.now()
        login = ctx.actor.login
        matched = sum(1 for m in matches if m.customer)
        statement = BankStatement(
            format=parsed.format, file_name=name[:255], file_hash=digest, account=clean(parsed.account, 64),
            statement_ref=clean(parsed.statement_ref, 100), statement_date=parsed.statement_date,
            sequence=clean(parsed.sequence, 35), currency=(parsed.currency or "")[:3] or None,
            imported_at=now, imported_by=login, entries=len(parsed.entries), imported=len(fresh),
            duplicates=len(dupes), outgoing=len(outgoing), other=len(other), matched=matched,
            unmatched=len(fresh) - matched, total=sum((e.amount for e, _ in fresh), Decimal("0.00")))
        s.add(statement)
        s.flush()
        ids = _insert_payments(conn, statement.id, fresh, matches, now, login, report)
        new: dict[int, list] = defaultdict(list)
        for (entry, ref), m in zip(fresh, matches):
            if m.customer:
                new[m.customer.id].append((ids[ref], entry.amount, entry.booked_on))
        total_customers = len(new)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            report("allocate", done[0], total_customers)

        paid = settle_new_payments(conn, new, statement_id=statement.id, at=now, login=login, progress=step)
        record(s, customer_id=None, entity="bank_statement", entity_id=statement.id, action="import",
               summary=(f"statement {name} ({parsed.format}): {len(fresh)} payments imported, "
                        f"{matched} matched, {len(fresh) - matched} unmatched, {len(dupes)} already imported, "
                        f"{len(outgoing)} outgoing skipped"))
        return _result(name, parsed, False, statement.id, None, len(parsed.entries), lines, dupes,
                       outgoing, other, paid)


def _split(entries: list[Entry]) -> tuple[list[Entry], list[Entry], list[Entry]]:
    incoming, outgoing, other = [], [], []
    for e in entries:
        if not e.booked or e.reversal or e.amount == 0:
            other.append(e)
        elif e.amount > 0:
            incoming.append(e)
        else:
            outgoing.append(e)
    return incoming, outgoing, other


def _bank_refs(parsed: ParsedStatement, entries: list[Entry]) -> list[str]:
    """The identity of each movement, unique across banks and stable across overlapping files.

    The bank's own reference is kept, prefixed by the account it belongs to. Without one, a
    fingerprint of the movement's content and its occurrence number among identical movements
    (two equal payments on one day are two payments, in every file that lists them)."""
    out = []
    seen: Counter = Counter()
    for e in entries:
        account = (e.account or parsed.account or "-").replace(" ", "")
        if e.bank_ref:
            out.append(f"{account}:{e.bank_ref}"[:100])
            continue
        content = "|".join(str(x or "") for x in (account, e.booked_on, e.amount, e.currency, e.vs,
                                                  e.counterparty, e.counterparty_account, e.message))
        seen[content] += 1
        digest = hashlib.sha256(f"{content}|{seen[content]}".encode()).hexdigest()[:40]
        out.append(f"{account}:#{digest}"[:100])
    return out


def _known_refs(conn, refs: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(refs), CHUNK):
        known.update(conn.execute(select(Payment.bank_ref)
                                  .where(Payment.bank_ref.in_(refs[start:start + CHUNK]))).scalars())
    return known


def _insert_payments(conn, statement_id, fresh, matches, now, login, report) -> dict[str, int]:
    rows = [{
        "customer_id": m.customer.id if m.customer else None, "received_on": e.booked_on,
        "amount": e.amount, "currency": e.currency, "vs": e.vs, "payment_type_id": None,
        "source": "bank", "bank_ref": ref, "counterparty": clean(e.counterparty, 200),
        "message": clean(e.message, 500), "cancelled_at": None, "created_at": now,
        "created_by": login, "statement_id": statement_id,
    } for (e, ref), m in zip(fresh, matches)]
    table = Payment.__table__
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start:start + CHUNK])
        report("write", start + len(rows[start:start + CHUNK]), len(rows))
    # Plain executemany is several times faster than INSERT .. RETURNING row by row.
    ids = dict(conn.execute(select(table.c.bank_ref, table.c.id).where(table.c.statement_id == statement_id)).all())
    audit = [{
        "at": now, "operator": login, "customer_id": r["customer_id"], "entity": "payment",
        "entity_id": ids[r["bank_ref"]], "action": "create", "field": None, "old": None,
        "new": None, "private_to": None,
        "summary": payment_label(ids[r["bank_ref"]], r["amount"], r["currency"], r["received_on"])
                   + " imported from a bank statement"
                   + ("" if r["customer_id"] else " (unmatched)")} for r in rows]
    for start in range(0, len(audit), CHUNK):
        conn.execute(insert(AuditEvent.__table__), audit[start:start + CHUNK])
    return ids


def _result(name, parsed, dry_run, statement_id, earlier, entries, lines, dupes, outgoing, other,
            paid) -> ImportResult:
    fresh = [ln for ln in lines if not ln.duplicate]
    matched = sum(1 for ln in fresh if ln.customer_number is not None)
    return ImportResult(
        file_name=name, format=parsed.format, account=parsed.account, statement_ref=parsed.statement_ref,
        dry_run=dry_run, statement_id=statement_id,
        already_imported_at=earlier[0] if earlier else None, already_imported_by=earlier[1] if earlier else None,
        entries=entries, imported=len(fresh), duplicates=len(dupes),
        outgoing=len(outgoing), other=len(other), matched=matched, unmatched=len(fresh) - matched,
        total=sum((ln.amount for ln in fresh), Decimal("0.00")), invoices_paid=paid, lines=tuple(lines))
