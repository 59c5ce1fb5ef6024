"""Statement import on SQLite and PostgreSQL: matching, idempotence, nothing half-written,
unmatched payments and assignment, and balance/scoring exactly as the ORM path computes them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ispterm.billing import invoicing as bi
from ispterm.billing import service as bs
from ispterm.billing.model import Invoice, Payment, PaymentAllocation
from ispterm.billing.statements.importer import import_file, import_statement
from ispterm.billing.statements.model import BankStatement
from ispterm.billing.statements.parsed import MalformedStatement
from ispterm.billing.statements.unmatched import assign, suggestions, unmatched, unmatched_count
from ispterm.customers import service as cs
from ispterm.errors import NotFound, PermissionDenied, ValidationError

DATA = Path(__file__).parent / "data"
FEE = bi.Line("Fiber 250", Decimal("500.00"))


def three_customers(ctx):
    """10001 owes one invoice of 500 due 15 Jan, 10002 has none, 10003 has alternative VS 777001."""
    numbers = [cs.create(ctx, name) for name in ("Novák Jan", "Dvořák Petr", "Svoboda Karel")]
    assert numbers == [10001, 10002, 10003]
    cs.update(ctx, 10003, {"vs_alt2": "0777001"})
    bi.issue_invoice(ctx, 10001, [FEE], issued_on=date(2025, 1, 1), due_on=date(2025, 1, 15))
    return numbers


def counts(ctx) -> tuple[int, int, int, int]:
    from ispterm.audit.model import AuditEvent

    with ctx.read() as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one()[0]
                     for t in (Payment, BankStatement, PaymentAllocation, AuditEvent))


def test_camt_import_matches_by_vs_and_alternative_vs(ctx):
    three_customers(ctx)
    r = import_file(ctx, DATA / "camt053/ispterm_cz_v02.xml")
    assert (r.entries, r.imported, r.outgoing, r.other, r.duplicates) == (8, 5, 1, 2, 0)
    assert (r.matched, r.unmatched, r.total, r.invoices_paid) == (3, 2, Decimal("1730.00"), 1)
    by_vs = {ln.vs: ln for ln in r.lines}
    assert by_vs["10001"].customer_number == 10001
    assert by_vs["777001"].customer_number == 10003  # alternative VS, stored zero-padded
    assert by_vs["4445"].customer_number is None and "4445" in by_vs["4445"].reason
    assert "billed in CZK" in by_vs["10003"].reason  # the EUR payment
    card = cs.get_card(ctx, 10001)
    assert (card.standing.balance, card.standing.scoring, card.standing.paid_invoices) == (Decimal("0.00"), 5, 1)
    assert cs.get_card(ctx, 10002).standing.balance == Decimal("250.00")  # prepaid credit
    assert {p.reason for p in unmatched(ctx)} == {"VS 4445 is no customer's number or alternative VS",
                                                  "payment in EUR, customer 10003 is billed in CZK"}


def test_same_statement_twice_adds_nothing_and_overlap_adds_only_new(ctx):
    three_customers(ctx)
    data = (DATA / "camt053/ispterm_cz_v02.xml").read_bytes()
    import_statement(ctx, data, "a.xml")
    before = counts(ctx)
    again = import_statement(ctx, data, "a-copy.xml")
    assert again.already_imported_at is not None and again.imported == 0 and again.duplicates == 5
    assert counts(ctx) == before
    # A later statement repeating R-0002 and adding R-0008: only the new movement is imported.
    later = data.replace(b"TEST-2025-01", b"TEST-2025-02").replace(b"R-0001", b"R-0008")
    r = import_statement(ctx, later, "b.xml")
    assert (r.imported, r.duplicates, r.matched) == (1, 4, 1)
    assert cs.get_card(ctx, 10001).standing.balance == Decimal("500.00")


def test_fingerprint_identity_without_bank_references(ctx):
    three_customers(ctx)
    data = (DATA / "csv/ispterm_generic_noref.csv").read_bytes()
    r = import_statement(ctx, data, "a.csv")
    # Two equal payments on one day are two payments.
    assert (r.imported, r.outgoing, r.matched) == (3, 1, 3)
    grown = data + b"2025-01-20,100.00,CZK,10002,Dvorak,internet\n"
    r2 = import_statement(ctx, grown, "b.csv")
    assert (r2.imported, r2.duplicates) == (1, 3)
    assert cs.get_card(ctx, 10001).standing.balance == Decimal("500.00")
    assert cs.get_card(ctx, 10002).standing.balance == Decimal("1350.50")


@pytest.mark.parametrize("name", ["camt053_missing_amount.xml", "camt053_truncated.xml", "xxe_external_entity.xml",
                                  "billion_laughs.xml", "gpc_bad_amount.gpc", "csv_bad_date.csv"])
def test_malformed_file_imports_nothing(ctx, name):
    three_customers(ctx)
    before = counts(ctx)
    with pytest.raises(MalformedStatement):
        import_file(ctx, DATA / "malformed" / name)
    assert counts(ctx) == before


def test_gpc_import_with_reversal_and_padded_vs(ctx):
    three_customers(ctx)
    r = import_file(ctx, DATA / "gpc/ispterm_cz.gpc")
    assert (r.imported, r.outgoing, r.other, r.matched, r.unmatched) == (3, 1, 1, 2, 1)
    assert cs.get_card(ctx, 10002).standing.balance == Decimal("300.00")


def test_real_files_import_as_unmatched_payments(ctx):
    """Published statements carry no VS of ours: their credits wait for an operator."""
    three_customers(ctx)
    r = import_file(ctx, DATA / "csv/fio-api-spec_example.csv")
    assert (r.imported, r.outgoing, r.unmatched, r.total) == (2, 1, 2, Decimal("0.14"))
    r = import_file(ctx, DATA / "camt053/ofxstatement-iso20022_gcamp6_v02.xml")
    assert (r.imported, r.unmatched) == (5, 5)
    assert len(unmatched(ctx)) == 7


def test_deleted_and_ambiguous_customers_stay_unmatched(ctx):
    three_customers(ctx)
    n4 = cs.create(ctx, "Druhý Svoboda")
    # The card refuses a VS someone else has; older data (imports, other systems) may still.
    from sqlalchemy import text

    with ctx.write() as s:
        s.execute(text("UPDATE customer SET vs_alt1 = '777001' WHERE number = :n"), {"n": n4})
    cs.delete(ctx, 10002)
    r = import_file(ctx, DATA / "camt053/ispterm_cz_v02.xml")
    reasons = {ln.vs: ln.reason for ln in r.lines}
    assert reasons["10002"] == "customer 10002 is deleted"
    assert reasons["777001"] == "VS 777001 is an alternative VS of several customers (10003, 10004)"


def test_assign_unmatched_payment(ctx, as_role):
    three_customers(ctx)
    bi.issue_invoice(ctx, 10002, [FEE], issued_on=date(2025, 1, 1), due_on=date(2025, 1, 20))
    import_file(ctx, DATA / "camt053/ispterm_cz_v02.xml")
    waiting = {p.vs: p for p in unmatched(ctx)}
    # 10002 paid 250 of 500 via the statement; the unknown 4445 payment (500) was theirs too.
    with pytest.raises(PermissionDenied):
        assign(as_role("support"), waiting["4445"].id, 10002)
    done = assign(ctx, waiting["4445"].id, 10002)
    assert (done.customer_number, done.balance) == (10002, Decimal("250.00"))
    inv = bs.invoices(ctx, 10002)[0]
    assert (inv.status, inv.paid_on) == ("paid", date(2025, 1, 13))
    assert [p.vs for p in unmatched(ctx)] == ["10003"] and unmatched_count(ctx) == 1
    with pytest.raises(ValidationError, match="already belongs to customer 10002"):
        assign(ctx, waiting["4445"].id, 10001)
    with pytest.raises(ValidationError, match="billed in CZK"):
        assign(ctx, waiting["10003"].id, 10003)
    with pytest.raises(NotFound):
        assign(ctx, 999999, 10001)
    with pytest.raises(NotFound):
        assign(ctx, waiting["10003"].id, 99999)
    from ispterm.audit.service import history

    assert any("assigned by hand" in (h.summary or "") for h in history(ctx, 10002))
    # The EUR payer "Euro Payer" is nobody; "Neznámý Plátce" neither; the Svoboda batch line is.
    assert suggestions(ctx, waiting["10003"].id) == []


def test_imported_payments_and_the_invoices_they_settle_are_named_in_the_history(ctx):
    """Both settling paths (appending, and the whole recompute for a back-dated payment) write
    rows that name the invoice; the imported payment's row names the payment."""
    from ispterm.audit.model import AuditEvent

    three_customers(ctx)
    bi.issue_invoice(ctx, 10002, [FEE], issued_on=date(2025, 1, 1), due_on=date(2025, 1, 20))
    bs.record_payment(ctx, 10002, "100.00", date(2025, 2, 10))  # the statement's is older: recompute
    csv = ("date,amount,currency,vs,reference\n"
           "2025-01-14,500.00,CZK,10001,B1\n2025-01-12,400.00,CZK,10002,B2\n")
    import_statement(ctx, csv.encode(), "named.csv")
    with ctx.read() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.entity.in_(["invoice", "payment"]),
                                               AuditEvent.operator == "admin")).scalars().all()
        numbers = dict(s.exec(select(Invoice.id, Invoice.number)).all())
        pays = {p.bank_ref: p for p in s.exec(select(Payment)).scalars().all() if p.bank_ref}
    settled = [r for r in rows if r.entity == "invoice" and r.field in ("status", "paid_on")]
    assert {r.entity_id for r in settled} == set(numbers)  # both customers' invoices became paid
    for r in settled:
        assert r.summary == f"invoice {numbers[r.entity_id]}", r
    imported = {r.entity_id: r.summary for r in rows if r.entity == "payment" and r.action == "create"}
    for p in pays.values():
        assert imported[p.id].startswith(f"payment {p.id} ({p.amount} CZK received {p.received_on}) imported")


