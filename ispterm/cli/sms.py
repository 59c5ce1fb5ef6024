"""``ispterm sms ...``: SMS to a customer or a technician through the configured gateway."""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import state

app = typer.Typer(help="SMS through the configured HTTP gateway.", no_args_is_help=True)


@app.command("send", help="Queue an SMS about a customer (to their mobile unless --to).")
@state.flags(to="--to", text="TEXT", template="--template", priority="--priority")
def send(
    number: int,
    text: Annotated[str | None, typer.Argument(help="Text (variables allowed).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="'customer', a technician's login or a phone number.")] = None,
    template: Annotated[str | None, typer.Option("--template", help="SMS template name.")] = None,
    priority: Annotated[str, typer.Option("--priority", help="high, normal or low.")] = "normal",
) -> None:
    from ispterm.messaging.service import send_sms

    queued = send_sms(state.ctx(), number, text, to=to, template=template, priority=priority)
    parts = sum(q.sms.parts for q in queued)
    ids = ", ".join(str(q.id) for q in queued)
    typer.echo(f"SMS {ids} queued to {queued[0].to} ({parts} part{'s' if parts != 1 else ''}, "
               f"{queued[0].sms.encoding})")


@app.command("count", help="Characters and parts of a text (GSM-7 or UCS-2).")
def count(text: str) -> None:
    from ispterm.messaging.service import sms_count

    typer.echo(sms_count(state.ctx(), text).label)
