"""``ispterm demo``: a demo database from sample_data/ in the user data dir, made once."""

from __future__ import annotations

import typer

DEMO_OPERATOR = "demo"


def demo() -> None:
    from ispterm import sample
    from ispterm.cli import state
    from ispterm.config import data_dir
    from ispterm.connect import initialise, open_ctx

    path = data_dir() / "demo.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        try:
            initialise(url, DEMO_OPERATOR)
            typer.echo(sample.load_file(open_ctx(url, DEMO_OPERATOR), sample.demo_path()))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    state.OPTIONS.db = url
    state.OPTIONS.operator = state.OPTIONS.operator or DEMO_OPERATOR
    typer.echo(f"demo database: {path} (operator {state.OPTIONS.operator})")
    from ispterm.cli.ui import launch

    launch()
