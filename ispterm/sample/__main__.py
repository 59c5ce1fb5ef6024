"""``python -m ispterm.sample [--seed N] [PATH]``: write the demo data set file.

By default it writes ``demo.json`` of the ``sample_data`` package (in a checkout, the
committed ``sample_data/demo.json``), which is what ``ispterm sample load`` reads.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ispterm.sample.demo import build_demo, dumps


def main(argv: list[str] | None = None) -> int:
    from ispterm.sample.loader import DEMO_FILE, data_dir

    parser = argparse.ArgumentParser(prog="python -m ispterm.sample",
                                     description="Write the demo data set file.")
    parser.add_argument("path", nargs="?", type=Path, help=f"default: {DEMO_FILE} of sample_data/")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    path = args.path or data_dir() / DEMO_FILE
    text = dumps(build_demo(args.seed))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
