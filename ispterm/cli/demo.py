"""``ispterm demo``: a demo database from sample_data/ in the user data dir, made once."""

from __future__ import annotations

from pathlib import Path

import typer

DEMO_OPERATOR = "demo"


def demo() -> None:
    from ispterm.cli import state

    path = demo_database()
    state.OPTIONS.db = f"sqlite:///{path}"
    state.OPTIONS.operator = state.OPTIONS.operator or DEMO_OPERATOR
    typer.echo(f"demo database: {path} (operator {state.OPTIONS.operator})")
    from ispterm.cli.ui import launch

    launch()


def demo_database() -> Path:
    """The demo SQLite file, initialised and loaded with the bundled data set the first time
    (the part of ``ispterm demo`` before the app; a failed load leaves no half-made file)."""
    from ispterm.config import data_dir
    from ispterm.connect import initialise, open_ctx
    from ispterm.sample.loader import demo_path, load_file

    path = data_dir() / "demo.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        try:
            initialise(url, DEMO_OPERATOR)
            typer.echo(load_file(open_ctx(url, DEMO_OPERATOR), demo_path()))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return path
