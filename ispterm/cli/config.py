"""``ispterm config ...``: the user's TOML config file (no database needed)."""

from __future__ import annotations

from pathlib import Path

import typer

from ispterm.cli import state

app = typer.Typer(help="The user's config file.", no_args_is_help=True)


def _path() -> Path:
    from ispterm.config import config_path

    return config_path(state.OPTIONS.config_path)


@app.command("path", help="Print the config file's path.")
def path() -> None:
    typer.echo(str(_path()))


@app.command("show", help="Print the effective configuration.")
def show() -> None:
    from ispterm.config import render

    typer.echo(render(state.config()), nl=False)


@app.command("set", help="Set KEY to VALUE in the config file (e.g. smtp.port 465).")
def set_(key: str, value: str) -> None:
    from ispterm.config import current_name, set_value

    cfg = set_value(key, value, _path())
    name = current_name(key)
    if name != key:
        typer.echo(f"note: '{key}' is now called '{name}'", err=True)
    typer.echo(f"{name} = {cfg.get(name)}")
