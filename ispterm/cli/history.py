"""``ispterm history [NUMBER]``: the audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import state


def history(
    number: Annotated[int | None, typer.Argument(help="Customer number; all customers when omitted.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Rows to show.")] = 50,
    grep: Annotated[str | None, typer.Option("--filter", help="Only rows containing this text.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.audit.service import history as load

    rows = load(state.ctx(), number, limit=limit, text=grep)
    if as_json:
        state.print_json([r.to_json() for r in rows])
        return
    for r in rows:
        who = f"{r.customer_number}" if r.customer_number else "-"
        typer.echo(f"{state.local_time(r.at)}  {r.operator:<12} {who:>8}  {r.describe()}")
