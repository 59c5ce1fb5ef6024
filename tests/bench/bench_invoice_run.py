"""The invoice run over 100,000 customers (target <= 60 s on SQLite).

Run: ``.venv/bin/python -m tests.bench.bench_invoice_run [--customers N] [--months M]
[--backend sqlite|postgresql]``. Generates the customers with ``ispterm.sample.scale.generate``
(each with a service and M months of invoices and payments), then times the dry run, the
real run for the current month, and a repeated run (which must create nothing).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def run(backend: str, customers: int, months: int) -> None:
    from ispterm.billing.invoicing import invoice_run
    from ispterm.connect import open_ctx
    from ispterm.sample.scale import generate
    from tests.bench.scratch import scratch_database

    with tempfile.TemporaryDirectory() as tmp:
        url, drop = scratch_database(backend, Path(tmp))
        try:
            ctx = open_ctx(url, "bench")
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
