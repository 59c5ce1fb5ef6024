"""Suspension of non-payers (BIL-9) and their release once they pay.

The rule: a customer owes ``overdue`` = the unpaid part of invoices whose due date lies at
least N days back (N = the customer's ``suspend_after_days``, else the
``suspend_days_after_due`` setting). With ``suspend_enabled`` on, a customer who is not
deleted, not former, not ``never_suspend``, not disconnected and not already suspended is
suspended when ``overdue >= suspend_min_amount``: the status becomes the one tagged
``suspended`` and a ``suspension`` row remembers the status they had. A suspended customer
(one with an open suspension row) for whom the rule no longer holds (they paid, or were
marked never-suspend) is released back to that status, or to ``connected`` when it is gone.
Releases happen even with the switch off; a status set to Non-payer by hand is the
operator's business and is never released automatically.

:func:`plan` is the one computation: the dry run prints it, the real run applies it inside
one write transaction (recomputed under the lock), so the two agree; the card asks it about
one customer (:func:`card_state`), so "the next run releases them" is the run's own verdict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlmodel import Session

from ispterm.billing.model import Invoice, PaymentAllocation, Suspension
from ispterm.context import Ctx
from ispterm.errors import NotFound
from ispterm.operators.roles import CUSTOMER_LIFECYCLE
from ispterm.settings.service import get_value

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Candidate:
    number: int
    name: str
    overdue: Decimal
    oldest_due: date | None
    status: str | None  # now
    to_status: str  # after the change


@dataclass(frozen=True)
class SuspensionPlan:
    today: date
    enabled: bool
    min_amount: Decimal
    suspend: tuple[Candidate, ...]
    release: tuple[Candidate, ...]
    applied: bool = False
    notified: int = 0
    # Suspended by a run and the rule still holds: they stay suspended (nothing to do).
    held: tuple[Candidate, ...] = ()


def _status(s: Session, tag: str):
    from ispterm.settings.model import CodeItem

    item = s.execute(select(CodeItem).where(CodeItem.kind == "status", CodeItem.tag == tag)).scalars().first()
    if item is None:
        raise NotFound(f"no status is tagged {tag!r} in the status code list")
    return item


def _overdue(s: Session, today: date, grace: dict[int, int], default_grace: int,
             only: int | None = None) -> dict[int, tuple[Decimal, date]]:
    """customer id -> (unpaid amount of invoices past their grace, oldest such due date);
    ``only``: of that one customer."""
    paid = select(PaymentAllocation.invoice_id, func.sum(PaymentAllocation.amount).label("paid"))
    stmt = select(Invoice.customer_id, Invoice.due_on, Invoice.total)
    if only is not None:
        paid = paid.join(Invoice, Invoice.id == PaymentAllocation.invoice_id).where(Invoice.customer_id == only)
        stmt = stmt.where(Invoice.customer_id == only)
    paid = paid.group_by(PaymentAllocation.invoice_id).subquery()
    rows = s.execute(stmt.add_columns(paid.c.paid)
                     .outerjoin(paid, paid.c.invoice_id == Invoice.id)
                     .where(Invoice.status == "issued", Invoice.due_on < today)).all()
    out: dict[int, list] = defaultdict(lambda: [ZERO, None])
    for cid, due, total, settled in rows:
        if due + timedelta(days=grace.get(cid, default_grace)) > today:
            continue
        left = total - (settled or ZERO)
        if left > 0:
            acc = out[cid]
            acc[0] += left
            acc[1] = due if acc[1] is None or due < acc[1] else acc[1]
    return {cid: (a, d) for cid, (a, d) in out.items()}


def plan(s: Session, today: date, *, only: int | None = None) -> SuspensionPlan:
    """Who the run suspends and releases as of ``today``; ``only`` (a customer id) asks the
    same about that one customer, reading only their rows."""
    from ispterm.customers.model import Customer
    from ispterm.settings.model import CodeItem

    enabled = bool(get_value(s, "suspend_enabled"))
    minimum = Decimal(str(get_value(s, "suspend_min_amount")))
    default_grace = int(get_value(s, "suspend_days_after_due"))
    suspended, connected = _status(s, "suspended"), _status(s, "connected")
    names = dict(s.execute(select(CodeItem.id, CodeItem.name).where(CodeItem.kind == "status")).all())
    tags = dict(s.execute(select(CodeItem.id, CodeItem.tag).where(CodeItem.kind == "status")).all())
    who = select(Customer.id, Customer.number, Customer.name, Customer.status_id, Customer.never_suspend,
                 Customer.suspend_after_days).where(Customer.deleted_at.is_(None), Customer.former.is_(False))
    suspensions = select(Suspension).where(Suspension.released_at.is_(None))
    if only is not None:
        who, suspensions = who.where(Customer.id == only), suspensions.where(Suspension.customer_id == only)
    people = {r.id: r for r in s.execute(who)}
    grace = {cid: r.suspend_after_days for cid, r in people.items() if r.suspend_after_days is not None}
    owed = _overdue(s, today, grace, default_grace, only)
    open_rows = {row.customer_id: row for row in s.execute(suspensions).scalars()}
    to_suspend, to_release, held = [], [], []
    for cid, r in sorted(people.items(), key=lambda kv: kv[1].number):
        amount, oldest = owed.get(cid, (ZERO, None))
        qualifies = not r.never_suspend and amount >= minimum and amount > 0
        if cid in open_rows:
            if not qualifies:
                back = open_rows[cid].previous_status_id
                back = back if back in names and back != suspended.id else connected.id
                to_release.append(Candidate(r.number, r.name, amount, oldest, names.get(r.status_id), names[back]))
            else:
                held.append(Candidate(r.number, r.name, amount, oldest, names.get(r.status_id), suspended.name))
        elif enabled and qualifies and tags.get(r.status_id) not in ("suspended", "disconnected"):
            to_suspend.append(Candidate(r.number, r.name, amount, oldest, names.get(r.status_id), suspended.name))
    return SuspensionPlan(today, enabled, minimum, tuple(to_suspend), tuple(to_release), held=tuple(held))


@dataclass(frozen=True)
class CardState:
    """What the card says of a customer in the status tagged ``suspended``."""

    release_due: bool  # the suspension rule no longer holds: the next run releases them
    hint: str  # one line saying why they stay or go


def card_state(s: Session, customer_id: int, today: date) -> CardState:
    """:func:`plan` for this one customer: does the next run release them, and why (not)."""
    from ispterm.money import fmt

    p = plan(s, today, only=customer_id)
    if p.release:
        c = p.release[0]
        why = ("paid" if c.overdue <= 0 else
               f"{fmt(c.overdue)} overdue is below the suspension minimum {fmt(p.min_amount)}"
               if c.overdue < p.min_amount else "marked never to be suspended")
        return CardState(True, f"{why}: the next suspension run releases them (back to {c.to_status})")
    if p.held:
        c = p.held[0]
        return CardState(False, f"still owes {fmt(c.overdue)} overdue since {c.oldest_due} (suspension "
                                f"minimum {fmt(p.min_amount)}): the suspension run keeps them suspended")
    if s.execute(select(Suspension.id).where(Suspension.customer_id == customer_id,
                                             Suspension.released_at.is_(None))).first():
        return CardState(False, "a deleted or former customer: no suspension run releases them")
    return CardState(False, "not suspended by a suspension run (status set by hand): "
                            "no suspension run releases them")


def run(ctx: Ctx, *, dry_run: bool = False, today: date | None = None, notify: bool = False) -> SuspensionPlan:
    """Suspend and release per :func:`plan`; with ``dry_run`` only report it."""
    from ispterm.audit.recorder import record
    from ispterm.customers.lookup import customer_by_number

    ctx.require(CUSTOMER_LIFECYCLE)
    today = today or ctx.today()
    if notify:
        from ispterm.billing import notify as mail

        mail.require_sender(ctx)
    if dry_run:
        with ctx.read() as s:
            return plan(s, today)
    with ctx.write() as s:
        if s.connection().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(4242005)"))
        p = plan(s, today)
        suspended = _status(s, "suspended")
        names = {c.name: c.id for c in _statuses(s)}
        for cand in p.suspend:
            c = customer_by_number(s, cand.number, lock=True)
            s.add(Suspension(customer_id=c.id, previous_status_id=c.status_id, owed=cand.overdue,
                             suspended_at=ctx.now(), suspended_by=ctx.actor.login))
            c.status_id = suspended.id
            record(s, customer_id=c.id, entity="customer", entity_id=c.id, action="suspend",
                   summary=f"suspended for non-payment: {cand.overdue} overdue since {cand.oldest_due}")
        for cand in p.release:
            c = customer_by_number(s, cand.number, lock=True)
            row = s.execute(select(Suspension).where(Suspension.customer_id == c.id,
                                                     Suspension.released_at.is_(None))).scalars().one()
            row.released_at, row.released_by = ctx.now(), ctx.actor.login
            c.status_id = names[cand.to_status]
            record(s, customer_id=c.id, entity="customer", entity_id=c.id, action="release",
                   summary=f"released from suspension (status {cand.to_status})")
        p = replace(p, applied=True)
    if notify:
        sent = _notify(ctx, p)
        p = replace(p, notified=sent)
    return p


def _statuses(s: Session):
    from ispterm.settings.model import CodeItem

    return s.execute(select(CodeItem).where(CodeItem.kind == "status")).scalars().all()


def _notify(ctx: Ctx, p: SuspensionPlan) -> int:
    """A notice per suspended or released customer through the mail queue (after commit)."""
    from ispterm.billing import notify as mail
    from ispterm.errors import ValidationError

    sent = 0
    for cand, what in [(c, "suspended") for c in p.suspend] + [(c, "released") for c in p.release]:
        if what == "suspended":
            subject = f"Your internet service {cand.number} has been suspended"
            body = (f"Dear customer,\n\nyour service was suspended because {cand.overdue} is overdue "
                    f"since {cand.oldest_due}. It is restored as soon as the payment arrives.\n")
        else:
            subject = f"Your internet service {cand.number} is restored"
            body = "Dear customer,\n\nthank you for your payment; your service is restored.\n"
        try:
            mail.queue_mail(ctx, cand.number, to=mail.billing_recipients(ctx, cand.number),
                            subject=subject, body=body)
            sent += 1
        except ValidationError:
            continue  # no address on the card: the status change stands, the history shows it
    return sent
