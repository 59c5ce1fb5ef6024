"""One audit row, built the one way every writer of ``audit_event`` builds it.

The ORM listener (``audit.recorder``) and the bulk paths that insert many rows at once without
ORM objects (the invoice run, statement import, allocation, the mail queue, the sample
loader) all make their rows here, so a column added to the audit trail is added once, and
values read the same whoever wrote them. Light on purpose: no models are imported.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any


def render(value: Any) -> str | None:
    """One stable text form per value, so history reads the same on every database."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (date, Decimal)):
        return str(value)
    return str(value)


def audit_row(*, at: datetime, operator: str, customer_id: int | None, entity: str,
              entity_id: int | None, action: str, field: str | None = None, old: Any = None,
              new: Any = None, summary: str | None = None, private_to: int | None = None) -> dict[str, Any]:
    """The values of one ``audit_event`` row (old and new rendered as text)."""
    return {"at": at, "operator": operator, "customer_id": customer_id, "entity": entity,
            "entity_id": entity_id, "action": action, "field": field, "old": render(old),
            "new": render(new), "summary": summary, "private_to": private_to}


def invoice_label(number: str) -> str:
    """How every audit row about an invoice names it (its number)."""
    return f"invoice {number}"


def payment_label(payment_id: int | None, amount: Any, currency: str | None, received_on: Any) -> str:
    """How every audit row about a payment names it: id, amount and the day it was received."""
    money = f"{render(amount)} {currency}" if currency else render(amount)
    return f"payment {payment_id if payment_id is not None else '?'} ({money} received {render(received_on)})"


__all__ = ["audit_row", "invoice_label", "payment_label", "render"]
