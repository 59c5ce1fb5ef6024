"""What the demo builder, the loader and the scale generator share: the file format tag,
money and VAT, month arithmetic and ASCII folding. Pure functions of their arguments."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

FORMAT = "ispterm-demo/1"
CENT = Decimal("0.01")
VAT = Decimal("21.00")  # every plan's price includes it


def money(value: Decimal) -> str:
    """An amount as the data set writes it: a string with two decimals."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def vat_of(gross: Decimal, rate: Decimal = VAT) -> Decimal:
    """The VAT contained in a price that includes it."""
    return (gross * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after (or before) the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def timestamp(day: date, hour: int, minute: int = 0, second: int = 0) -> str:
    """An ISO time in UTC on ``day``, as the data set writes times."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC).isoformat()


def ascii_fold(value: str) -> str:
    """Lower-case ASCII letters, digits, spaces, dots and hyphens: for logins and e-mails."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch in " -."))


def slug(value: str) -> str:
    """A company name as a domain name ("Elektro Novák s.r.o." -> "elektro-novak")."""
    words = ascii_fold(value).replace(".", " ").split()
    return "-".join(w for w in words if w not in ("s", "r", "o", "a"))
