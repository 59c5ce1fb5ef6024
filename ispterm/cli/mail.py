"""``ispterm mail ...``: queue e-mail, watch and manage the queue, run the sender, templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ispterm.cli import state

app = typer.Typer(help="E-mail: send, queue, sender service, templates and variables.", no_args_is_help=True)
template_app = typer.Typer(help="E-mail and SMS templates.", no_args_is_help=True)
app.add_typer(template_app, name="template")


def _read_text(path: Path | None, what: str) -> str | None:
    import sys

    from ispterm.errors import ValidationError

    if path is None:
        return None
    limit = 4 * 1024 * 1024  # a body or a template, not a book: refused before it is read
    if str(path) == "-":
        text = sys.stdin.read(limit + 1)
        if len(text) > limit:
            raise ValidationError(what, f"standard input holds more than {limit // 1024 // 1024} MB")
        return text
    try:
        size = path.stat().st_size
        if size > limit:
            raise ValidationError(what, f"{str(path)!r} is {size // 1024 // 1024} MB; at most "
                                        f"{limit // 1024 // 1024} MB of text")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise ValidationError(what, f"cannot read {str(path)!r}: {why}") from None


@app.command("send", help="Queue an e-mail to a customer (template or subject + body).")
@state.flags(to="--to", contact="--to", sender="--sender", priority="--priority", attach="--attach",
             template="--template", subject="--subject", body="--body-file", html="--html-file",
             **{"body-file": "--body-file", "html-file": "--html-file"})
def send(
    number: int,
    template: Annotated[str | None, typer.Option("--template", help="E-mail template name.")] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="Subject (variables allowed).")] = None,
    body_file: Annotated[Path | None, typer.Option("--body-file", help="Text body file ('-' = stdin).")] = None,
    html_file: Annotated[Path | None, typer.Option("--html-file", help="HTML body file; sent with a text alternative.")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="main, billing, technical, business, contact:ID or an address ('Name <address>' too); repeat.")] = None,
    attach: Annotated[list[Path] | None, typer.Option("--attach", help="File to attach (at most 5); repeat.")] = None,
    priority: Annotated[str, typer.Option("--priority", help="high, normal or low.")] = "normal",
    sender: Annotated[str | None, typer.Option("--sender", help="One of the system sender addresses ('Name <address>' names it in From).")] = None,
) -> None:
    from ispterm.errors import ValidationError
    from ispterm.messaging.compose import human_size, read_attachments
    from ispterm.messaging.service import send_email

    if not template and not subject:
        raise ValidationError("subject", "give --template NAME or --subject S --body-file F")
    body = _read_text(body_file, "body-file")
    html = _read_text(html_file, "html-file")
    files = read_attachments(list(attach or []))
    queued = send_email(state.ctx(), number, to=list(to or ["main"]), template=template, subject=subject,
                        body=body, html=html, attachments=files, priority=priority, sender=sender)
    sizes = ", ".join(f"{a.filename} ({human_size(a.size)})" for a in files)
    typer.echo(f"message {queued.id} queued to {queued.to}" + (f" with {sizes}" if sizes else ""))


@app.command("queue", help="List queued, sent and failed messages (newest first).")
@state.flags(status="--status", kind="--kind")
def queue_(
    status: Annotated[str | None, typer.Option("--status", help="queued, sending, sent, failed or cancelled.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="email or sms.")] = None,
    number: Annotated[int | None, typer.Option("--customer", help="Only this customer's messages.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.messaging.service import list_queue

    items = list_queue(state.ctx(), status=status, kind=kind, number=number, limit=limit)
    if as_json:
        state.print_json([i.to_json() for i in items])
        return
    for i in items:
        line = (f"#{i.id:<6} {i.kind:<5} {i.status:<9} {i.priority:<6} {i.attempts:>2}x "
                f"{state.local_time(i.created_at)}  {i.to[:40]:<40} {i.subject or ''}")
        typer.echo(line)
        if i.error and i.status != "sent":
            typer.echo(f"{'':8}error: {i.error}")


@app.command("history", help="E-mail history of a customer (or one contact) with delivery errors.")
def history(
    number: int,
    contact: Annotated[int | None, typer.Option("--contact", help="Only mail to this contact id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.messaging.service import email_history

    items = email_history(state.ctx(), number, contact)
    if as_json:
        state.print_json([i.to_json() for i in items])
        return
    for i in items:
        typer.echo(f"#{i.id:<6} {state.local_time(i.created_at)} {i.status:<9} {i.to[:40]:<40} {i.subject or ''}")
        if i.error:
            typer.echo(f"{'':8}error: {i.error}")


@app.command("retry", help="Queue a failed or cancelled message again.")
def retry(message_id: int) -> None:
    from ispterm.messaging.service import retry as do_retry

    do_retry(state.ctx(), message_id)
    typer.echo(f"message {message_id} queued again")


@app.command("cancel", help="Cancel a queued message.")
def cancel(message_id: int) -> None:
    from ispterm.messaging.service import cancel as do_cancel

    do_cancel(state.ctx(), message_id)
    typer.echo(f"message {message_id} cancelled")


@app.command("contact", help="Welcome, password reset or account statement mail to a contact person.")
@state.flags(**{"from": "--from", "until": "--until", "period": "--from"})
def contact(
    contact_id: int,
    which: Annotated[str, typer.Argument(help="welcome, password_reset or account_statement.")],
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE",
                                                     help="First day of the statement's period.")] = None,
    date_until: Annotated[str | None, typer.Option("--until", metavar="DATE",
                                                      help="Last day of the statement's period.")] = None,
) -> None:
    from datetime import date

    from ispterm import validation as v
    from ispterm.messaging.notices import send_contact_mail

    ctx = state.ctx()
    period = None
    if date_from or date_until:
        period = (v.iso_date(date_from, field="from") if date_from else date(1970, 1, 1),
                  v.iso_date(date_until, field="until") if date_until else ctx.today())
    queued = send_contact_mail(ctx, contact_id, which, period=period)
    typer.echo(f"message {queued.id} queued to {queued.to}")


@app.command("settings", help="Send the customer's service settings as a PDF (to the customer or a technician).")
@state.flags(to="--to", contact="--to", technician="--technician", sender="--sender")
def service_settings(
    number: int,
    to: Annotated[str, typer.Option("--to", help="main, technical, contact:ID or an address.")] = "main",
    technician: Annotated[str | None, typer.Option("--technician", help="Operator login; uses their e-mail.")] = None,
    sender: Annotated[str | None, typer.Option("--sender", help="One of the system sender addresses.")] = None,
) -> None:
    queue_service_settings(number, to=to, technician=technician, sender=sender)


def queue_service_settings(number: int, *, to: str = "main", technician: str | None = None,
                           sender: str | None = None) -> None:
    """What ``mail settings`` does; ``billing service-settings --send TO``, its old spelling, too."""
    from ispterm.messaging.notices import send_service_settings

    queued = send_service_settings(state.ctx(), number, to=to, technician=technician, sender=sender)
    typer.echo(f"message {queued.id} queued to {queued.to} with service-settings-{number}.pdf")


@app.command("run", help="Run the sender: drain the queue over SMTP and the SMS gateway (SIGTERM stops it).")
def run(
    once: Annotated[bool, typer.Option("--once", help="Exit when nothing is due.")] = False,
    concurrency: Annotated[int | None, typer.Option("--concurrency", min=1, max=16, help="SMTP connections (else smtp.connections).")] = None,
) -> None:
    import asyncio
    import logging
    import signal
    import sys

    from ispterm.connect import engine_for
    from ispterm.messaging.sender import SenderSettings, run_sender

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logging.getLogger("ispterm").addHandler(handler)
    logging.getLogger("ispterm").setLevel(logging.INFO)
    settings = SenderSettings.from_config(state.config(), connections=concurrency)
    # The sender acts for nobody in particular: it needs the database, not an operator.
    engine = engine_for(state.db_url())

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        return await run_sender(engine, settings, stop, once=once)

    stats = asyncio.run(main())
    typer.echo(f"sent {stats.sent}, will retry {stats.retried}, failed {stats.failed}"
               + (f", {stats.errors} error(s)" if stats.errors else ""))
    if once and stats.errors:
        # A script must not read "nothing due" into a claim the database refused.
        from ispterm.errors import IsptermError

        raise IsptermError(f"the sender met {stats.errors} error(s), logged above; "
                           "messages it could not send or record are still queued")


@app.command("variables", help="Variables templates may use: built-in and system variables.")
def variables(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    from ispterm.messaging.catalog import variables as all_variables

    rows = all_variables(state.ctx())
    if as_json:
        state.print_json([{"name": v.name, "group": v.group, "description": v.description, "value": v.value}
                          for v in rows])
        return
    for v in rows:
        value = f" = {v.value!r}" if v.value is not None else ""
        typer.echo(f"{{{{ {v.name} }}}}".ljust(22) + f" {v.group:<9} {v.description}{value}")


@app.command("variable", help="Set a user-defined system variable.")
def variable(name: str, value: str,
             description: Annotated[str | None, typer.Option("--description")] = None) -> None:
    from ispterm.messaging.catalog import set_variable

    v = set_variable(state.ctx(), name, value, description)
    typer.echo(f"{v.name} = {v.value}")


@template_app.command("list", help="List templates.")
@state.flags(kind="--kind")
def template_list(
    kind: Annotated[str | None, typer.Option("--kind", help="email or sms.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.messaging.catalog import list_templates

    rows = list_templates(state.ctx(), kind)
    if as_json:
        state.print_json([t.to_json() for t in rows])
        return
    for t in rows:
        typer.echo(f"{t.kind:<5} {t.name:<24} {t.subject or ''}")


@template_app.command("show", help="Print a template.")
@state.flags(kind="--kind")
def template_show(name: str, kind: Annotated[str, typer.Option("--kind", help="email or sms.")] = "email",
                  as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    from ispterm.messaging.catalog import get_template

    t = get_template(state.ctx(), kind, name)
    if as_json:
        state.print_json(t.to_json())
        return
    if t.subject:
        typer.echo(f"Subject: {t.subject}\n")
    typer.echo(t.body.rstrip("\n"))
    if t.html:
        typer.echo("\n--- HTML ---\n" + t.html.rstrip("\n"))


def _save(name: str, kind: str, subject, body_file, html_file, create: bool, version=None) -> None:
    from ispterm.messaging.catalog import save_template

    t = save_template(state.ctx(), kind, name, subject=subject, body=_read_text(body_file, "body-file"),
                      html=_read_text(html_file, "html-file"), create=create, expected_version=version)
    typer.echo(f"{t.kind} template {t.name} saved (version {t.version})")


@template_app.command("add", help="Add a template; unknown variables or syntax errors are refused.")
@state.flags(kind="--kind", subject="--subject", body="--body-file", html="--html-file",
             **{"body-file": "--body-file", "html-file": "--html-file"})
def template_add(
    name: str,
    kind: Annotated[str, typer.Option("--kind", help="email or sms.")] = "email",
    subject: Annotated[str | None, typer.Option("--subject")] = None,
    body_file: Annotated[Path | None, typer.Option("--body-file", help="'-' = stdin.")] = None,
    html_file: Annotated[Path | None, typer.Option("--html-file")] = None,
) -> None:
    _save(name, kind, subject, body_file, html_file, True)


@template_app.command("edit", help="Change a template's subject, body or HTML.")
@state.flags(kind="--kind", subject="--subject", body="--body-file", html="--html-file",
             **{"body-file": "--body-file", "html-file": "--html-file"})
def template_edit(
    name: str,
    kind: Annotated[str, typer.Option("--kind", help="email or sms.")] = "email",
    subject: Annotated[str | None, typer.Option("--subject")] = None,
    body_file: Annotated[Path | None, typer.Option("--body-file", help="'-' = stdin.")] = None,
    html_file: Annotated[Path | None, typer.Option("--html-file")] = None,
    version: Annotated[int | None, typer.Option("--version", help="Refuse if changed since.")] = None,
) -> None:
    _save(name, kind, subject, body_file, html_file, False, version)
