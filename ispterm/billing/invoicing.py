"""Issuing invoices (BIL-5): by hand, and the monthly invoice run.

Every invoice takes its number from its billing group's gapless series (numbering.py), its
line amounts and VAT from the currency rules (money.py: CZK totals are rounded to whole
crowns with a VAT-free rounding line), and its due date from the customer's ``due_days`` or
the ``invoice_due_days`` setting. After issuing, existing credit (overpayments) settles the
new invoice exactly as :func:`ispterm.billing.service.reallocate` would.

The run (``invoice_run``) bills every eligible customer once per period with Core bulk
inserts in one transaction. Eligible: not deleted, not a former customer, with a service
that is active and has started by the end of the period and not ended before its start.
Child accounts (aliases) are billed on their parent's invoice, one line per service marked
with the alias's number, as long as the parent itself is not deleted or former; otherwise
on their own. A customer who already has a non-cancelled invoice for the period (from a run
or issued by hand with that period) is skipped; the unique (customer_id, run_period)
constraint makes a second run create nothing even if two runs race. Cancelling a run invoice
frees its period so that the next run issues it again.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select, text
from sqlmodel import Session

from ispterm import money
from ispterm.billing import numbering
from ispterm.billing.model import BillingGroup, Invoice, InvoiceLine, Payment, PaymentAllocation
from ispterm.billing.service import invoice_views, reallocate
from ispterm.context import Ctx
from ispterm.customers.lookup import customer_by_number
from ispterm.errors import Conflict, NotFound, ValidationError
from ispterm.operators.roles import PAYMENT_WRITE
from ispterm.settings.service import get_value

ZERO = Decimal("0.00")
ROUNDING_TEXT = "Rounding"


@dataclass(frozen=True)
class Line:
    description: str
    unit_price: Decimal
    quantity: int = 1
    vat_rate: Decimal = Decimal("21.00")


@dataclass(frozen=True)
class Totals:
    """What an invoice of these lines comes to: per-line amounts, rounding, total, VAT."""

    lines: tuple[tuple[Decimal, Decimal], ...]  # (line total, VAT in it)
    rounding: Decimal
    total: Decimal
    vat_total: Decimal


def line_total(line: Line, currency: str = "CZK") -> tuple[Decimal, Decimal]:
    """(total, VAT in it) of a line. Prices include VAT, as ISPs quote them to households;
    the VAT is worked out of the gross amount and rounded to the currency's minor unit."""
    if line.quantity < 1:
        raise ValidationError("quantity", "must be at least 1")
    if line.vat_rate < 0 or line.vat_rate >= 100:
        raise ValidationError("vat", f"VAT rate must be between 0 and 100, got {line.vat_rate}")
    total = money.line_amount(line.unit_price, line.quantity, currency)
    return total, money.vat_in_gross(total, line.vat_rate, currency)


def totals(lines: list[Line], currency: str) -> Totals:
    amounts = tuple(line_total(line, currency) for line in lines)
    exact = sum((t for t, _ in amounts), ZERO)
    total, rounding = money.payable(exact, currency)
    return Totals(amounts, rounding, total, sum((v for _, v in amounts), ZERO))


def _due(issued_on: date, due_days: int | None, default_days: int) -> date:
    return issued_on + timedelta(days=due_days if due_days is not None else default_days)


def _line_rows(invoice_id: int, lines: list[Line], t: Totals) -> list[dict]:
    rows = [{"invoice_id": invoice_id, "description": line.description, "quantity": line.quantity,
             "unit_price": line.unit_price, "vat_rate": line.vat_rate, "total": total, "kind": "item"}
            for line, (total, _) in zip(lines, t.lines, strict=True)]
    if t.rounding:
        rows.append({"invoice_id": invoice_id, "description": ROUNDING_TEXT, "quantity": 1,
                     "unit_price": t.rounding, "vat_rate": ZERO, "total": t.rounding,
                     "kind": "rounding"})
    return rows


