"""The demo builder's billing: monthly invoices with gapless numbers per group and year,
payments by each customer's habit, allocated oldest invoice first, and the bank payments
nobody could match."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ispterm.sample.common import CENT, add_months, ascii_fold, money, vat_of
from ispterm.sample.demo_state import ANCHOR, DemoState
from ispterm.sample.reference import INSTALLATION_FEE, PLANS, UNMATCHED

# =========================================================================== invoices


def invoices(d: DemoState, customers: list[dict]) -> None:
    """An invoice on the 1st of every month for what the customer had that month; two
    customers get a duplicate that was cancelled."""
    rng = d.rng
    seq: dict[tuple[str, int], int] = {}
    for c in customers:
        c["invoices"] = []
    cancel_victims = set(rng.sample([c["number"] for c in customers
                                     if c["status"] == "Connected"], 2))
    for month in d.months:
        for c in customers:
            lines = _month_lines(d, c, month)
            if not lines:
                continue
            for k in range(_copies(d, c, cancel_victims)):
                key = (c["billing_group"], month.year)
                seq[key] = seq.get(key, 0) + 1
                number = f"{month.year}{seq[key]:05d}"
                c["invoices"].append(_invoice(c, month, number, lines, cancelled=k == 1))
    for c in customers:
        for service in c["services"]:
            service.pop("_upgrade", None)


def _month_lines(d: DemoState, c: dict, month: date) -> list[dict]:
    """The month's lines; a new customer's first invoice has the installation fee too (not
    when they came through the website)."""
    lines = _lines_for(c, month)
    first = lines and not c["invoices"] and c["_joined"] >= add_months(d.start, -1)
    if first and c.get("campaign") != "Website":
        lines.append({"description": "Installation fee", "unit_price": INSTALLATION_FEE,
                      "total": INSTALLATION_FEE})
    return lines


def _copies(d: DemoState, c: dict, cancel_victims: set[int]) -> int:
    """2 when this invoice is issued twice by mistake (the copy is cancelled), else 1."""
    if c["number"] not in cancel_victims or d.rng.random() >= 0.08:
        return 1
    return 1 if any(i["status"] == "cancelled" for i in c["invoices"]) else 2


def _lines_for(c: dict, month: date) -> list[dict]:
    """One line per service the customer had in ``month`` (the old plan before an upgrade)."""
    lines = []
    for service in c["services"]:
        started = date.fromisoformat(service["started_on"])
        plan, price = service["plan"], service["price"]
        if "_upgrade" in service:
            up_on, old_plan = service["_upgrade"]
            started = c["_upgrade"][2]
            if month <= date.fromisoformat(up_on):
                plan, price = old_plan, PLANS[old_plan][0]
        ended = service.get("ended_on")
        if started >= month or (ended and date.fromisoformat(ended) <= month):
            continue
        lines.append({"description": f"{plan} {month:%m/%Y}", "unit_price": price,
                      "total": money(Decimal(price))})
    return lines


def _invoice(c: dict, month: date, number: str, lines: list[dict], *, cancelled: bool) -> dict:
    total = sum(Decimal(line["total"]) for line in lines)
    vat = sum(vat_of(Decimal(line["total"])) for line in lines)
    return {
        "number": number, "period": f"{month:%Y-%m}", "issued_on": month.isoformat(),
        "due_on": (month + timedelta(days=c.get("due_days", 14))).isoformat(),
        "total": money(total), "vat_total": money(vat),
        "status": "cancelled" if cancelled else "issued",
        "lines": [dict(line) for line in lines],
    }


# =========================================================================== payments


def payments(d: DemoState, c: dict) -> None:
    """Decide when and how much the customer paid, then allocate oldest first."""
    rng = d.rng
    c["payments"] = []
    invoices = [i for i in c["invoices"] if i["status"] != "cancelled"]
    if not invoices:
        return
    habit = rng.choices(["early", "late", "mixed", "misser", "over", "prepay", "catchup"],
                        weights=[58, 12, 10, 7, 5, 3, 5])[0]
    if c["payment_type"] == "Direct debit":
        habit = "debit"
    elif c["payment_type"] == "Cash":
        habit = "cash"
    c["_habit"] = habit
    plan = _PaymentPlan(d, invoices, len(invoices) - _unpaid_tail(d, c["status"]))
    plan.run(habit)
    vs_choices = [str(c["number"])] + ([c["vs_alt1"]] * 2 if c.get("vs_alt1") else [])
    for day, amount, _tag in sorted(plan.planned, key=lambda p: p[0]):
        if day >= ANCHOR:
            continue
        c["payments"].append(_payment(d, c, day, amount, rng.choice(vs_choices)))
    _allocate(c)


def _unpaid_tail(d: DemoState, state: str) -> int:
    """How many of the newest invoices stay unpaid: non-payers and limited customers owe."""
    rng = d.rng
    tail = {"Non-payer": rng.randint(3, 5), "Limited": rng.randint(1, 2)}.get(state, 0)
    if state == "Disconnected" and rng.random() < 0.3:
        tail = rng.randint(1, 2)
    return tail


class _PaymentPlan:
    """The payments a habit makes for the invoices: (day, amount, tag) each, in invoice order.

    Each habit answers one invoice at a time with (day, amount) or None (not paid then); the
    invoices from ``payable`` on are the unpaid tail, a few of them half paid.
    """

    def __init__(self, d: DemoState, invoices: list[dict], payable: int) -> None:
        self.rng = d.rng
        self.invoices = invoices
        self.payable = payable
        self.planned: list[tuple[date, Decimal, str | None]] = []
        self.skip_next = False

    def run(self, habit: str) -> None:
        pay = getattr(self, f"_{habit}")
        for k, inv in enumerate(self.invoices):
            due = date.fromisoformat(inv["due_on"])
            amount = Decimal(inv["total"])
            if k >= self.payable:
                if self.rng.random() < 0.25:  # a partial payment that did not cover it
                    self.planned.append((due + timedelta(days=self.rng.randint(3, 30)),
                                         (amount / 2).quantize(CENT), None))
                continue
            paid = pay(k, inv, due, amount)
            if paid is not None:
                day, amount, tag = paid
                self.planned.append((day, amount.quantize(CENT), tag))

    def _days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def _early(self, k: int, inv: dict, due: date, amount: Decimal):
        return due - self._days(1, 5), amount, None

    def _late(self, k: int, inv: dict, due: date, amount: Decimal):
        return due + self._days(1, 40), amount, None

    def _mixed(self, k: int, inv: dict, due: date, amount: Decimal):
        return due + self._days(-6, 12), amount, None

    def _debit(self, k: int, inv: dict, due: date, amount: Decimal):
        return due, amount, None

    def _cash(self, k: int, inv: dict, due: date, amount: Decimal):
        return date.fromisoformat(inv["issued_on"]) + self._days(2, 20), amount, None

    def _misser(self, k: int, inv: dict, due: date, amount: Decimal):
        if self.rng.random() < 0.15:
            return None
        return due + self._days(-4, 20), amount, None

    def _catchup(self, k: int, inv: dict, due: date, amount: Decimal):
        """Now and then forgets a month and pays both with the next one."""
        if self.skip_next:
            self.skip_next = False
            return None
        if self.rng.random() < 0.12 and k + 1 < self.payable:
            self.skip_next = True
            nxt = self.invoices[k + 1]
            return (date.fromisoformat(nxt["due_on"]) - self._days(0, 3),
                    amount + Decimal(nxt["total"]), None)
        return due - self._days(0, 4), amount, None

    def _over(self, k: int, inv: dict, due: date, amount: Decimal):
        """Rounds up to the next hundred (always paying more than asked)."""
        day = due - self._days(1, 6)
        rounded = (amount / 100).to_integral_value(rounding="ROUND_CEILING") * 100
        return day, rounded + 100 if rounded == amount else rounded, None

    def _prepay(self, k: int, inv: dict, due: date, amount: Decimal):
        """A lump every January covering the year ahead, monthly otherwise."""
        issued = date.fromisoformat(inv["issued_on"])
        if issued.month == 1:
            return due - self._days(3, 10), amount * 12, "prepay"
        if any(p[2] == "prepay" and p[0].year == issued.year for p in self.planned):
            return None
        return due - self._days(1, 5), amount, None


def _payment(d: DemoState, c: dict, day: date, amount: Decimal, vs: str) -> dict:
    """A cash receipt, or a bank payment with the payer's name as the bank writes it."""
    rng = d.rng
    if c["payment_type"] == "Cash":
        d.cash_seq += 1
        return {"received_on": day.isoformat(), "amount": money(amount), "vs": vs,
                "source": "manual", "counterparty": c["name"],
                "message": f"Receipt {day.year}/{d.cash_seq:04d}",
                "created_at": d.when(day), "created_by": rng.choice(["jana", "support1"])}
    d.bank_seq += 1
    payer = ascii_fold(c["billing_name"] if c.get("billing_name") else c["name"]).upper()
    payment = {"received_on": day.isoformat(), "amount": money(amount), "vs": vs,
               "source": "bank", "bank_ref": f"STMT-{day:%Y%m%d}-{d.bank_seq:06d}",
               "counterparty": payer[:60]}
    message = rng.choice(["internet", "platba internet", "", f"VS {vs}", "faktura"])
    if message:
        payment["message"] = message
    if c["payment_type"] == "Card" and rng.random() < 0.5:
        payment["payment_type"] = "Bank transfer"
    return payment


