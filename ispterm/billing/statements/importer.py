"""Import one bank statement file (BIL-8): parse all of it, then write it in one transaction.

Steps: refuse a file over :data:`MAX_BYTES`; hash it and parse it whole, a piece at a time (a
malformed file is refused before anything is written); keep the booked incoming movements;
drop those already imported (same file hash, or same per-movement ``bank_ref``: the bank's
reference, else a deterministic fingerprint);
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
from ispterm.audit.recorder import record
from ispterm.audit.rows import audit_row, payment_label
from ispterm.billing.model import Payment
from ispterm.billing.statements import detect
from ispterm.billing.statements.allocation import settle_new_payments
from ispterm.billing.statements.csvfile import CsvLayout
from ispterm.billing.statements.matching import Matcher
from ispterm.billing.statements.model import BankStatement
from ispterm.billing.statements.parsed import MAX_DIGITS, Entry, ParsedStatement, clean
from ispterm.billing.statements.source import Source
from ispterm.context import Ctx
from ispterm.errors import ValidationError
from ispterm.operators.roles import PAYMENT_WRITE

Progress = Callable[[str, int, int], None]
CHUNK = 2000
# The largest statement file read (refused by its size, before any of it is read). A year of a
# 10,000-customer ISP paying monthly, or a month of a 110,000-customer one, is ~120,000
# movements: ~110 MB of camt.053 written as Czech banks do (about 0.9 kB an entry), ~10 MB of
# CSV, ~16 MB of GPC. 250 MB leaves twice that for wordier banks. The file is read in pieces,
# never held whole, and the import keeps ~1.2 kB per movement (bench_import_memory: 235 MB peak
# RSS for 110,000), so ~0.45 GB at this limit; parsed.MAX_ENTRIES caps the dense formats.
MAX_BYTES = 250_000_000
# The sum of one file's new payments is stored like an amount (15 digits before the decimal
# mark, as ``parsed.MAX_DIGITS``), far inside the 64-bit hundredths of the column.
MAX_TOTAL = Decimal(10) ** MAX_DIGITS


@dataclass(frozen=True, slots=True)
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


def open_file(path: str | Path) -> tuple[Source, str]:
    """The statement at ``path`` (read later, a piece at a time) and its name; a file over
    :data:`MAX_BYTES` is refused before anything of it is read."""
    p = Path(path)
    if not p.is_file():
        raise ValidationError("file", f"{p} does not exist or is not a file")
    source = Source(path=p)
    check_size(source.size, p.name)
    return source, p.name


def check_size(size: int, name: str) -> None:
    if size > MAX_BYTES:
        raise ValidationError(name, f"the file is {_size(size, 1)}, more than the {_size(MAX_BYTES, 0)} "
                              "a statement may have (split it by period)")


def _size(n: int, decimals: int) -> str:
    return f"{n / 1e6:,.{decimals}f} MB" if n >= 100_000 else f"{n:,} bytes"


def import_file(ctx: Ctx, path: str | Path, **kw) -> ImportResult:
    source, name = open_file(path)
    return import_statement(ctx, source, name, **kw)


def import_statement(ctx: Ctx, data: bytes | Source, name: str, *, fmt: str | None = None,
                     csv_layout: CsvLayout | None = None, dry_run: bool = False,
                     progress: Progress | None = None) -> ImportResult:
    """Import ``data`` (the bytes, or a :class:`Source` such as :func:`open_file` gives)."""
    ctx.require(PAYMENT_WRITE)
    fmt = detect.check_format(fmt)
    source = Source.of(data)
    check_size(source.size, name)
    report = progress or (lambda stage, done, total: None)
    digest = source.digest(name)
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
    parsed = detect.parse(source, name, fmt, csv_layout)
    report("parse", 1, 1)
    incoming, outgoing, other = _split(parsed.entries)
    _check_total(incoming, name)
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
        for entry, ref in zip(incoming, refs, strict=True):
            if ref in known or ref in seen:
                dupes.append(entry)
            else:
                seen.add(ref)
                fresh.append((entry, ref))
        matcher = Matcher(conn, (e.vs for e, _ in fresh))
        matches = [matcher.match(e.vs, e.currency) for e, _ in fresh]
        lines = [ImportedLine(e.where, e.booked_on, e.amount, e.currency, e.vs, e.counterparty,
                              m.customer.number if m.customer else None, m.reason) for (e, _), m in zip(fresh, matches, strict=True)]
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
        new = _insert_payments(conn, statement.id, fresh, matches, now, login, report)
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


def _check_total(incoming: list[Entry], name: str) -> None:
    total = sum((e.amount for e in incoming), Decimal("0.00"))
    if total >= MAX_TOTAL:
        raise ValidationError(name, f"the incoming payments add up to {total}, more than {MAX_DIGITS} digits: "
                              "not one statement")


def _insert_payments(conn, statement_id, fresh, matches, now, login, report) -> dict[int, list]:
    """Payments and their audit rows, written a chunk at a time (rows are built per chunk, not
    for the whole file at once); returns customer id -> [(payment id, amount, received on)]."""
    table = Payment.__table__
    new: dict[int, list] = defaultdict(list)
    for start in range(0, len(fresh), CHUNK):
        part = fresh[start:start + CHUNK]
        customers = [m.customer.id if m.customer else None for m in matches[start:start + CHUNK]]
        conn.execute(insert(table), [{
            "customer_id": cid, "received_on": e.booked_on, "amount": e.amount, "currency": e.currency,
            "vs": e.vs, "payment_type_id": None, "source": "bank", "bank_ref": ref,
            "counterparty": clean(e.counterparty, 200), "message": clean(e.message, 500), "cancelled_at": None,
            "created_at": now, "created_by": login, "statement_id": statement_id,
        } for (e, ref), cid in zip(part, customers, strict=True)])
        # Plain executemany is several times faster than INSERT .. RETURNING row by row.
        # By the unique bank_ref alone: with statement_id too, SQLite scans the statement's rows.
        ids = dict(conn.execute(select(table.c.bank_ref, table.c.id)
                                .where(table.c.bank_ref.in_([ref for _, ref in part]))).all())
        conn.execute(insert(AuditEvent.__table__), [audit_row(
            at=now, operator=login, customer_id=cid, entity="payment", entity_id=ids[ref],
            action="create", summary=payment_label(ids[ref], e.amount, e.currency, e.booked_on)
            + " imported from a bank statement" + ("" if cid else " (unmatched)"),
        ) for (e, ref), cid in zip(part, customers, strict=True)])
        for (e, ref), cid in zip(part, customers, strict=True):
            if cid is not None:
                new[cid].append((ids[ref], e.amount, e.booked_on))
        report("write", start + len(part), len(fresh))
    return new


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
