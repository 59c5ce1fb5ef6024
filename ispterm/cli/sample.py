"""``ispterm sample ...``: the bundled demo data set and generated scale data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ispterm.cli import state

app = typer.Typer(help="Demo and scale data.", no_args_is_help=True)


@app.command("load", help="Load the bundled demo data set (sample_data/demo.json) into the database.")
def load(
    file: Annotated[Path | None, typer.Option(help="Another data set file in the same format.")] = None,
) -> None:
    from ispterm.sample.loader import demo_path, load_file

    summary = load_file(state.ctx(), file or demo_path())
    typer.echo(summary)


@app.command("generate", help="Generate N customers with services, invoices and payments.")
def generate(
    customers: Annotated[int, typer.Option("--customers", min=1, max=2_000_000, help="How many customers.")] = 1000,
    months: Annotated[int, typer.Option(min=0, max=60, help="Months of invoices per customer.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 1,
) -> None:
    import time

    from ispterm.sample import scale

    started = time.perf_counter()
    summary = scale.generate(state.ctx(), customers=customers, months=months, seed=seed)
    typer.echo(f"{summary} in {time.perf_counter() - started:.1f} s")
