"""``ispterm config ...``: the user's TOML config file (no database needed)."""

from __future__ import annotations

import typer

from ispterm.cli import state

app = typer.Typer(help="The user's config file.", no_args_is_help=True)


def _path():
    import os
    from pathlib import Path

    from ispterm.config import default_config_path

    if state.OPTIONS.config_path:
        return state.OPTIONS.config_path
    if os.environ.get("ISPTERM_CONFIG"):
        return Path(os.environ["ISPTERM_CONFIG"])
    return default_config_path()


@app.command("path", help="Print the config file's path.")
def path() -> None:
    typer.echo(str(_path()))


@app.command("show", help="Print the effective configuration.")
def show() -> None:
    from ispterm.config import render

    typer.echo(render(state.config()), nl=False)


@app.command("set", help="Set KEY to VALUE in the config file (e.g. smtp.port 465).")
def set_(key: str, value: str) -> None:
    from ispterm.config import set_value

    cfg = set_value(key, value, _path())
    typer.echo(f"{key} = {cfg.get(key)}")
