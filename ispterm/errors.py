"""Typed errors raised by services; the CLI prints them as one line, the app as a message.

Every error's ``str()`` is a complete sentence fragment fit for ``error: ...``.
"""

from __future__ import annotations

from datetime import datetime


class IsptermError(Exception):
    """Base of every error the user can cause and fix."""


class ValidationError(IsptermError):
    """A value for ``field`` is not acceptable; ``why`` says what is wrong with it."""

    def __init__(self, field: str, why: str) -> None:
        self.field = field
        self.why = why
        super().__init__(f"{field}: {why}")


class NotFound(IsptermError):
    """The thing asked for does not exist."""


class PermissionDenied(IsptermError):
    """The acting operator's role does not allow the action."""


class Conflict(IsptermError):
    """The record changed since the caller read it (optimistic locking)."""

    def __init__(self, what: str, who: str | None, when: datetime | None) -> None:
        self.what = what
        self.who = who
        self.when = when
        at = when.astimezone().strftime("%Y-%m-%d %H:%M:%S") if when else "an unknown time"
        super().__init__(
            f"{what} was changed by {who or 'someone'} at {at} since you loaded it; "
            "reload and apply your change again"
        )


class ConfigError(IsptermError):
    """The configuration file or a configuration value is wrong."""


class StoreError(IsptermError):
    """The database is missing, unreachable or not migrated."""


class InvalidFields(ValidationError):
    """Several fields are wrong at once; ``errors`` keeps each one for forms."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        super().__init__(errors[0].field, errors[0].why)
        self.args = ("; ".join(str(e) for e in errors),)

    def __str__(self) -> str:
        return self.args[0]


def raise_collected(errors: list[ValidationError]) -> None:
    """Report every bad field of a form at once (one error stays itself)."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InvalidFields(errors)
