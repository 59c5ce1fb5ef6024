"""Global CLI options and the one way commands get a Ctx from them."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ispterm.config import Config
    from ispterm.context import Ctx


@dataclass
class Options:
    db: str | None = None
    operator: str | None = None
    config_path: Path | None = None
    readonly: bool = False
    theme: str | None = None
    mouse: bool = True


OPTIONS = Options()


def config() -> Config:
    from ispterm.config import load

    return load(OPTIONS.config_path)


def db_url() -> str:
    from ispterm.connect import resolve_url

    return resolve_url(OPTIONS.db, config())


def login() -> str:
    from ispterm.connect import resolve_login

    return resolve_login(OPTIONS.operator, config())


def ctx() -> Ctx:
    from ispterm.connect import open_ctx

    return open_ctx(db_url(), login(), readonly=OPTIONS.readonly, config=config())


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def local_time(value) -> str:
    """Times are stored in UTC and shown in the machine's local time."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def flags(**names: str):
    """Make a command's errors name what the user typed: services name their own fields
    (``due``, ``amount``, ``due_on``), which the app maps to its labels; the command maps them
    to its options and arguments (``--due-on``, ``AMOUNT``, ``--due``). Fields not named here
    stay as they are. ``@flags(due="--due-on")`` goes under ``@app.command``."""
    import functools

    def wrap(command):
        @functools.wraps(command)
        def run(*args, **kwargs):
            from ispterm.errors import ValidationError

            try:
                return command(*args, **kwargs)
            except ValidationError as exc:
                renamed = renamed_error(exc, names)
                if renamed is exc:
                    raise
                raise renamed from None

        return run

    return wrap


def renamed_error(exc, names: dict[str, str]):
    """``exc`` with its field(s) named as in ``names``; ``exc`` itself when none is."""
    from ispterm.errors import InvalidFields, ValidationError

    if isinstance(exc, InvalidFields):
        parts = [renamed_error(e, names) for e in exc.errors]
        return exc if all(a is b for a, b in zip(parts, exc.errors, strict=True)) else InvalidFields(parts)
    if exc.field not in names:
        return exc
    return ValidationError(names[exc.field], exc.why)
