"""What every statement parser returns: plain, validated values, nothing written yet.

Parsers read the whole file first and raise :class:`MalformedStatement` naming the line (GPC,
CSV) or element path (camt.053) at fault, so a bad file is refused before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ispterm.errors import ValidationError

CENT = Decimal("0.01")
# Movements one file may hold: a year of a 40,000-customer ISP. The import keeps ~1.2 kB of
# each until it is written (so ~0.7 GB here); the file size limit (importer.MAX_BYTES) alone
# would let 3 million short CSV lines through.
MAX_ENTRIES = 500_000


# Text holds no NUL (PostgreSQL refuses it in a text column): a binary or UTF-16 file.
NUL_TEXT = "a NUL character: not text in the file's encoding"


class MalformedStatement(ValidationError):
    """The file cannot be read as a statement; ``where`` is the line or element at fault."""

    def __init__(self, name: str, where: str, why: str) -> None:
        self.where = where
        super().__init__(name, f"{where}: {why}" if where else why)


@dataclass(frozen=True, slots=True)
class Entry:
    """One booked movement. ``amount`` is signed: positive money came in. Slotted: a statement
    holds a hundred thousand of them."""

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


# Integer digits an amount may have: the bound ``ispterm.validation.decimal_money`` puts on an
# amount typed by hand (a statement line is never bigger than what may be entered), far inside
# the 64-bit hundredths the database stores.
MAX_DIGITS = 15
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def shown(text: str, limit: int = 40) -> str:
    """``text`` quoted for an error message, cut short: a hostile cell may be megabytes long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def to_amount(text: str, name: str, where: str, raw: str | None = None) -> Decimal:
    """An exact amount with at most two decimals (a bank never books a fraction of a cent).

    Only plain decimal notation (ASCII digits, one point) is read: ``Decimal`` alone would take
    ``1e999``, ``1_000``, ``NaN`` or Arabic-Indic digits. ``raw`` is the text as the file wrote it,
    for the message, when the caller normalised it (the CSV decimal comma)."""
    value = text.strip()
    quoted = shown((raw if raw is not None else text).strip())
    if not _PLAIN.fullmatch(value):
        raise MalformedStatement(name, where, f"amount {quoted} is not a plain number "
                                 "(digits and at most one decimal mark, no exponent)")
    whole, _, fraction = value.lstrip("+-").partition(".")
    if len(whole.lstrip("0")) > MAX_DIGITS:
        raise MalformedStatement(name, where, f"amount {quoted} is too large "
                                 f"(more than {MAX_DIGITS} digits before the decimal mark)")
    if len(fraction.rstrip("0")) > 2:
        raise MalformedStatement(name, where, f"amount {quoted} has more than two decimals")
    # Bounded now: the context's 28 digits hold it exactly, so quantize cannot fail.
    return Decimal(value).quantize(CENT)


def currency_code(text: str | None, name: str, where: str) -> str:
    """A three-letter ISO 4217 code as the payment's column holds it."""
    code = (text or "").strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise MalformedStatement(name, where, f"currency {shown(code)} is not a three-letter code")
    return code


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
    if not is_digits(digits) or len(digits) > 10:
        return None
    digits = digits.lstrip("0")
    return digits or None


def check_count(count: int, name: str, where: str) -> None:
    """Refuse the file once it has more than :data:`MAX_ENTRIES` movements (while parsing)."""
    if count > MAX_ENTRIES:
        raise MalformedStatement(name, where, f"more than {MAX_ENTRIES:,} movements in one file: "
                                 "split it by period")


def is_digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also says yes to "²" and "٣", which ``int`` refuses or
    reads as another number."""
    return text.isascii() and text.isdigit()


def clean(text: str | None, limit: int) -> str | None:
    """Collapsed whitespace, cut to the column's length; empty is none."""
    if text is None:
        return None
    value = " ".join(text.split())
    return value[:limit] or None
