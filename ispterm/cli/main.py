"""The ``ispterm`` command. Only typer is imported up front; every command imports what it
needs when it runs, so ``ispterm --help`` stays fast and never loads SQLAlchemy or Textual."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ispterm.cli import contact, customer, db, demo, history, note, operator, sample, settings, task, ui
from ispterm.cli import billing, billing_import, mail, sms
from ispterm.cli import config as config_cmd
from ispterm.cli.state import OPTIONS

app = typer.Typer(
    name="ispterm",
    help="Terminal console for ISP operators: customers, billing, notes, history. "
    "Without a command it opens the app on the customer list.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
def _global(
    ctx: typer.Context,
    db_url: Annotated[Optional[str], typer.Option("--db", help="Database URL or SQLite file (else ISPTERM_DB, config, default file).", metavar="URL")] = None,
    operator_login: Annotated[Optional[str], typer.Option("--operator", help="Act as this operator (else ISPTERM_OPERATOR, config, login name).", metavar="LOGIN")] = None,
    config_path: Annotated[Optional[Path], typer.Option("--config", help="Config file (else ISPTERM_CONFIG or the user config dir).", metavar="PATH")] = None,
    theme: Annotated[Optional[str], typer.Option("--theme", help="App colour theme: ispterm-dark, ispterm-light, ispterm-high-contrast, ansi-dark, ansi-light.", metavar="NAME")] = None,
    no_mouse: Annotated[bool, typer.Option("--no-mouse", help="Do not capture the mouse in the app.")] = False,
    readonly: Annotated[bool, typer.Option("--readonly", help="Hide and refuse every change (app and commands).")] = False,
) -> None:
    OPTIONS.db = db_url
    OPTIONS.operator = operator_login
    OPTIONS.config_path = config_path
    OPTIONS.theme = theme
    OPTIONS.mouse = not no_mouse
    OPTIONS.readonly = readonly
    if ctx.invoked_subcommand is None:
        from ispterm.cli.ui import launch

        launch()


app.command("open", help="Open the app on one customer's card.")(ui.open_card)
app.command("demo", help="Make a demo database from the bundled sample data (once) and open it.")(demo.demo)
app.command("init", help="Create or upgrade the database; the first operator becomes master admin.")(db.init)
app.add_typer(db.app, name="db")
app.add_typer(customer.app, name="customer")
app.add_typer(contact.app, name="contact")
app.add_typer(contact.service_app, name="service")
app.add_typer(note.app, name="note")
app.command("history", help="The audit trail of one customer or of everything, newest first.")(history.history)
app.add_typer(operator.app, name="operator")
app.add_typer(settings.app, name="settings")
app.add_typer(config_cmd.app, name="config")
app.add_typer(sample.app, name="sample")
app.add_typer(task.app, name="task")
app.add_typer(mail.app, name="mail")
app.add_typer(sms.app, name="sms")
app.add_typer(billing.app, name="billing")
billing_import.register(billing.app)


def _fail(message: str, code: int = 1) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every user error becomes one ``error: ...`` line and exit status 1."""
    from typer.exceptions import Abort, TyperException

    from ispterm.errors import IsptermError

    try:
        result = app(args=argv, standalone_mode=False, prog_name="ispterm")
    except IsptermError as exc:
        _fail(str(exc))
    except TyperException as exc:
        usage_ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and usage_ctx is not None:
            # A command group without a subcommand: show what it offers.
            sys.stdout.write(usage_ctx.get_help() + "\n")
            return
        hint = f" (see '{usage_ctx.command_path} --help')" if usage_ctx is not None else ""
        _fail(exc.format_message().replace("\n", " ") + hint)
    except Abort:
        _fail("aborted", 130)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename}" if getattr(exc, "filename", None) else str(exc))
    except Exception as exc:  # noqa: BLE001 - database drivers raise their own hierarchies
        from ispterm.cli.dberrors import describe

        message = describe(exc)
        if message is None:
            raise
        _fail(message)
    if isinstance(result, int) and result:
        raise SystemExit(result)
