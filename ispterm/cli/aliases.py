"""Old spellings of options, still accepted so that scripts written against them keep working.

One word per concept (issue 14): a period is ``--from DATE --until DATE``, a recipient is
``--to``, a due date is ``--due-on``. Where a command spelled one differently, the old spelling
stays as a hidden option of its own beside the new one (not as a second name of the same
option), so the command knows which one was typed and its errors name that one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

# command, old spelling -> what to write instead (README and tests/test_completion.py list them).
OLD_SPELLINGS: dict[tuple[str, str], str] = {
    ("billing statement", "--to"): "--until",
    ("billing service-settings", "--send"): "ispterm mail settings NUMBER --to",
    ("task add", "--due"): "--due-on",
}


def either(new_flag: str, new: T | None, old_flag: str, old: T | None) -> tuple[str, T | None]:
    """The flag typed and its value: the new spelling's, else the old one's. Both at once is
    refused, even when equal: a script that says one thing twice is confused somewhere."""
    if new is not None and old is not None:
        from ispterm.errors import ValidationError

        raise ValidationError(old_flag, f"is the old spelling of {new_flag}; give only one of them")
    return (old_flag, old) if old is not None else (new_flag, new)


def required(flag: str, value: T | None) -> T:
    """``value``, or the error typer gives for any missing option (``Missing option '--until'``):
    an option with a hidden old spelling cannot be declared required itself."""
    if value is not None:
        return value
    try:  # typer 0.2x carries its own copy of click; older ones use click itself
        from typer._click.exceptions import MissingParameter
        from typer._click.globals import get_current_context
    except ImportError:  # pragma: no cover - depends on the typer release
        from click import MissingParameter, get_current_context  # type: ignore[no-redef]

    ctx = get_current_context()
    param = next(p for p in ctx.command.params if flag in getattr(p, "opts", ()))
    raise MissingParameter(ctx=ctx, param=param)


@contextmanager
def naming(**names: str) -> Iterator[None]:
    """``state.flags`` for names known only when the command runs (the spelling typed):
    service errors about these fields name the flag instead."""
    from ispterm.cli.state import renamed_error
    from ispterm.errors import ValidationError

    try:
        yield
    except ValidationError as exc:
        renamed = renamed_error(exc, names)
        if renamed is exc:
            raise
        raise renamed from None
