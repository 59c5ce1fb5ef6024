"""Import of a 10,000-payment bank statement (target <= 2 s), on SQLite and PostgreSQL.

Run: ``.venv/bin/python -m tests.bench.bench_import [--payments N] [--backend sqlite|postgresql|both]``.
Customers come from ``ispterm sample generate`` (12 months of invoices and payments each); the
statement (camt.053, and the same movements as ABO/GPC) pays one month for most of them by VS,
some by more or less than they owe, and about 3 % with a VS nobody has. Prints parse time and
the whole import (parse, match, write, settle invoices) and the re-import of the same file.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def camt053(movements: list[tuple[str, date, str, str]]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
             '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
             '<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-11-30T06:00:00</CreDtTm></GrpHdr>'
             '<Stmt><Id>BENCH-1</Id><LglSeqNb>1</LglSeqNb><CreDtTm>2026-11-30T06:00:00</CreDtTm>'
             '<Acct><Id><IBAN>CZ6508000000192000145399</IBAN></Id><Ccy>CZK</Ccy></Acct>']
    for ref, day, amount, vs in movements:
        parts.append(
            f'<Ntry><NtryRef>{ref}</NtryRef><Amt Ccy="CZK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f'<Sts>BOOK</Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>'
            f'<NtryDtls><TxDtls><Refs><EndToEndId>/VS/{vs}/SS//KS/0308</EndToEndId></Refs>'
            f'<RltdPties><Dbtr><Nm>Payer {vs}</Nm></Dbtr></RltdPties>'
            f'<RmtInf><Strd><CdtrRefInf><Ref>{vs}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>')
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(parts).encode()


def gpc(movements: list[tuple[str, date, str, str]]) -> bytes:
    def ddmmyy(d: date) -> str:
        return d.strftime("%d%m%y")
    lines = [("074" + "192000145399".rjust(16, "0") + "BENCH ISP".ljust(20) + "011126" + "0" * 14 + "+" + "0" * 14 + "+"
              + "0" * 14 + "0" + "0" * 14 + "0" + "001" + "301126").ljust(128)]
    for ref, day, amount, vs in movements:
        halere = int(amount.replace(".", ""))
        lines.append("075" + "192000145399".rjust(16, "0") + "123456789".rjust(16, "0") + ref[-13:].rjust(13, "0")
                     + f"{halere:012d}" + "2" + vs.rjust(10, "0") + "00" + "0800" + "0308" + "0" * 10
                     + ddmmyy(day) + f"PAYER {vs}".ljust(20)[:20] + "0" + "0203" + ddmmyy(day))
    return ("\r\n".join(lines) + "\r\n").encode("cp1250")


def movements(ctx, payments: int, seed: int = 11) -> list[tuple[str, date, str, str]]:
    from sqlalchemy import text

    rng = random.Random(seed)
    with ctx.read() as s:
        numbers = [n for (n,) in s.connection().execute(text("SELECT number FROM customer ORDER BY number"))]
    today = ctx.today()  # the Ctx clock, as the generated data (sample generate) was made by
    out = []
    for i in range(payments):
        vs = str(rng.choice(numbers)) if rng.random() > 0.03 else str(rng.randint(1, 9999))
        amount = rng.choice(["399.00", "499.00", "499.00", "649.00", "1000.00", "250.00"])
        out.append((f"B{i:09d}", today - timedelta(days=rng.randint(0, 5)), amount, vs))
    return out


def prepare(backend: str, customers: int, workdir: Path):
    """The same scale database as the search benchmark (``sample generate``, 12 months)."""
    from tests.bench.bench_search import prepare as scale_database

    return scale_database(backend, customers, workdir)


def measure(url: str, payments: int) -> dict[str, float]:
    from ispterm.billing.statements import detect
    from ispterm.billing.statements.importer import import_statement
    from ispterm.connect import open_ctx

    ctx = open_ctx(url, "bench")
    moves = movements(ctx, payments)
    half = len(moves) // 2
    xml, abo = camt053(moves[:half] + moves[half:]), None
    out = {}
    started = time.perf_counter()
    parsed = detect.parse(xml, "bench.xml")
    out["parse camt.053"] = time.perf_counter() - started
    assert len(parsed.entries) == payments
    marks: dict[str, tuple[float, float]] = {}
    started, cpu = time.perf_counter(), time.process_time()
    r = import_statement(ctx, xml, "bench.xml",
                         progress=lambda stage, done, total: marks.__setitem__(stage, (time.perf_counter(), time.process_time())))
    out["import camt.053"] = time.perf_counter() - started
    out["  of it CPU"] = time.process_time() - cpu
    last = (started, cpu)
    for stage in ("parse", "write", "allocate"):
        out[f"  {stage} (wall/CPU)"] = (marks[stage][0] - last[0], marks[stage][1] - last[1])
        last = marks[stage]
    out["_matched"], out["_unmatched"], out["_paid"] = r.matched, r.unmatched, r.invoices_paid
    started = time.perf_counter()
    again = import_statement(ctx, xml, "bench.xml")
    out["same file again"] = time.perf_counter() - started
    assert again.imported == 0
    # The same movements as GPC (other references): a second full import of N payments.
    abo = gpc([(f"G{ref[1:]}", d, a, vs) for ref, d, a, vs in moves])
    started = time.perf_counter()
    r2 = import_statement(ctx, abo, "bench.gpc")
    out["import GPC"] = time.perf_counter() - started
    assert r2.imported == payments
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            url, cleanup = prepare(backend, args.customers, Path(tmp))
            try:
                res = measure(url, args.payments)
            finally:
                cleanup()
            print(f"[{backend}] statement of {args.payments:,} payments over {args.customers:,} customers "
                  f"(target import <= 2.0 s): {res['_matched']:,} matched, {res['_unmatched']:,} unmatched, "
                  f"{res['_paid']:,} invoices paid")
            for key, value in res.items():
                if isinstance(value, tuple):
                    print(f"  {key:<22} {value[0]:>7.2f} s / {value[1]:.2f} s")
                elif not key.startswith("_"):
                    flag = "  OVER TARGET" if key.startswith("import") and value > 2.0 else ""
                    print(f"  {key:<22} {value:>7.2f} s{flag}")
            print(f"  (load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
