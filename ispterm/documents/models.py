"""What the documents print, as plain frozen data: an invoice, an account statement.

Billing reads these from the database (``billing.printing``, ``billing.account``) and hands
them to the renderers in this package (PDF now, ISDOC next), which import nothing of billing:
the dependency goes one way, and the renderers stay free of the database (a group's view is
named for the type checker only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ispterm.billing.groups import GroupView

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DocLine:
    description: str
    quantity: int
    unit_price: Decimal
    vat_rate: Decimal
    total: Decimal
    kind: str


@dataclass(frozen=True)
class VatRow:
    rate: Decimal
    base: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Party:
    """The customer as billed: billing name and address when filled in, else the card's."""

    number: int
    name: str
    address: tuple[str, ...]
    ico: str | None
    dic: str | None
    email: str | None


@dataclass(frozen=True)
class InvoiceDoc:
    id: int
    number: str
    issued_on: date
    due_on: date
    vs: str
    currency: str
    period: str | None
    status: str
    total: Decimal
    vat_total: Decimal
    rounding: Decimal
    paid: Decimal
    lines: tuple[DocLine, ...]
    vat: tuple[VatRow, ...]
    supplier: GroupView
    customer: Party
    qr_payload: str | None
    # The day the payment that completed it arrived; None while anything is unpaid.
    paid_on: date | None = None

    @property
    def outstanding(self) -> Decimal:
        return ZERO if self.status == "cancelled" else self.total - self.paid

    @property
    def settlement(self) -> str:
        """What the document says about paying it: ``cancelled`` (nothing to pay), ``paid`` (in
        full, on ``paid_on``), ``part_paid`` (``paid`` so far, ``outstanding`` still due by
        ``due_on``) or ``unpaid``."""
        if self.status == "cancelled":
            return "cancelled"
        if self.status == "paid" or self.outstanding <= 0:
            return "paid"
        return "part_paid" if self.paid > 0 else "unpaid"


@dataclass(frozen=True)
class StatementEntry:
    day: date
    kind: str  # invoice | payment
    reference: str
    amount: Decimal  # + payment, - invoice
    balance: Decimal  # running balance after this entry


@dataclass(frozen=True)
class StatementDoc:
    customer: Party
    supplier: GroupView
    currency: str
    date_from: date
    date_to: date
    opening: Decimal
    entries: tuple[StatementEntry, ...]
    closing: Decimal
    invoiced: Decimal
    paid: Decimal


__all__ = ["ZERO", "DocLine", "InvoiceDoc", "Party", "StatementDoc", "StatementEntry", "VatRow"]
