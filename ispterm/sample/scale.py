"""Scale data for benchmarks (``ispterm sample generate``): N plain customers after the
highest number, each with one service and IP address, monthly invoices ending last month and
the payments for them (mostly early, some late, some missing), allocated oldest first, plus
their search documents; in one transaction, fast enough for 100,000 customers on SQLite.

Rows are written as tuples through the one bulk writer (:class:`ispterm.billing.bulk.Bulk`),
with ids assigned up front and every repeating value converted once.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection

from ispterm.audit.rows import audit_row
from ispterm.billing.bulk import Bulk
from ispterm.context import Ctx
from ispterm.errors import ValidationError
from ispterm.operators.roles import CUSTOMER_CREATE, PAYMENT_WRITE
from ispterm.sample.common import VAT, add_months, ascii_fold, vat_of
from ispterm.sample.ids import IdPool
from ispterm.sample.reference import (
    FEMALE_FIRST,
    GENERATED_PLANS,
    MALE_FIRST,
    MOBILE_PREFIXES,
    SURNAMES,
    TOWNS,
)

CHUNK = 10_000  # customers written (and their search documents) per round


def generate(ctx: Ctx, customers: int, months: int = 12, seed: int = 1) -> str:
    """Add ``customers`` customers (numbers after the highest), each with one service and IP
    address, ``months`` monthly invoices ending last month and the payments for them
    (mostly early, some late, some missing), allocated oldest first; one transaction."""
    from ispterm.billing.numbering import raise_series
    from ispterm.store import models as m
    from ispterm.store.search import document, name_key, write_documents

    ctx.require(CUSTOMER_CREATE)
    ctx.require(PAYMENT_WRITE)
    _check(customers, months)
    now = ctx.now()
    with ctx.write() as s:
        conn = s.connection()
        if conn.dialect.name == "postgresql":
            # The lock customers.service._next_number takes: numbers stay unique.
            conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        setup = _setup(s, conn, ctx, now, months)
        gen = _Generator(conn, random.Random(seed), setup, customers=customers)
        for start in range(0, customers, CHUNK):
            docs = gen.chunk(setup.first_number + start, min(CHUNK, customers - start))
            write_documents(conn, [{"cid": cid, "doc": document(c, [ip]), "name_key": name_key(c["name"])}
                                   for cid, c, ip in docs], replace=False)
        for year, last in gen.sequences.items():
            raise_series(conn, setup.group_id, year, last)
        counts = gen.counts
        summary = (f"generated {customers:,} customers, {counts['invoice']:,} invoices, "
                   f"{counts['payment']:,} payments")
        last_number = setup.first_number + customers - 1
        conn.execute(insert(m.AuditEvent.__table__), [audit_row(
            at=now, operator=ctx.actor.login, customer_id=None, entity="sample", entity_id=None,
            action="generate",
            summary=f"{summary} (numbers {setup.first_number}-{last_number}, seed {seed})")])
    return summary


def _check(customers: int, months: int) -> None:
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 1:
        raise ValidationError("customers", f"must be a whole number of at least 1, got {customers!r}")
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 600:
        raise ValidationError("months", f"must be between 0 and 600, got {months!r}")


@dataclass(frozen=True)
class _Setup:
    """What the generated customers get from the database's settings and defaults."""

    now: datetime
    months: int
    first_number: int
    due_days: int
    group_id: int
    status_id: int | None
    ptype_id: int | None
    currency: str
    portal_from_number: bool
    actor: str


def _setup(s, conn: Connection, ctx: Ctx, now: datetime, months: int) -> _Setup:
    from ispterm.settings.service import default_billing_group, default_code, get_value
    from ispterm.store import models as m

    group = default_billing_group(s)
    status = default_code(s, "status")
    ptype = default_code(s, "payment_type")
    highest = conn.execute(select(func.max(m.Customer.number))).scalar() or 0
    return _Setup(
        now=now, months=months,
        first_number=max(int(get_value(s, "customer_number_start")), highest + 1),
        due_days=int(get_value(s, "invoice_due_days")), group_id=group.id,
        status_id=status.id if status else None, ptype_id=ptype.id if ptype else None,
        currency=group.currency or str(get_value(s, "currency")),
        portal_from_number=bool(get_value(s, "portal_login_from_number")),
        actor=ctx.actor.login)


