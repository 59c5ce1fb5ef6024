"""``ispterm operator ...``: operator accounts and roles."""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import state

app = typer.Typer(help="Operator accounts and roles.", no_args_is_help=True)


@app.command("add", help="Add an operator (roles: master_admin, admin, technician, support, readonly).")
def add(
    login: str,
    role: Annotated[str, typer.Option(help="Role of the new operator.")],
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
) -> None:
    from ispterm.operators.service import add_operator

    op = add_operator(state.ctx(), login, role, name=name, email=email or None)
    typer.echo(f"operator {op.login} added as {op.role}")


@app.command("role", help="Change an operator's role.")
def role(login: str, new_role: str) -> None:
    from ispterm.operators.service import set_role

    op = set_role(state.ctx(), login, new_role)
    typer.echo(f"operator {op.login} is now {op.role}")


@app.command("list", help="List operators.")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    from dataclasses import asdict

    from ispterm.operators.service import list_operators

    ops = list_operators(state.ctx())
    if as_json:
        state.print_json([asdict(o) for o in ops])
        return
    for op in ops:
        typer.echo(f"{op.login:<16} {op.role:<13} {'active' if op.active else 'inactive':<8} {op.name}")
