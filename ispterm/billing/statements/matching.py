"""Whose payment is it (BIL-8, BIL-2): the VS is a customer number, else one of the up to
three assigned alternative VS (``vs_alt1..3``).

Leading zeros do not count (banks pad the VS to ten digits). The customer number wins over an
alternative VS. A payment stays unmatched, with the reason kept for the operator, when it has
no VS, the VS is nobody's, several customers share it as an alternative VS, the customer is
deleted (a deleted customer's money needs a person to decide: restore or refund), or it is in
another currency than the customer's billing group invoices in (balances never mix currencies).
Former (disconnected) customers are matched: they still pay their debts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from ispterm.billing.model import BillingGroup
from ispterm.billing.statements.parsed import normal_vs
from ispterm.customers.model import Customer

CHUNK = 2000


@dataclass(frozen=True)
class Candidate:
    id: int
    number: int
    currency: str
    deleted: bool


@dataclass(frozen=True)
class Match:
    customer: Candidate | None
    reason: str | None  # why not matched


class Matcher:
    """VS -> customer lookups for one batch of payments, loaded in a few queries."""

    def __init__(self, conn: Connection, vs_values: Iterable[str | None]) -> None:
        wanted = {v for v in (normal_vs(x) for x in vs_values) if v}
        self.by_number: dict[str, Candidate] = {}
        self.by_alt: dict[str, list[Candidate]] = {}
        numbers = sorted(int(v) for v in wanted)
        cols = (Customer.id, Customer.number, BillingGroup.currency, Customer.deleted_at,
                Customer.vs_alt1, Customer.vs_alt2, Customer.vs_alt3)
        base = select(*cols).join(BillingGroup, BillingGroup.id == Customer.billing_group_id)
        for start in range(0, len(numbers), CHUNK):
            for row in conn.execute(base.where(Customer.number.in_(numbers[start:start + CHUNK]))):
                self.by_number[str(row.number)] = _candidate(row)
        # Alternative VS are stored as typed (maybe zero-padded): compare them normalised.
        for row in conn.execute(base.where(or_(Customer.vs_alt1.is_not(None), Customer.vs_alt2.is_not(None),
                                               Customer.vs_alt3.is_not(None)))):
            for alt in {normal_vs(row.vs_alt1), normal_vs(row.vs_alt2), normal_vs(row.vs_alt3)}:
                if alt and alt in wanted:
                    self.by_alt.setdefault(alt, []).append(_candidate(row))

    def match(self, vs: str | None, currency: str) -> Match:
        key = normal_vs(vs)
        if not key:
            return Match(None, "no VS")
        found = self.by_number.get(key)
        if found is None:
            alts = self.by_alt.get(key, [])
            if len(alts) > 1:
                numbers = ", ".join(str(c.number) for c in sorted(alts, key=lambda c: c.number))
                return Match(None, f"VS {key} is an alternative VS of several customers ({numbers})")
            found = alts[0] if alts else None
        if found is None:
            return Match(None, f"VS {key} is no customer's number or alternative VS")
        return check(found, currency)


def check(customer: Candidate, currency: str) -> Match:
    """Whether a payment in ``currency`` may count for ``customer`` (also for manual assignment)."""
    if customer.deleted:
        return Match(None, f"customer {customer.number} is deleted")
    if currency != customer.currency:
        return Match(None, f"payment in {currency}, customer {customer.number} is billed in {customer.currency}")
    return Match(customer, None)


def _candidate(row) -> Candidate:
    return Candidate(row.id, row.number, row.currency, row.deleted_at is not None)
