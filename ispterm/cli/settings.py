"""``ispterm settings ...``: system settings and code lists stored in the database."""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import state

app = typer.Typer(help="System settings and code lists (shared by all operators).", no_args_is_help=True)


@app.command("list", help="List every setting with its value.")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    from ispterm.settings.service import list_settings

    rows = list_settings(state.ctx())
    if as_json:
        state.print_json({r.key: r.value for r in rows})
        return
    for r in rows:
        mark = "" if r.value == r.default else "*"
        typer.echo(f"{r.key:<34} {str(r.value):<20}{mark:1} {r.help}")


@app.command("get", help="Print one setting's value.")
def get(key: str) -> None:
    from ispterm.settings.service import get_setting

    value = get_setting(state.ctx(), key)
    typer.echo("yes" if value is True else "no" if value is False else value)


@app.command("set", help="Change a setting.")
def set_(key: str, value: str) -> None:
    from ispterm.settings.service import set_setting

    new = set_setting(state.ctx(), key, value)
    typer.echo(f"{key} = {new}")


@app.command("codes", help="List a code list (status, group, mark, payment_type, campaign, task_type, portal_level).")
def codes(kind: str) -> None:
    from ispterm.settings.service import list_codes

    for c in list_codes(state.ctx(), kind):
        typer.echo(f"{c.name:<24} {c.color or '':<12} {'default' if c.is_default else ''}")


@app.command("add-code", help="Add an entry to a code list.")
def add_code(
    kind: str,
    name: str,
    color: Annotated[str | None, typer.Option(help="Colour name, e.g. yellow or #ffcc00.")] = None,
) -> None:
    from ispterm.settings.service import add_code as add

    add(state.ctx(), kind, name, color=color)
    typer.echo(f"{kind} {name!r} added")


@app.command("add-field", help="Define an additional customer field (INF-8).")
def add_field(
    name: str,
    label: Annotated[str, typer.Option(help="Label shown on the card.")] = "",
    type_: Annotated[str, typer.Option("--type", help="text, int, decimal, date, bool or choice.")] = "text",
    choices: Annotated[str | None, typer.Option(help="Comma-separated choices (type choice).")] = None,
) -> None:
    from ispterm.settings.service import add_additional_field

    add_additional_field(state.ctx(), name, label, type_, choices=choices)
    typer.echo(f"additional field {name} added; set it with --set extra.{name}=VALUE")