def issue_invoice(ctx: Ctx, number: int, lines: list[Line], *, issued_on: date,
                  due_on: date | None = None, period: str | None = None):
    """Issue one invoice to customer ``number`` by hand; returns its InvoiceView."""

    ctx.require(PAYMENT_WRITE)
    if not lines:
        raise ValidationError("lines", "an invoice needs at least one line")
    with ctx.write() as s:
        # The series row is locked before the customer row, in the order the invoice run
        # takes them (series, then the customers its inserts reference): no deadlock.
        group_id = customer_by_number(s, number).billing_group_id
        seq = numbering.reserve(s.connection(), group_id, issued_on.year)
        c = customer_by_number(s, number, lock=True)
        s.refresh(c)
        if c.billing_group_id != group_id:
            raise Conflict(f"customer {number}", c.updated_by, c.updated_at)
        group = s.get(BillingGroup, c.billing_group_id)
        t = totals(lines, group.currency)
        due = due_on or _due(issued_on, c.due_days, int(get_value(s, "invoice_due_days")))
        if due < issued_on:
            raise ValidationError("due", "the due date is before the issue date")
        invoice = Invoice(customer_id=c.id, billing_group_id=group.id,
                          number=numbering.format_number(group.invoice_prefix, issued_on.year, seq),
                          period=period, issued_on=issued_on, due_on=due, vs=str(c.number),
                          currency=group.currency, total=t.total, vat_total=t.vat_total,
                          created_by=ctx.actor.login)
        s.add(invoice)
        s.flush()
        for row in _line_rows(invoice.id, lines, t):
            s.add(InvoiceLine(**row))
        reallocate(s, c.id)
        return invoice_views(s, c.id, only=invoice.id)[0]


def cancel_invoice(ctx: Ctx, invoice_id: int) -> None:
    """Cancel an invoice (its number stays used); payments settle the others again."""

    ctx.require(PAYMENT_WRITE)
    with ctx.write() as s:
        invoice = s.get(Invoice, invoice_id, with_for_update=True)
        if invoice is None:
            raise NotFound(f"invoice {invoice_id} does not exist")
        if invoice.status == "cancelled":
            raise ValidationError("invoice", f"invoice {invoice.number} is already cancelled")
        invoice.status = "cancelled"
        invoice.paid_on = None
        invoice.run_period = None  # the next run may bill the period again
        reallocate(s, invoice.customer_id)


# ------------------------------------------------------------------------ the invoice run

@dataclass(frozen=True)
class GroupTotal:
    group: str
    currency: str
    count: int
    total: Decimal
    vat_total: Decimal


@dataclass(frozen=True)
class RunResult:
    period: str
    issued_on: date
    dry_run: bool
    created: int
    skipped: int  # customers already invoiced for the period
    groups: tuple[GroupTotal, ...]
    first_numbers: tuple[str, ...] = ()
    settled_from_credit: int = 0


@dataclass
class _Draft:
    customer_id: int
    number: int
    group_id: int
    due_on: date
    lines: list[Line] = field(default_factory=list)
    totals: Totals | None = None