def test_suggestions_find_the_payer_by_name(ctx):
    three_customers(ctx)
    csv = "date,amount,currency,vs,counterparty,reference\n2025-01-10,100.00,CZK,,DVORAK PETR,S1\n"
    import_statement(ctx, csv.encode(), "s.csv")
    [waiting] = unmatched(ctx)
    assert [r.number for r in suggestions(ctx, waiting.id)] == [10002]
    with pytest.raises(NotFound):
        suggestions(ctx, 424242)


def test_bulk_settlement_equals_orm_reallocation(ctx):
    """After an import (appending and back-dated payments, partial, over-payments) the
    allocations, invoice states, balance and scoring are exactly what reallocate computes."""
    three_customers(ctx)
    for n in (10002, 10003):
        for month in (1, 2, 3):
            bi.issue_invoice(ctx, n, [FEE], issued_on=date(2025, month, 1), due_on=date(2025, month, 15))
    bs.record_payment(ctx, 10003, "500.00", date(2025, 2, 10))  # later than the statement's: back-dated path
    csv = ("date,amount,currency,vs,reference\n"
           "2025-01-14,700.00,CZK,10002,A1\n2025-02-16,100.00,CZK,10002,A2\n"
           "2025-01-12,300.00,CZK,10003,A3\n2025-03-20,2000.00,CZK,10003,A4\n2025-01-10,499.99,CZK,10001,A5\n")
    import_statement(ctx, csv.encode(), "mix.csv")

    def snapshot():
        with ctx.read() as s:
            allocs = sorted(s.exec(select(PaymentAllocation.payment_id, PaymentAllocation.invoice_id,
                                          PaymentAllocation.amount)).all())
            invs = sorted(s.exec(select(Invoice.id, Invoice.status, Invoice.paid_on)).all())
        cards = [cs.get_card(ctx, n).standing for n in (10001, 10002, 10003)]
        return allocs, invs, cards

    bulk = snapshot()
    with ctx.write() as s:
        for cid in s.execute(select(Invoice.customer_id).distinct()).scalars().all():
            bs.reallocate(s, cid)
    assert snapshot() == bulk
    st1, st2, st3 = bulk[2]
    assert st1.balance == Decimal("-0.01") and st1.open_invoices == 1
    assert (st2.balance, st2.scoring) == (Decimal("-700.00"), 1)
    assert (st3.balance, st3.paid_invoices) == (Decimal("1300.00"), 3)


