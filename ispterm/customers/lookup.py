"""The one way services find a customer by number (and the one 'does not exist' message)."""

from __future__ import annotations

from sqlmodel import Session, select

from ispterm.customers.model import Customer
from ispterm.errors import NotFound
from ispterm.limits import MAX_INTEGER


def customer_by_number(session: Session, number: int, *, lock: bool = False) -> Customer:
    """The customer; with ``lock`` the row is held (FOR UPDATE) until the transaction ends."""
    if not -MAX_INTEGER <= number <= MAX_INTEGER:  # no such row, and the driver would overflow
        raise NotFound(f"customer {number} does not exist")
    stmt = select(Customer).where(Customer.number == number)
    customer = session.exec(stmt.with_for_update() if lock else stmt).first()
    if customer is None:
        raise NotFound(f"customer {number} does not exist")
    return customer