# =========================================================================== allocation


def _allocate(c: dict) -> None:
    """Oldest open invoice first; credit left on a payment goes to later invoices as issued."""
    invoices = sorted((i for i in c["invoices"] if i["status"] != "cancelled"),
                      key=lambda i: (i["issued_on"], i["number"]))
    open_left = {i["number"]: Decimal(i["total"]) for i in invoices}
    credits: list[list] = []  # [payment, remaining]
    events = [(i["issued_on"], 0, i) for i in invoices] + \
             [(p["received_on"], 1, p) for p in c["payments"]]
    events.sort(key=lambda e: (e[0], e[1]))
    issued: list[dict] = []
    for _day, kind, obj in events:
        if kind == 0:
            issued.append(obj)
        else:
            obj["allocations"] = []
            credits.append([obj, Decimal(obj["amount"])])
        for entry in credits:
            entry[1] = _settle(entry[0], entry[1], issued, open_left)


def _settle(payment: dict, remaining: Decimal, issued: list[dict],
            open_left: dict[str, Decimal]) -> Decimal:
    """Allocate what is left of ``payment`` to the open invoices issued so far; returns the rest.

    An invoice becomes paid on the day it is covered: the payment's date, or its own issue date
    when credit from an earlier payment covers it.
    """
    for inv in issued:
        if remaining <= 0:
            break
        left = open_left[inv["number"]]
        if left <= 0:
            continue
        part = min(left, remaining)
        payment["allocations"].append({"invoice": inv["number"], "amount": money(part)})
        open_left[inv["number"]] = left - part
        remaining -= part
        if open_left[inv["number"]] == 0:
            inv["status"] = "paid"
            inv["paid_on"] = max(payment["received_on"], inv["issued_on"])
    return remaining


def unmatched_payments(d: DemoState) -> list[dict]:
    """Bank payments of the last months that match no customer (unknown or missing VS)."""
    out = []
    for payer, vs, message, amount in UNMATCHED:
        day = d.rand_day(date(2026, 7, 1), date(2026, 10, 31))
        d.bank_seq += 1
        payment = {"received_on": day.isoformat(), "amount": amount, "vs": vs,
                   "payment_type": "Bank transfer", "source": "bank",
                   "bank_ref": f"STMT-{day:%Y%m%d}-{d.bank_seq:06d}",
                   "counterparty": payer, "message": message}
        out.append({k: v for k, v in payment.items() if v is not None})
    return out
