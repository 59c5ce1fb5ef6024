"""Peak memory (RSS) and wall time of ``ispterm billing import`` on a big statement.

Run: ``.venv/bin/python -m tests.bench.bench_import_memory [--payments N] [--customers N]
[--backend sqlite|postgresql]``. Generates customers (``sample.generate``), then a camt.053 file
and a CSV file (generic layout) of N payments in a temporary directory, and imports each in a
subprocess of its own (``python -m ispterm billing import``) into a fresh copy of that database.
The child's peak RSS comes from ``os.wait4`` (its own rusage: ``RUSAGE_CHILDREN`` would give the
largest of all children so far). A bare ``ispterm billing imports`` shows what the interpreter
and the imported modules take before any statement is read. Everything is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

IBAN = "CZ6508000000192000145399"
AMOUNTS = ("399.00", "499.00", "499.00", "649.00", "1000.00", "250.00", "1 234.50")


def movements(numbers: list[int], payments: int, today: date, seed: int = 17) -> Iterator[tuple]:
    """(ref, day, amount, vs, payer) per payment: most pay their number, 3 % an unknown VS."""
    rng = random.Random(seed)
    for i in range(payments):
        vs = str(rng.choice(numbers)) if rng.random() > 0.03 else str(rng.randint(1, 9999))
        amount = rng.choice(AMOUNTS).replace(" ", "")
        yield f"M{i:010d}", today - timedelta(days=rng.randint(0, 27)), amount, vs, f"PLATCE {vs} JAN"


def write_camt053(path: Path, moves: Iterator[tuple]) -> None:
    """A camt.053.001.02 statement laid out as Czech banks export it (indented, one TxDtls)."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n <BkToCstmrStmt>\n'
                  '  <GrpHdr><MsgId>MEM</MsgId><CreDtTm>2026-11-30T06:00:00</CreDtTm></GrpHdr>\n'
                  '  <Stmt>\n   <Id>MEM-1</Id>\n   <LglSeqNb>1</LglSeqNb>\n   <CreDtTm>2026-11-30T06:00:00</CreDtTm>\n'
                  f'   <Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>CZK</Ccy></Acct>\n')
        for ref, day, amount, vs, payer in moves:
            out.write(
                f'   <Ntry>\n    <NtryRef>{ref}</NtryRef>\n    <Amt Ccy="CZK">{amount}</Amt>\n'
                f'    <CdtDbtInd>CRDT</CdtDbtInd>\n    <Sts>BOOK</Sts>\n'
                f'    <BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>\n    <ValDt><Dt>{day.isoformat()}</Dt></ValDt>\n'
                f'    <AcctSvcrRef>{ref}</AcctSvcrRef>\n'
                '    <BkTxCd><Prtry><Cd>10000405000</Cd><Issr>CBA</Issr></Prtry></BkTxCd>\n'
                '    <NtryDtls>\n     <TxDtls>\n'
                f'      <Refs><AcctSvcrRef>{ref}</AcctSvcrRef><EndToEndId>/VS/{vs}/SS//KS/0308</EndToEndId></Refs>\n'
                f'      <AmtDtls><TxAmt><Amt Ccy="CZK">{amount}</Amt></TxAmt></AmtDtls>\n'
                f'      <RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr>'
                '<DbtrAcct><Id><IBAN>CZ5855000000001265098001</IBAN></Id></DbtrAcct></RltdPties>\n'
                '      <RltdAgts><DbtrAgt><FinInstnId><BIC>RZBCCZPP</BIC></FinInstnId></DbtrAgt></RltdAgts>\n'
                f'      <RmtInf><Ustrd>internet {day:%m/%Y}</Ustrd>'
                f'<Strd><CdtrRefInf><Ref>{vs}</Ref></CdtrRefInf></Strd></RmtInf>\n'
                '     </TxDtls>\n    </NtryDtls>\n   </Ntry>\n')
        out.write("  </Stmt>\n </BkToCstmrStmt>\n</Document>\n")


def write_csv(path: Path, moves: Iterator[tuple]) -> None:
    """The ``generic`` CSV layout (date,amount,currency,vs,counterparty,message,reference)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("date,amount,currency,vs,counterparty,message,reference\n")
        for ref, day, amount, vs, payer in moves:
            out.write(f'{day.isoformat()},{amount},CZK,{vs},"{payer}",internet {day:%m/%Y},C{ref}\n')


def template(backend: str, customers: int, workdir: Path) -> tuple[str, Callable[[], str], Callable[[], None]]:
    """(url, fresh, cleanup): a generated database and a function making a fresh copy of it."""
    from ispterm.connect import dispose_engines, open_ctx
    from ispterm.sample import scale as sample
    from tests.bench.scratch import PG_ADMIN, scratch_database

    url, drop = scratch_database(backend, workdir)
    started = time.perf_counter()
    print(f"[{backend}] {sample.generate(open_ctx(url, 'bench'), customers=customers, months=2, seed=5)} "
          f"in {time.perf_counter() - started:.1f} s")
    dispose_engines()
    copies: list[str] = []
    if backend == "sqlite":
        source = workdir / "bench.db"

        def fresh() -> str:
            target = workdir / f"run-{len(copies)}.db"
            shutil.copyfile(source, target)
            copies.append(str(target))
            return f"sqlite:///{target}"

        return url, fresh, drop
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    origin = url.rsplit("/", 1)[1]

    def fresh() -> str:
        name = f"ispterm_benchmem_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{origin}"'))
        copies.append(name)
        return url.rsplit("/", 1)[0] + "/" + name

    def cleanup() -> None:
        with admin.connect() as conn:
            for name in copies:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        drop()

    return url, fresh, cleanup


def run(url: str, *args: str) -> tuple[float, float, float, str]:
    """(peak RSS MB, wall s, CPU s, output) of ``ispterm ARGS`` in a subprocess of its own."""
    cmd = [sys.executable, "-m", "ispterm", "--db", url, "--operator", "bench", *args]
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output}")
    return usage.ru_maxrss / 1024, wall, usage.ru_utime + usage.ru_stime, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=110_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    from sqlalchemy import text

    from ispterm.connect import dispose_engines, open_ctx

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, fresh, cleanup = template(args.backend, args.customers, workdir)
        try:
            ctx = open_ctx(url, "bench")
            with ctx.read() as s:
                numbers = list(s.connection().execute(text("SELECT number FROM customer")).scalars())
            today = ctx.today()  # the Ctx clock, as sample.generate dated the invoices
            dispose_engines()
            files = {"camt.053": workdir / "statement.xml", "CSV": workdir / "statement.csv"}
            write_camt053(files["camt.053"], movements(numbers, args.payments, today))
            write_csv(files["CSV"], movements(numbers, args.payments, today))
            print(f"[{args.backend}] {args.payments:,} payments over {args.customers:,} customers; "
                  f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            rss, wall, cpu, _ = run(fresh(), "billing", "imports")
            print(f"  {'no import (baseline)':<22} peak RSS {rss:>7.1f} MB  wall {wall:>6.2f} s  CPU {cpu:>6.2f} s")
            for label, path in files.items():
                rss, wall, cpu, out = run(fresh(), "billing", "import", str(path))
                assert f"imported {args.payments} payments" in out, out
                size = path.stat().st_size / 1e6
                print(f"  {label + f' ({size:.0f} MB file)':<22} peak RSS {rss:>7.1f} MB  wall {wall:>6.2f} s  "
                      f"CPU {cpu:>6.2f} s")
        finally:
            cleanup()


if __name__ == "__main__":
    main()