def parse_period(period: str) -> tuple[date, date]:
    """``YYYY-MM`` -> (first day, last day)."""
    import re

    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", (period or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise ValidationError("period", f"expected YYYY-MM, e.g. 2026-11, got {period!r}")
    year, month = int(m.group(1)), int(m.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _plan(s: Session, period: str, issued_on: date) -> tuple[list[_Draft], int, dict[int, BillingGroup]]:
    """Who gets which invoice for the period: the one computation both the dry and the real
    run use, so they agree. Returns (drafts in customer-number order, skipped, groups)."""
    from ispterm.customers.model import Customer, Service

    start, end = parse_period(period)
    conn = s.connection()
    default_days = int(get_value(s, "invoice_due_days"))
    groups = {g.id: g for g in s.scalars(select(BillingGroup))}
    live = and_(Customer.deleted_at.is_(None), Customer.former.is_(False))
    people = {row.id: row for row in conn.execute(
        select(Customer.id, Customer.number, Customer.name, Customer.parent_id,
               Customer.billing_group_id, Customer.due_days).where(live))}
    services = conn.execute(
        select(Service.customer_id, Service.plan, Service.price, Service.vat_rate)
        .join(Customer, Customer.id == Service.customer_id)
        .where(live, Service.active.is_(True),
               or_(Service.started_on.is_(None), Service.started_on <= end),
               or_(Service.ended_on.is_(None), Service.ended_on >= start))
        .order_by(Service.customer_id, Service.id)).all()
    done = set(conn.execute(select(Invoice.customer_id).where(
        or_(Invoice.run_period == period,
            and_(Invoice.period == period, Invoice.status != "cancelled")))).scalars())
    month = f"{start:%m/%Y}"
    drafts: dict[int, _Draft] = {}
    own: dict[int, list[Line]] = defaultdict(list)
    alias: dict[int, list[Line]] = defaultdict(list)
    skipped: set[int] = set()
    for cid, plan, price, vat_rate in services:
        who = people[cid]
        payer = who.parent_id if who.parent_id in people else cid
        if payer in done:
            skipped.add(payer)
            continue
        if payer == cid:
            own[payer].append(Line(f"{plan} {month}", price, 1, vat_rate))
        else:
            alias[payer].append(Line(f"{plan} {month} ({who.number})", price, 1, vat_rate))
    memo: dict[tuple, Totals] = {}  # most customers buy the same few plans
    for payer in sorted(set(own) | set(alias), key=lambda cid: people[cid].number):
        p = people[payer]
        d = _Draft(payer, p.number, p.billing_group_id, _due(issued_on, p.due_days, default_days),
                   own.get(payer, []) + alias.get(payer, []))
        currency = groups[d.group_id].currency
        key = (currency, *((x.unit_price, x.quantity, x.vat_rate) for x in d.lines))
        if key not in memo:
            memo[key] = totals(d.lines, currency)
        d.totals = memo[key]
        drafts[payer] = d
    return list(drafts.values()), len(skipped), groups


def _summary(drafts: list[_Draft], groups: dict[int, BillingGroup]) -> tuple[GroupTotal, ...]:
    acc: dict[int, list] = {}
    for d in drafts:
        a = acc.setdefault(d.group_id, [0, ZERO, ZERO])
        a[0] += 1
        a[1] += d.totals.total
        a[2] += d.totals.vat_total
    return tuple(GroupTotal(groups[g].name, groups[g].currency, n, total, vat)
                 for g, (n, total, vat) in sorted(acc.items(), key=lambda kv: groups[kv[0]].name))


def invoice_run(ctx: Ctx, period: str, *, issued_on: date | None = None,
                dry_run: bool = False) -> RunResult:
    """Invoice every eligible customer for ``period`` (YYYY-MM); safe to repeat."""
    ctx.require(PAYMENT_WRITE)
    start, _ = parse_period(period)
    issued_on = issued_on or start
    if dry_run:
        with ctx.read() as s:
            drafts, skipped, groups = _plan(s, period, issued_on)
            return RunResult(period, issued_on, True, len(drafts), skipped, _summary(drafts, groups))
    with ctx.write() as s:
        conn = s.connection()
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(4242004)"))  # runs queue, not clash
        drafts, skipped, groups = _plan(s, period, issued_on)
        if not drafts:
            return RunResult(period, issued_on, False, 0, skipped, ())
        firsts, settled = _write_run(ctx, s, drafts, groups, period, issued_on)
        return RunResult(period, issued_on, False, len(drafts), skipped, _summary(drafts, groups),
                         tuple(firsts), settled)


def _take_ids(conn, table, n: int) -> list[int]:
    """Primary keys for bulk rows: the PostgreSQL sequence, or max+1 under SQLite's lock."""
    if conn.dialect.name == "postgresql":
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar_one()
        return list(conn.execute(
            text("SELECT nextval(CAST(:seq AS regclass)) FROM generate_series(1, :n)"),
            {"seq": seq, "n": n}).scalars())
    first = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    return list(range(first, first + n))


def _write_run(ctx: Ctx, s: Session, drafts: list[_Draft], groups: dict[int, BillingGroup],
               period: str, issued_on: date) -> tuple[list[str], int]:
    from ispterm.audit.model import AuditEvent
    from ispterm.audit.rows import audit_row
    from ispterm.billing.bulk import insert_many

    conn = s.connection()
    now, login = ctx.now(), ctx.actor.login
    ids = _take_ids(conn, Invoice.__table__, len(drafts))
    by_group: dict[int, list[_Draft]] = defaultdict(list)
    for d in drafts:
        by_group[d.group_id].append(d)
    numbers: dict[int, str] = {}
    firsts = []
    for group_id, items in sorted(by_group.items()):
        g = groups[group_id]
        seq = numbering.reserve(conn, group_id, issued_on.year, len(items))
        for k, d in enumerate(items):
            numbers[d.customer_id] = numbering.format_number(g.invoice_prefix, issued_on.year, seq + k)
        firsts.append(numbers[items[0].customer_id])
    invoice_rows, line_rows, audit_rows = [], [], []
    invoice_of: dict[int, int] = {}
    for iid, d in zip(ids, drafts, strict=True):
        invoice_of[d.customer_id] = iid
        g = groups[d.group_id]
        invoice_rows.append({
            "id": iid, "customer_id": d.customer_id, "billing_group_id": d.group_id,
            "number": numbers[d.customer_id], "period": period, "run_period": period,
            "issued_on": issued_on, "due_on": d.due_on, "vs": str(d.number), "currency": g.currency,
            "total": d.totals.total, "vat_total": d.totals.vat_total,
            "status": "issued" if d.totals.total > 0 else "paid",
            "paid_on": None if d.totals.total > 0 else issued_on,
            "created_at": now, "created_by": login, "version": 1})
        line_rows.extend(_line_rows(iid, d.lines, d.totals))
        audit_rows.append(audit_row(at=now, operator=login, customer_id=d.customer_id,
                                    entity="invoice", entity_id=iid, action="create",
                                    summary=f"invoice {numbers[d.customer_id]} added (invoice run {period})"))
    insert_many(conn, Invoice.__table__, invoice_rows)
    insert_many(conn, InvoiceLine.__table__, line_rows)
    settled = _settle_from_credit(s, drafts, invoice_of)
    audit_rows.append(audit_row(at=now, operator=login, customer_id=None, entity="invoice_run",
                                entity_id=None, action="run", new=period,
                                summary=f"invoice run {period}: {len(drafts)} invoices issued on {issued_on}"))
    insert_many(conn, AuditEvent.__table__, audit_rows)
    return firsts, settled


def _settle_from_credit(s: Session, drafts: list[_Draft], invoice_of: dict[int, int]) -> int:
    """Let unallocated payments settle the new invoices, as a full reallocation would.

    When the new invoice is the last one its customer owes (by due date, then id), a full
    reallocation leaves every older allocation as it is and gives the new invoice what is
    left of the payments, in the order received: that is done here in bulk. A customer whose
    older invoice is due after the new one is reallocated in full instead.
    """
    from ispterm.billing.bulk import insert_many

    conn = s.connection()
    due_of = {d.customer_id: d.due_on for d in drafts}
    later = set()
    for cid, last_due in conn.execute(
            select(Invoice.customer_id, func.max(Invoice.due_on))
            .where(Invoice.status != "cancelled").group_by(Invoice.customer_id)):
        if cid in due_of and last_due > due_of[cid]:
            later.add(cid)
    allocated = (select(PaymentAllocation.payment_id, func.sum(PaymentAllocation.amount).label("used"))
                 .group_by(PaymentAllocation.payment_id).subquery())
    credit = conn.execute(
        select(Payment.customer_id, Payment.id, Payment.received_on, Payment.amount,
               func.coalesce(allocated.c.used, 0).label("used"))
        .outerjoin(allocated, allocated.c.payment_id == Payment.id)
        .where(Payment.cancelled_at.is_(None), Payment.customer_id.is_not(None),
               Payment.amount > func.coalesce(allocated.c.used, 0))
        .order_by(Payment.customer_id, Payment.received_on, Payment.id)).all()
    left: dict[int, list[tuple[int, date, Decimal]]] = defaultdict(list)
    for cid, pid, received, amount, used in credit:
        if cid in invoice_of and cid not in later:
            used = used if isinstance(used, Decimal) else Decimal(int(used or 0)) / 100
            left[cid].append((pid, received, amount - used))
    totals_of = {d.customer_id: d.totals.total for d in drafts}
    rows, paid = [], {}
    for cid, parts in left.items():
        owed = totals_of[cid]
        for pid, received, amount in parts:
            if owed <= 0:
                break
            part = min(owed, amount)
            rows.append({"payment_id": pid, "invoice_id": invoice_of[cid], "amount": part})
            owed -= part
            if owed == 0:
                paid[invoice_of[cid]] = received
    insert_many(conn, PaymentAllocation.__table__, rows)
    for iid, day in paid.items():
        conn.execute(Invoice.__table__.update().where(Invoice.id == iid)
                     .values(status="paid", paid_on=day))
    for cid in sorted(later):
        reallocate(s, cid)
    return len(paid)