def _invoice_sequences(conn: Connection, group_id: int, years: Iterable[int]) -> dict[int, int]:
    """The last sequence number used per year in the group's ``YYYY`` + digits series."""
    from ispterm.billing.model import Invoice

    out = {}
    for year in years:
        last = conn.execute(
            select(Invoice.number)
            .where(Invoice.billing_group_id == group_id, Invoice.number.like(f"{year}%"))
            .order_by(func.length(Invoice.number).desc(), Invoice.number.desc()).limit(1)
        ).scalar()
        tail = last[4:] if last else ""
        out[year] = int(tail) if tail.isdigit() else 0
    return out


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(6, 0), tzinfo=UTC)


def _people() -> list[tuple[str, str]]:
    """(name, e-mail local part) of every Czech first name with every surname."""
    people = []
    for surname_m, surname_f in SURNAMES:
        for first in MALE_FIRST:
            people.append((f"{surname_m} {first}", ascii_fold(f"{first}.{surname_m}")))
        for first in FEMALE_FIRST:
            people.append((f"{surname_f} {first}", ascii_fold(f"{first}.{surname_f}")))
    return people


class _Generator:
    """Rows for chunks of generated customers, ids assigned up front, written as tuples."""

    CUSTOMER = ["id", "number", "legal_form", "name", "street", "city", "zip", "country",
                "gps_lat", "gps_lon", "email", "mobile", "status_id", "payment_type_id",
                "billing_group_id", "portal_login", "portal_force_change", "former",
                "never_suspend", "invoice_by_post", "invoice_by_email", "created_at",
                "created_by", "updated_at", "updated_by", "version"]
    FLAGS = [("portal_force_change", True), ("former", False), ("never_suspend", False),
             ("invoice_by_post", False), ("invoice_by_email", True)]
    SERVICE = ["id", "customer_id", "plan", "price", "vat_rate", "active", "started_on", "version"]
    SERVICE_IP = ["service_id", "address", "mac"]
    INVOICE = ["id", "customer_id", "billing_group_id", "number", "period", "issued_on", "due_on",
               "vs", "currency", "total", "vat_total", "status", "paid_on", "created_at",
               "created_by", "version"]
    LINE = ["invoice_id", "description", "quantity", "unit_price", "vat_rate", "total", "kind"]
    PAYMENT = ["id", "customer_id", "received_on", "amount", "currency", "vs", "payment_type_id",
               "source", "bank_ref", "created_at", "created_by"]
    ALLOCATION = ["payment_id", "invoice_id", "amount"]

    def __init__(self, conn: Connection, rng: random.Random, setup: _Setup, *,
                 customers: int) -> None:
        self.conn = conn
        self.rng = rng
        self.ids = IdPool(conn)
        self.setup = setup
        self.counts = {"invoice": 0, "payment": 0}
        self._writers(conn)
        self.today = setup.now.astimezone().date()  # the local date of now, as Ctx.today()
        this_month = date(self.today.year, self.today.month, 1)
        self.months = [add_months(this_month, k - setup.months) for k in range(setup.months)]
        # The oldest month a started_on can be in, for services started before the first invoice.
        self.first_month = self.months[0] if self.months else this_month
        self.sequences = _invoice_sequences(conn, setup.group_id,
                                            sorted({mo.year for mo in self.months}))
        # One width per year and run keeps the numbers sortable; at least five digits.
        per_year = {year: sum(1 for mo in self.months if mo.year == year) for year in self.sequences}
        self.width = {year: max(5, len(str(self.sequences[year] + customers * per_year[year])))
                      for year in self.sequences}
        self._converted()
        self.people = _people()
        self.places = [(street, town.name, town.zip, town.gps) for town in TOWNS
                       for street in town.streets]

    def _writers(self, conn: Connection) -> None:
        from ispterm.store import models as m

        t = m.metadata.tables
        self.tables = t
        self.customer = Bulk(conn, t["customer"], self.CUSTOMER,
                             ["created_at", "updated_at", *(name for name, _ in self.FLAGS)])
        self.service = Bulk(conn, t["service"], self.SERVICE,
                            ["price", "vat_rate", "active", "started_on"])
        self.service_ip = Bulk(conn, t["service_ip"], self.SERVICE_IP)
        self.invoice = Bulk(conn, t["invoice"], self.INVOICE,
                            ["issued_on", "due_on", "total", "vat_total", "status", "paid_on",
                             "created_at"])
        self.line = Bulk(conn, t["invoice_line"], self.LINE, ["unit_price", "vat_rate", "total"])
        self.payment = Bulk(conn, t["payment"], self.PAYMENT,
                            ["received_on", "amount", "created_at"])
        self.allocation = Bulk(conn, t["payment_allocation"], self.ALLOCATION, ["amount"])

    def _converted(self) -> None:
        """Everything that repeats, converted once: amounts, dates, times, flags."""
        C, S, Iv, L, P = self.customer, self.service, self.invoice, self.line, self.payment
        now = self.setup.now
        self.now_c = C.conv("created_at", now)
        self.now_u = C.conv("updated_at", now)
        self.flags = tuple(C.conv(name, value) for name, value in self.FLAGS)
        self.active = S.conv("active", True)
        self.vat_s, self.vat_l = S.conv("vat_rate", VAT), L.conv("vat_rate", VAT)
        self.plans = []
        for plan, price in GENERATED_PLANS:
            amount = Decimal(price)
            self.plans.append((plan, S.conv("price", amount), Iv.conv("total", amount),
                               Iv.conv("vat_total", vat_of(amount)), L.conv("unit_price", amount),
                               L.conv("total", amount), P.conv("amount", amount),
                               self.allocation.conv("amount", amount)))
        self.issued = [Iv.conv("issued_on", mo) for mo in self.months]
        self.due_raw = [mo + timedelta(days=self.setup.due_days) for mo in self.months]
        self.due = [Iv.conv("due_on", d) for d in self.due_raw]
        self.created = [Iv.conv("created_at", datetime.combine(mo, time(0, 0), tzinfo=UTC))
                        for mo in self.months]
        self.periods = [f"{mo:%Y-%m}" for mo in self.months]
        self.paid = Iv.conv("status", "paid")
        self.unpaid = Iv.conv("status", "issued")
        self.descriptions = {(plan, k): f"{plan} {mo:%m/%Y}" for plan, _ in GENERATED_PLANS
                             for k, mo in enumerate(self.months)}

    # ------------------------------------------------------------------ one chunk

    def chunk(self, first_number: int, n: int) -> list[tuple[int, dict, str]]:
        """Write n customers with everything; returns (id, search fields, IP) per customer."""
        nm = len(self.months)
        ids, t = self.ids, self.tables
        customer_ids = ids.take(t["customer"], n)
        service_ids = ids.take(t["service"], n)
        invoice_ids = ids.take(t["invoice"], n * nm)
        rows: dict[str, list[tuple]] = {"customer": [], "service": [], "ip": [], "invoice": [],
                                        "line": []}
        pay_plan: list[tuple] = []
        docs = []
        for k in range(n):
            number = first_number + k
            cid = customer_ids[k]
            plan, doc, address = self._customer(rows, number, cid, service_ids[k])
            docs.append((cid, doc, address))
            days = self._paid_days()
            self._invoices(rows, pay_plan, plan, cid, str(number), days,
                           invoice_ids[k * nm:(k + 1) * nm])
        self.customer.write(rows["customer"])
        self.service.write(rows["service"])
        self.service_ip.write(rows["ip"])
        self.invoice.write(rows["invoice"])
        self.line.write(rows["line"])
        del rows
        self._payments(pay_plan)
        self.counts["invoice"] += n * nm
        return docs

    def _customer(self, rows: dict[str, list[tuple]], number: int, cid: int,
                  sid: int) -> tuple[tuple, dict, str]:
        """The customer, its service and IP address; returns (plan, search fields, address)."""
        rng, rand, setup = self.rng, self.rng.random, self.setup
        name, local = rng.choice(self.people)
        street, city, zip_, (lat, lon) = rng.choice(self.places)
        vs = str(number)
        email = f"{local}{number}@example.cz"
        prefix = MOBILE_PREFIXES[(number // 1_000_000) % len(MOBILE_PREFIXES)]
        mobile = f"+420{prefix}{number % 1_000_000:06d}"
        street = f"{street} {int(rand() * 2500) + 1}"
        portal = vs if setup.portal_from_number else None
        rows["customer"].append((
            cid, number, "person", name, street, city, zip_, "CZ",
            round(lat + (rand() - 0.5) * 0.04, 6), round(lon + (rand() - 0.5) * 0.06, 6),
            email, mobile, setup.status_id, setup.ptype_id, setup.group_id, portal, *self.flags,
            self.now_c, setup.actor, self.now_u, setup.actor, 1))
        plan = rng.choice(self.plans)
        started = self.service.conv("started_on",
                                    self.first_month - timedelta(days=int(rand() * 400) + 1))
        rows["service"].append((sid, cid, plan[0], plan[1], self.vat_s, self.active, started, 1))
        address = f"10.{100 + (number >> 16) % 156}.{(number >> 8) & 255}.{number & 255}"
        rows["ip"].append((sid, address, "02:00:" + ":".join(
            f"{(number >> shift) & 255:02X}" for shift in (24, 16, 8, 0))))
        doc = {"number": number, "name": name, "email": email, "street": street, "city": city,
               "zip": zip_, "mobile": mobile, "portal_login": portal}
        return plan, doc, address

    def _paid_days(self) -> list[date]:
        """When the customer paid, oldest first: early mostly, some late, some never."""
        rand = self.rng.random
        habit = rand()
        days = []
        for due in self.due_raw:
            if habit < 0.70:
                day = due - timedelta(days=int(rand() * 5) + 1)
            elif habit < 0.85:
                day = due + timedelta(days=int(rand() * 40) + 1)
            elif rand() < 0.3:
                continue
            else:
                day = due + timedelta(days=int(rand() * 16) - 5)
            if day < self.today:
                days.append(day)
        days.sort()
        return days

    def _invoices(self, rows: dict[str, list[tuple]], pay_plan: list[tuple], plan: tuple,
                  cid: int, vs: str, days: list[date], invoice_ids: list[int]) -> None:
        """One invoice a month; the oldest are paid on the ``days`` (one payment each)."""
        name, _price_s, total_i, vat_i, unit_l, total_l, amount_p, amount_a = plan
        setup, sequences = self.setup, self.sequences
        for j, iid in enumerate(invoice_ids):
            year = self.months[j].year
            sequences[year] += 1
            if j < len(days):
                status, paid_c = self.paid, self.invoice.conv("paid_on", days[j])
                pay_plan.append((iid, cid, days[j], vs, amount_p, amount_a))
            else:
                status, paid_c = self.unpaid, None
            rows["invoice"].append((
                iid, cid, setup.group_id, f"{year}{sequences[year]:0{self.width[year]}d}",
                self.periods[j], self.issued[j], self.due[j], vs, setup.currency, total_i, vat_i,
                status, paid_c, self.created[j], "system", 1))
            rows["line"].append((iid, self.descriptions[(name, j)], 1, unit_l, self.vat_l, total_l,
                                 "item"))

    def _payments(self, pay_plan: list[tuple]) -> None:
        """The payments of the chunk, each allocated to its invoice."""
        setup = self.setup
        payment_ids = self.ids.take(self.tables["payment"], len(pay_plan))
        payments, allocations = [], []
        day_forms: dict[date, tuple] = {}
        conv = self.payment.conv
        for pid, (iid, cid, day, vs, amount_p, amount_a) in zip(payment_ids, pay_plan, strict=True):
            forms = day_forms.get(day)
            if forms is None:
                forms = day_forms[day] = (conv("received_on", day), conv("created_at", _morning(day)))
            payments.append((pid, cid, forms[0], amount_p, setup.currency, vs, setup.ptype_id,
                             "bank", f"GEN-{pid:010d}", forms[1], "system"))
            allocations.append((pid, iid, amount_a))
        self.payment.write(payments)
        self.allocation.write(allocations)
        self.counts["payment"] += len(payments)
