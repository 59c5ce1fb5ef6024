"""The ``ispterm`` command. Only typer is imported up front; every command imports what it
needs when it runs, so ``ispterm --help`` stays fast and never loads SQLAlchemy or Textual.

A call that names its command builds only that command (importing only its module): typer
turns every registered function into a click command on each call, which cost ~35 ms for
all of them, paid by every script call and by ``ispterm open`` before its first frame. The
top-level group knows every name and builds any other command the moment it is asked for
(:class:`_Commands`), which is what shell completion needs: ``ispterm cust<TAB>`` builds
``customer``, ``ispterm billing st<TAB>`` builds ``billing``, never the rest.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from ispterm.cli.state import OPTIONS

# name, module in ispterm.cli, attribute, help (None: the attribute is a typer group).
COMMANDS: tuple[tuple[str, str, str, str | None], ...] = (
    ("open", "ui", "open_card", "Open the app on one customer's card."),
    ("demo", "demo", "demo", "Make a demo database from the bundled sample data (once) and open it."),
    ("init", "db", "init", "Create or upgrade the database; the first operator becomes master admin."),
    ("db", "db", "app", None),
    ("customer", "customer", "app", None),
    ("contact", "contact", "app", None),
    ("service", "contact", "service_app", None),
    ("note", "note", "app", None),
    ("history", "history", "history", "The audit trail of one customer or of everything, newest first."),
    ("operator", "operator", "app", None),
    ("settings", "settings", "app", None),
    ("config", "config", "app", None),
    ("sample", "sample", "app", None),
    ("task", "task", "app", None),
    ("mail", "mail", "app", None),
    ("sms", "sms", "app", None),
    ("billing", "billing", "app", None),
)
NAMES = frozenset(c[0] for c in COMMANDS)
# Global options that take a value: the command name is the first other word.
_VALUE_OPTIONS = ("--db", "--operator", "--config", "--theme")
# Set by the completion script ``ispterm --show-completion`` prints (typer's, for bash, zsh,
# fish and PowerShell): its value says the shell and what to do, e.g. ``complete_bash``.
COMPLETE_VAR = "_ISPTERM_COMPLETE"
_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


class _Commands(TyperGroup):
    """The ``ispterm`` group: lists every command by name and builds the ones not built up
    front when they are asked for, so nothing needs them all built except ``--help``."""

    def list_commands(self, ctx) -> list[str]:
        return [c[0] for c in COMMANDS]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands and cmd_name in NAMES:
            self._build({cmd_name})
        return self.commands.get(cmd_name)

    def shell_complete(self, ctx, incomplete: str):
        # ``ispterm <TAB>`` asks for every command: one build of them all costs half of
        # seventeen builds of one (~45 ms against ~85 ms).
        wanted = {n for n in NAMES if n.startswith(incomplete) and n not in self.commands}
        if len(wanted) > 1:
            self._build(wanted)
        return super().shell_complete(ctx, incomplete)

    def _build(self, names: set[str]) -> None:
        built = typer.main.get_command(build_app(names))
        for name in names:
            command = built.commands[name]
            _bounded_integers(command)
            self.commands[name] = command


def _global(
    ctx: typer.Context,
    db_url: Annotated[str | None, typer.Option("--db", help="Database URL or SQLite file (else ISPTERM_DB, config, default file).", metavar="URL")] = None,
    operator_login: Annotated[str | None, typer.Option("--operator", help="Act as this operator (else ISPTERM_OPERATOR, config, login name).", metavar="LOGIN")] = None,
    config_path: Annotated[Path | None, typer.Option("--config", help="Config file (else ISPTERM_CONFIG or the user config dir).", metavar="PATH")] = None,
    theme: Annotated[str | None, typer.Option("--theme", help="App colour theme: ispterm-dark, ispterm-light, ispterm-high-contrast, ansi-dark, ansi-light.", metavar="NAME")] = None,
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


def build_app(only: str | set[str] | None = None) -> typer.Typer:
    """The CLI with every command, or with just ``only`` (a known command name, or several);
    the group builds any other one when it is asked for."""
    app = typer.Typer(
        name="ispterm",
        help="Terminal console for ISP operators: customers, billing, notes, history. "
        "Without a command it opens the app on the customer list.",
        no_args_is_help=False,
        cls=_Commands,
        add_completion=True,  # --install-completion, --show-completion
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback(invoke_without_command=True)(_global)
    wanted = {only} if isinstance(only, str) else only
    for name, module, attribute, help_text in COMMANDS:
        if wanted is not None and name not in wanted:
            continue
        target = getattr(importlib.import_module(f"ispterm.cli.{module}"), attribute)
        if help_text is None:
            app.add_typer(target, name=name)
        else:
            app.command(name, help=help_text)(target)
    return app


def command_named(argv: list[str]) -> str | None:
    """The known command ``argv`` runs, "" for none (the app), None when it needs them all."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return None  # the top-level help lists every command
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in NAMES else None
    return ""