def test_dry_run_writes_nothing_and_progress_is_reported(ctx):
    three_customers(ctx)
    before = counts(ctx)
    dry = import_file(ctx, DATA / "camt053/ispterm_cz_v02.xml", dry_run=True)
    assert counts(ctx) == before
    seen = []
    real = import_file(ctx, DATA / "camt053/ispterm_cz_v02.xml", progress=lambda *a: seen.append(a))
    assert (dry.imported, dry.matched, dry.unmatched) == (real.imported, real.matched, real.unmatched)
    stages = {stage for stage, _, _ in seen}
    assert stages == {"parse", "write", "allocate"}
    assert seen[-1][1] == seen[-1][2]  # ends complete


def test_import_needs_payment_permission(ctx, as_role):
    with pytest.raises(PermissionDenied):
        import_file(as_role("technician"), DATA / "gpc/ispterm_cz.gpc")


def test_cli_import_unmatched_assign(cli, ctx):
    three_customers(ctx)
    code, out, err = cli("billing", "import", str(DATA / "gpc/ispterm_cz.gpc"), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["imported"], data["matched"], data["outgoing"]) == (3, 2, 1)
    code, out, _ = cli("billing", "import", str(DATA / "gpc/ispterm_cz.gpc"))
    assert code == 0 and "nothing added" in out
    code, out, _ = cli("billing", "unmatched", "--json")
    [row] = json.loads(out)
    assert row["vs"] == "555" and row["statement"] == "ispterm_cz.gpc"
    code, out, _ = cli("billing", "assign", str(row["id"]), "10003")
    assert code == 0 and "assigned to customer 10003" in out
    code, out, err = cli("billing", "import", str(DATA / "malformed/gpc_bad_amount.gpc"))
    assert code == 1 and out == ""
    assert err.strip() == ("error: gpc_bad_amount.gpc: line 3 columns 49-60: amount '0000005O0000' is not a number")
    code, _, err = cli("billing", "import", str(DATA / "csv/ispterm_generic_noref.csv"), "--csv-column", "date")
    assert code == 1 and err.startswith("error: --csv-column: expected FIELD=COLUMN")
    code, out, _ = cli("billing", "import", str(DATA / "csv/fio-api-spec_example.csv"), "--dry-run")
    assert code == 0 and out.startswith("dry run, nothing written")
    code, out, _ = cli("billing", "imports", "--json")
    assert [s["file_name"] for s in json.loads(out)] == ["ispterm_cz.gpc"]


