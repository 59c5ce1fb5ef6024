"""What every statement parser returns: plain, validated values, nothing written yet.

Parsers read the whole file first and raise :class:`MalformedStatement` naming the line (GPC,
CSV) or element path (camt.053) at fault, so a bad file is refused before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from ispterm.errors import ValidationError

CENT = Decimal("0.01")


class MalformedStatement(ValidationError):
    """The file cannot be read as a statement; ``where`` is the line or element at fault."""

    def __init__(self, name: str, where: str, why: str) -> None:
        self.where = where
        super().__init__(name, f"{where}: {why}" if where else why)


@dataclass(frozen=True)
class Entry:
    """One booked movement. ``amount`` is signed: positive money came in."""

    where: str
    booked_on: date
    amount: Decimal
    currency: str
    vs: str | None = None
    counterparty: str | None = None
    counterparty_account: str | None = None
    message: str | None = None
    bank_ref: str | None = None
    account: str | None = None
    # Reversals (storno) and entries not yet booked are never customer payments.
    reversal: bool = False
    booked: bool = True


@dataclass(frozen=True)
class ParsedStatement:
    format: str
    account: str | None
    statement_ref: str | None
    statement_date: date | None
    sequence: str | None
    currency: str | None
    entries: list[Entry] = field(default_factory=list)


def to_amount(text: str, name: str, where: str) -> Decimal:
    """An exact amount with at most two decimals (a bank never books a fraction of a cent)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise MalformedStatement(name, where, f"amount {text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise MalformedStatement(name, where, f"amount {text.strip()!r} is not a number")
    if value != value.quantize(CENT):
        raise MalformedStatement(name, where, f"amount {text.strip()} has more than two decimals")
    return value.quantize(CENT)


_VS_LABELLED = re.compile(r"(?:^|[^A-Z0-9])VS[\s:/.\-=]*(\d{1,10})(?!\d)", re.IGNORECASE)


def vs_from_text(text: str | None) -> str | None:
    """The VS written the Czech ways: ``/VS/123``, ``VS:123``, ``VS 123``, ``VS123``."""
    if not text:
        return None
    found = _VS_LABELLED.search(text)
    return normal_vs(found.group(1)) if found else None


def normal_vs(value: str | None) -> str | None:
    """Digits without leading zeros (banks pad the VS to 10 digits); empty or all zeros is none."""
    if value is None:
        return None
    digits = value.strip()
    if not digits.isdigit() or len(digits) > 10:
        return None
    digits = digits.lstrip("0")
    return digits or None


def clean(text: str | None, limit: int) -> str | None:
    """Collapsed whitespace, cut to the column's length; empty is none."""
    if text is None:
        return None
    value = " ".join(text.split())
    return value[:limit] or None
