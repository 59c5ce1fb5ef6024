"""Currency rounding rules (BIL-5): one place that knows how each currency is rounded.

Lines are rounded to the currency's minor unit (CZK to the haléř, EUR to the cent). A Czech
invoice total is then rounded to whole crowns, because the haléř has not existed as a coin
since 2008 and Czech invoices show the difference as a separate, VAT-free rounding line.
EUR totals stay exact to the cent. A currency not listed rounds like EUR (two decimals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CurrencyRule:
    code: str
    line_step: Decimal  # lines and VAT are rounded to this
    total_step: Decimal  # the amount to pay is rounded to this (the rest is a rounding line)


RULES = {
    "CZK": CurrencyRule("CZK", CENT, Decimal("1")),
    "EUR": CurrencyRule("EUR", CENT, CENT),
}


def rule(currency: str) -> CurrencyRule:
    code = (currency or "").upper()
    return RULES.get(code, CurrencyRule(code, CENT, CENT))


def round_to(amount: Decimal, step: Decimal) -> Decimal:
    """Half up (the commercial rule Czech and EU invoices use), kept with two decimals."""
    return (amount / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step + ZERO


def line_amount(unit_price: Decimal, quantity: int, currency: str) -> Decimal:
    return round_to(unit_price * quantity, rule(currency).line_step).quantize(CENT)


def vat_in_gross(gross: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The VAT contained in a price that includes it (ISPs quote gross prices)."""
    return round_to(gross * rate / (100 + rate), rule(currency).line_step).quantize(CENT)


def payable(total: Decimal, currency: str) -> tuple[Decimal, Decimal]:
    """(amount to pay, rounding difference) for the sum of an invoice's lines."""
    rounded = round_to(total, rule(currency).total_step).quantize(CENT)
    return rounded, (rounded - total).quantize(CENT)


def fmt(amount: Decimal, currency: str | None = None) -> str:
    """``1 234.50 CZK``: thousands grouped with spaces, as Czech documents print amounts."""
    text = f"{amount:,.2f}".replace(",", " ")
    return f"{text} {currency}" if currency else text