def test_two_operators_importing_the_same_file_at_once_import_it_once(ctx, db_url):
    import threading

    from ispterm.connect import open_ctx

    three_customers(ctx)
    data = (DATA / "gpc/ispterm_cz.gpc").read_bytes()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        mine = open_ctx(db_url, "admin")
        barrier.wait()
        try:
            results.append(import_statement(mine, data, "same.gpc"))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r.imported for r in results) == [0, 3]
    assert counts(ctx)[1] == 1


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_day = st.integers(min_value=0, max_value=150)
_money = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("1500.00"), places=2)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(invoices=st.lists(st.tuples(_day, _money), min_size=0, max_size=5),
       earlier=st.lists(st.tuples(_day, _money), max_size=4),
       cancel_first=st.booleans(),
       statement=st.lists(st.tuples(_day, _money), min_size=1, max_size=5))
def test_property_import_settles_exactly_like_reallocate(sqlite_url, invoices, earlier, cancel_first, statement):
    """Any invoices, earlier payments (one maybe cancelled) and statement payments dated before,
    between or after them: the bulk path leaves exactly the allocations, paid dates, balance
    and scoring that recomputing from scratch gives, and never loses a cent."""
    from ispterm.billing.balance import standing
    from ispterm.connect import open_ctx

    ctx = open_ctx(sqlite_url, "admin")
    n = cs.create(ctx, "Property")
    start = date(2025, 1, 1)
    issued = []  # totals as issued: CZK invoices are rounded to whole crowns (money.py)
    for day, total in invoices:
        issued.append(bi.issue_invoice(ctx, n, [bi.Line("x", total)], issued_on=start,
                                       due_on=start + timedelta(days=day)).total)
    paid_before = [bs.record_payment(ctx, n, amount, start + timedelta(days=day)) for day, amount in earlier]
    if cancel_first and paid_before:
        bs.cancel_payment(ctx, paid_before[0].id)
    rows = "".join(f"{(start + timedelta(days=day)).isoformat()},{amount},CZK,{n},P{n}-{i}\n"
                   for i, (day, amount) in enumerate(statement))
    import_statement(ctx, f"date,amount,currency,vs,reference\n{rows}".encode(), f"p{n}.csv")

    def snapshot():
        with ctx.read() as s:
            cid = cs_id(s, n)
            allocs = sorted(s.exec(select(PaymentAllocation.payment_id, PaymentAllocation.invoice_id,
                                          PaymentAllocation.amount)
                                   .join(Payment, Payment.id == PaymentAllocation.payment_id)
                                   .where(Payment.customer_id == cid)).all())
            invs = sorted(s.exec(select(Invoice.id, Invoice.status, Invoice.paid_on)
                                 .where(Invoice.customer_id == cid)).all())
            return allocs, invs, standing(s.connection(), cid)

    bulk = snapshot()
    with ctx.write() as s:
        bs.reallocate(s, cs_id(s, n))
    assert snapshot() == bulk
    kept = [a for (d, a), p in zip(earlier, paid_before, strict=False) if not (cancel_first and p is paid_before[0])]
    received = sum(kept, Decimal("0.00")) + sum((a for _, a in statement), Decimal("0.00"))
    invoiced = sum(issued, Decimal("0.00"))
    assert bulk[2].balance == received - invoiced
    assert sum((a for _, _, a in bulk[0]), Decimal("0.00")) == min(received, invoiced)


