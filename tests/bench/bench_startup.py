"""``ispterm --help`` wall time against ``python -c "import typer"``, measured in one run.

Run: ``.venv/bin/python -m tests.bench.bench_startup [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _time(cmd: list[str], runs: int) -> list[float]:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    help_ms = _time([sys.executable, "-m", "ispterm", "--help"], args.runs)
    typer_ms = _time([sys.executable, "-c", "import typer"], args.runs)
    bare_ms = _time([sys.executable, "-c", "pass"], args.runs)
    h, t, b = (statistics.median(x) for x in (help_ms, typer_ms, bare_ms))
    print(f"ispterm --help       median {h:7.1f} ms  (min {min(help_ms):.1f})")
    print(f"python -c 'import typer' median {t:7.1f} ms  (min {min(typer_ms):.1f})")
    print(f"python -c pass       median {b:7.1f} ms")
    print(f"ratio --help / import typer: {h / t:.2f}x")


if __name__ == "__main__":
    main()