def _bounded_integers(command) -> None:
    """Give every integer argument and option of the command tree the range a database
    integer holds: a 30-digit id is refused as typed, naming the argument, instead of
    overflowing in the database driver."""
    try:  # typer 0.2x carries its own copy of click; older ones use click itself
        from typer._click import types
    except ImportError:  # pragma: no cover - depends on the typer release
        from click import types  # type: ignore[no-redef]

    from ispterm.limits import MAX_INTEGER

    for param in command.params:
        if type(param.type) is types.IntParamType:
            param.type = types.IntRange(-MAX_INTEGER, MAX_INTEGER)
            param.type.name = "whole number"  # "'1.5' is not a valid whole number"
        elif isinstance(param.type, types.IntRange):  # a range open at one end (min=1)
            if param.type.max is None:
                param.type.max = MAX_INTEGER
            if param.type.min is None:
                param.type.min = -MAX_INTEGER
    for sub in getattr(command, "commands", {}).values():
        _bounded_integers(sub)


def _unusable(args: list[str]) -> str | None:
    """Why an argument cannot be used at all, or None: not valid UTF-8 (Python keeps its
    bytes as surrogates), or a NUL (no file name or value holds one; a shell cannot even
    pass one, but a program calling main() can)."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return (f"the argument {shown} is not valid UTF-8 text; check the terminal's or the "
                    "script's encoding")
        if "\x00" in arg:
            return f"the argument {arg!r} contains a NUL character"
    return None


def _fail(message: str, code: int = 1) -> None:
    sys.stderr.write(f"error: {_short(message)}\n")
    raise SystemExit(code)


def _short(message: str, keep: int = 60) -> str:
    """The message with any very long word (a pasted 100 kB value it quotes) cut in the
    middle, and on one line: an error line says what is wrong, not the input again."""
    import re

    def cut(m: re.Match[str]) -> str:
        word = m.group(0)
        return f"{word[:keep // 2]}…({len(word)} characters)…{word[-keep // 4:]}"

    return re.sub(rf"\S{{{keep * 2},}}", cut, " ".join(message.splitlines()))


def complete(instruction: str) -> int:
    """Answer the shell's completion request: typer's scripts ask ``complete_bash``; click's
    spelling (``bash_complete``, ``bash_source``) is taken too. Nothing is built up front:
    the group builds the commands the typed words lead to."""
    from typer.completion import completion_init, shell_complete

    completion_init()  # typer's completers (plain values for bash), as its scripts expect
    shell, _, action = instruction.partition("_")
    if shell in _SHELLS:
        instruction = f"{action}_{shell}"
    command = typer.main.get_command(build_app(""))
    _bounded_integers(command)
    return shell_complete(command, {}, "ispterm", COMPLETE_VAR, instruction)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every user error becomes one ``error: ...`` line and exit status 1."""
    from typer.exceptions import Abort, TyperException

    from ispterm.errors import IsptermError

    instruction = os.environ.get(COMPLETE_VAR)
    if instruction:
        raise SystemExit(complete(instruction))
    args = sys.argv[1:] if argv is None else list(argv)
    bad = _unusable(args)
    if bad is not None:
        _fail(bad)
    try:
        command = typer.main.get_command(build_app(command_named(args)))
        _bounded_integers(command)
        result = command.main(args=args, standalone_mode=False, prog_name="ispterm")
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
