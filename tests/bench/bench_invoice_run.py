"""The invoice run over 100,000 customers (target <= 60 s on SQLite).

Run: ``.venv/bin/python -m tests.bench.bench_invoice_run [--customers N] [--months M]
[--backend sqlite|postgresql]``. Generates the customers with ``ispterm.sample.generate``
(each with a service and M months of invoices and payments), then times the dry run, the
real run for the current month, and a repeated run (which must create nothing).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _database(backend: str, workdir: Path) -> tuple[str, callable]:
    from ispterm.connect import initialise

    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        initialise(url, "admin")
        return url, lambda: None
    from sqlalchemy import create_engine, text

    name = f"ispterm_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    initialise(url, "admin")

    def drop() -> None:
        from ispterm.connect import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return url, drop


def run(backend: str, customers: int, months: int) -> None:
    from ispterm.billing.invoicing import invoice_run
    from ispterm.connect import open_ctx
    from ispterm.sample import generate

    with tempfile.TemporaryDirectory() as tmp:
        url, drop = _database(backend, Path(tmp))
        try:
            ctx = open_ctx(url, "admin")
            started = time.perf_counter()
            summary = generate(ctx, customers, months=months)
            print(f"[{backend}] {summary} in {time.perf_counter() - started:.1f} s")
            period = f"{ctx.now():%Y-%m}"
            for label, dry in (("dry run", True), ("invoice run", False), ("repeat run", False)):
                started = time.perf_counter()
                r = invoice_run(ctx, period, dry_run=dry)
                took = time.perf_counter() - started
                total = sum(g.total for g in r.groups)
                print(f"[{backend}] {label:<11} {period}: {r.created:,} invoices, total {total:,} "
                      f"(skipped {r.skipped:,}) in {took:.2f} s  ({r.created / took if took and r.created else 0:,.0f}/s)")
        finally:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        run(backend, args.customers, args.months)


if __name__ == "__main__":
    main()