def cs_id(s, number: int) -> int:
    from ispterm.customers.lookup import customer_by_number

    return customer_by_number(s, number).id


# Hostile and unusual files (issue 13): one "error:" line naming the file and the place, exit 1,
# the database exactly as it was.

def _csv_rows(*rows: str) -> bytes:
    return ("date,amount,currency,vs,reference\n" + "".join(f"{r}\n" for r in rows)).encode()


def _camt_with(old: bytes, new: bytes) -> bytes:
    return (DATA / "camt053/ispterm_cz_v02.xml").read_bytes().replace(old, new, 1)


HOSTILE = {
    "deep.xml": (lambda: _camt_with(b"<Ntry>", b"<Ntry>" + b"<X>" * 200_000 + b"</X>" * 200_000),
                 "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/X/X/X/X/...: elements nested more than 64 levels deep"),
    "exponent.csv": (lambda: _csv_rows("2025-01-10,100.00,CZK,10001,A", "2025-01-11,1e999,CZK,10001,B"),
                     "line 3: amount '1e999' is not a plain number"),
    "huge.csv": (lambda: _csv_rows("2025-01-10,100.00,CZK,10001,A",
                                   "2025-01-11,99999999999999999999999.00,CZK,10001,B"),
                 "line 3: amount '99999999999999999999999.00' is too large"),
    "total.csv": (lambda: _csv_rows(*[f"2025-01-10,999999999999999.00,CZK,10001,T{i}" for i in range(100)]),
                  "the incoming payments add up to 99999999999999900.00, more than 15 digits"),
    "exponent.xml": (lambda: _camt_with(b">500.00<", b">1e999<"),
                     "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt: amount '1e999' is not a plain number"),
    "currency.xml": (lambda: _camt_with(b'Ccy="CZK">500.00', b'Ccy="CZKCZKCZK">500.00'),
                     "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt: currency 'CZKCZKCZK' is not a three-letter code"),
    "superscript.csv": (lambda: _csv_rows("2025-01-10,100.00,CZK,²,A"), "line 2: VS '²' is not up to 10 digits"),
    # PostgreSQL refuses NUL in text; past the first 4 kB, where the UTF-16 hint looks.
    "nul.csv": (lambda: _csv_rows(*[f"2025-01-10,1.00,CZK,10001,R{i:04d}{'x' * 60}" for i in range(100)],
                                  "2025-01-11,1.00,CZK,10001,R\x00"),
                "line 102: a NUL character: not text in the file's encoding"),
    "nul.gpc": (lambda: (DATA / "gpc/ispterm_cz.gpc").read_bytes().replace(b"NOVAK JAN ", b"NOVAK\x00JAN ", 1),
                "line 2: a NUL character"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_cli_refuses_hostile_files_in_one_error_line_and_writes_nothing(cli, ctx, tmp_path, name):
    make, fragment = HOSTILE[name]
    three_customers(ctx)
    before = counts(ctx)
    path = tmp_path / name
    path.write_bytes(make())
    code, out, err = cli("billing", "import", str(path))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {name}: ") and err.count("\n") == 1 and fragment in err, err
    assert counts(ctx) == before


def test_files_over_the_size_limit_are_refused_before_reading(cli, ctx, tmp_path, monkeypatch):
    from ispterm.billing.statements import importer

    three_customers(ctx)
    before = counts(ctx)
    monkeypatch.setattr(importer, "MAX_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_bytes(b"\x00 not even a statement " * 100)  # refused by its size, never parsed
    code, out, err = cli("billing", "import", str(path))
    assert (code, out) == (1, "")
    assert err == ("error: big.csv: the file is 2,300 bytes, more than the 1,000 bytes a statement may have "
                   "(split it by period)\n")
    with pytest.raises(ValidationError, match=r"^big.csv: the file is 2,300 bytes, more than the 1,000 bytes"):
        import_statement(ctx, path.read_bytes(), "big.csv")
    monkeypatch.setattr(importer, "MAX_BYTES", 250_000_000)
    with pytest.raises(ValidationError, match=r"^huge.xml: the file is 250.0 MB, more than the 250 MB a statement"):
        importer.check_size(250_000_001, "huge.xml")
    assert counts(ctx) == before


@pytest.mark.parametrize("rel,codec,fmt,imported", [
    ("camt053/ispterm_cz_v02.xml", "utf-16", "camt053", 5),
    ("csv/ispterm_generic_noref.csv", "utf-16", "csv", 3),
])
def test_cli_imports_utf16_statements_like_utf8_ones(cli, ctx, tmp_path, rel, codec, fmt, imported):
    three_customers(ctx)
    text = (DATA / rel).read_text("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = tmp_path / Path(rel).name
    path.write_bytes(text.encode(codec))
    code, out, err = cli("billing", "import", str(path), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["format"], data["imported"]) == (fmt, imported)
