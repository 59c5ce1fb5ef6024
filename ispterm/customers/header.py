"""The card's header strip (number, name, status, marks, balance) read through the driver.

``ispterm open NUMBER`` paints this before SQLAlchemy, the ORM and the services are imported
(see ``ispterm.store.quick``). The balance follows the rule of ``ispterm.billing.balance``
(payments - invoiced, cancelled excluded, money in hundredths); a test holds the two to the
same figures on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ispterm.errors import NotFound

if TYPE_CHECKING:
    from ispterm.store.quick import QuickConnection

_CUSTOMER = """
SELECT c.id, c.number, c.name, c.former, c.deleted_at, s.name, s.color
FROM customer c LEFT JOIN code_item s ON s.id = c.status_id
WHERE c.number = :number
"""
_MARKS = """
SELECT i.name, i.color FROM customer_code cc JOIN code_item i ON i.id = cc.code_id
WHERE cc.customer_id = :id AND i.kind = 'mark' ORDER BY i.sort, i.name
"""
_MONEY = """
SELECT (SELECT COALESCE(SUM(amount), 0) FROM payment WHERE customer_id = :id AND cancelled_at IS NULL)
     - (SELECT COALESCE(SUM(total), 0) FROM invoice WHERE customer_id = :id AND status <> 'cancelled')
"""


@dataclass(frozen=True)
class CardHeader:
    number: int
    name: str
    status: str | None
    status_color: str | None
    marks: tuple[tuple[str, str | None], ...]
    balance: Decimal
    former: bool
    deleted: bool


def read_header(conn: QuickConnection, number: int) -> CardHeader:
    rows = conn.execute(_CUSTOMER, {"number": number})
    if not rows:
        raise NotFound(f"customer {number} does not exist")
    row = rows[0]
    cid = row[0]
    marks = tuple((name, color) for name, color in conn.execute(_MARKS, {"id": cid}))
    hundredths = conn.scalar(_MONEY, {"id": cid}) or 0
    return CardHeader(number=row[1], name=row[2], status=row[5], status_color=row[6], marks=marks,
                      balance=(Decimal(int(hundredths)) / 100).quantize(Decimal("0.01")),
                      former=bool(row[3]), deleted=row[4] is not None)
