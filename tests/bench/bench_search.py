"""Search latency over 100,000 customers, six kinds of query, on SQLite and PostgreSQL.

Run: ``.venv/bin/python -m tests.bench.bench_search [--customers N] [--backend sqlite|postgresql]``.
Prints p50/p95 per query kind through the service (index query + list rows with balances).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path


def _queries(ctx, rng: random.Random, per_kind: int) -> dict[str, list[str]]:
    from sqlalchemy import text

    with ctx.read() as s:
        conn = s.connection()
        rows = conn.execute(text(
            "SELECT number, name, email, mobile, city FROM customer ORDER BY random() LIMIT :n"),
            {"n": per_kind}).all()
        ips = [r[0] for r in conn.execute(text(
            "SELECT address FROM service_ip ORDER BY random() LIMIT :n"), {"n": per_kind})]
    surnames = [r.name.split()[0] for r in rows]
    return {
        "number": [str(r.number) for r in rows],
        "name prefix": [s[: rng.randint(3, 5)] for s in surnames],
        "full name": [r.name for r in rows],
        "e-mail": [r.email for r in rows if r.email],
        "phone": [f"{r.mobile[4:7]} {r.mobile[7:10]} {r.mobile[10:]}" for r in rows if r.mobile],
        "ip": ips,
    }


def measure(ctx, per_kind: int = 200, seed: int = 3) -> dict[str, tuple[float, float, float]]:
    from ispterm.customers.service import search

    rng = random.Random(seed)
    out = {}
    for kind, queries in _queries(ctx, rng, per_kind).items():
        for q in queries[:10]:  # warm caches the way a running app has them
            search(ctx, q, limit=50)
        times = []
        hits = 0
        for q in queries:
            started = time.perf_counter()
            rows = search(ctx, q, limit=50)
            times.append((time.perf_counter() - started) * 1000)
            hits += bool(rows)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        out[kind] = (statistics.median(times), p95, hits / len(queries))
    return out


def prepare(backend: str, customers: int, workdir: Path) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text

    from ispterm.connect import open_ctx
    from ispterm.sample import scale as sample
    from tests.bench.scratch import scratch_database

    url, cleanup = scratch_database(backend, workdir)
    started = time.perf_counter()
    summary = sample.generate(open_ctx(url, "bench"), customers=customers, months=12, seed=5)
    print(f"[{backend}] {summary} in {time.perf_counter() - started:.1f} s")
    if backend == "postgresql":
        with create_engine(url).begin() as conn:
            conn.execute(text("ANALYZE"))
    return url, cleanup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--url", help="Measure an existing database instead of generating one.")
    args = parser.parse_args()
    from ispterm.connect import open_ctx

    if args.url:
        for kind, (p50, p95, found) in measure(open_ctx(args.url, "bench")).items():
            print(f"  {kind:<12} {p50:>8.2f} {p95:>8.2f} {found:>6.0%}")
        return

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    targets = {"sqlite": 10.0, "postgresql": 20.0}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            url, cleanup = prepare(backend, args.customers, Path(tmp))
            results = measure(open_ctx(url, "bench"))
            print(f"[{backend}] search over {args.customers:,} customers "
                  f"(target p95 <= {targets[backend]:.0f} ms)")
            print(f"  {'query kind':<12} {'p50 ms':>8} {'p95 ms':>8} {'found':>6}")
            for kind, (p50, p95, found) in results.items():
                flag = "" if p95 <= targets[backend] else "  OVER TARGET"
                print(f"  {kind:<12} {p50:>8.2f} {p95:>8.2f} {found:>6.0%}{flag}")
            cleanup()


if __name__ == "__main__":
    main()
