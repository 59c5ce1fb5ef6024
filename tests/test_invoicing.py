"""Invoicing (BIL-3/5): currency rounding, the invoice run, credit, aliases, numbering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ispterm import money
from ispterm.billing import invoicing as inv
from ispterm.billing import service as bs
from ispterm.customers import contacts
from ispterm.customers import service as cs
from ispterm.errors import PermissionDenied, ValidationError

D = Decimal


def _customer(ctx, name: str, *prices: str, values: dict | None = None) -> int:
    n = cs.create(ctx, name, values or {})
    for k, price in enumerate(prices):
        contacts.add_service(ctx, n, f"Plan {k}", price)
    if prices:  # add_service starts services today; these have run for years
        from ispterm.customers.model import Service

        cid = cs.get_card(ctx, n).id
        with ctx.write() as s:
            for svc in s.exec(select(Service).where(Service.customer_id == cid)).scalars():
                svc.started_on = date(2020, 1, 1)
    return n


def _lines(ctx, invoice_id: int):
    from ispterm.billing.model import InvoiceLine

    with ctx.read() as s:
        return [(line.description, line.total, line.vat_rate, line.kind) for line in
                s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
                       .order_by(InvoiceLine.id)).scalars()]


# ------------------------------------------------------------------------- money rules

def test_czk_totals_round_to_whole_crowns_with_a_rounding_line_eur_to_the_cent():
    assert money.payable(D("499.50"), "CZK") == (D("500.00"), D("0.50"))
    assert money.payable(D("499.49"), "CZK") == (D("499.00"), D("-0.49"))
    assert money.payable(D("499.49"), "EUR") == (D("499.49"), D("0.00"))
    assert money.line_amount(D("0.333"), 3, "EUR") == D("1.00")
    assert money.vat_in_gross(D("121.00"), D("21"), "CZK") == D("21.00")
    t = inv.totals([inv.Line("a", D("100.30")), inv.Line("b", D("50.00"), 1, D("12"))], "CZK")
    assert (t.total, t.rounding) == (D("150.00"), D("-0.30"))
    assert t.vat_total == D("17.41") + D("5.36")


def test_hand_invoice_has_a_vat_free_rounding_line(ctx):
    n = _customer(ctx, "Rounding Test")
    view = inv.issue_invoice(ctx, n, [inv.Line("Fiber", D("499.60"))], issued_on=date(2026, 1, 1))
    assert view.total == D("500.00")
    assert _lines(ctx, view.id) == [("Fiber", D("499.60"), D("21.00"), "item"),
                                   ("Rounding", D("0.40"), D("0.00"), "rounding")]
    assert cs.get_card(ctx, n).standing.balance == D("-500.00")


# ---------------------------------------------------------------------------- the run

def test_run_bills_eligible_customers_once_and_a_second_run_creates_nothing(ctx):
    a = _customer(ctx, "Alpha Run", "499.00", "99.00")
    b = _customer(ctx, "Beta Run", "649.50")
    gone = _customer(ctx, "Deleted Run", "499.00")
    cs.delete(ctx, gone)
    former = _customer(ctx, "Former Run", "499.00")
    cs.set_former(ctx, former)
    _customer(ctx, "No Service")
    dry = inv.invoice_run(ctx, "2026-03", dry_run=True)
    real = inv.invoice_run(ctx, "2026-03")
    assert (dry.created, dry.groups) == (real.created, real.groups) == (2, real.groups)
    assert real.groups[0].total == D("598.00") + D("650.00")
    again = inv.invoice_run(ctx, "2026-03")
    assert (again.created, again.skipped) == (0, 2)
    [ia] = bs.invoices(ctx, a)
    assert (ia.total, ia.issued_on, ia.due_on, ia.vs) == (D("598.00"), date(2026, 3, 1), date(2026, 3, 15), str(a))
    assert [line[0] for line in _lines(ctx, ia.id)] == ["Plan 0 03/2026", "Plan 1 03/2026"]
    [ib] = bs.invoices(ctx, b)
    assert ib.total == D("650.00") and _lines(ctx, ib.id)[-1][3] == "rounding"
    assert bs.invoices(ctx, gone) == [] and bs.invoices(ctx, former) == []
    # Numbers follow customer numbers, gapless.
    assert [int(ia.number[4:]), int(ib.number[4:])] == [1, 2]


def test_the_database_refuses_a_second_run_invoice_for_the_period(ctx):
    from sqlalchemy.exc import IntegrityError

    from ispterm.billing.model import Invoice

    n = _customer(ctx, "Constraint", "100.00")
    inv.invoice_run(ctx, "2026-04")
    with pytest.raises(IntegrityError):
        with ctx.write() as s:
            first = s.exec(select(Invoice)).scalars().one()
            s.add(Invoice(customer_id=first.customer_id, billing_group_id=first.billing_group_id,
                          number="X1", period="2026-04", run_period="2026-04", issued_on=date(2026, 4, 1),
                          due_on=date(2026, 4, 15), vs=str(n), total=D("1.00"), vat_total=D("0.00")))
    assert len(bs.invoices(ctx, n)) == 1


def test_cancelled_run_invoice_is_issued_again_by_the_next_run(ctx):
    n = _customer(ctx, "Reissue", "300.00")
    inv.invoice_run(ctx, "2026-05")
    [first] = bs.invoices(ctx, n)
    inv.cancel_invoice(ctx, first.id)
    assert inv.invoice_run(ctx, "2026-05").created == 1
    statuses = sorted(i.status for i in bs.invoices(ctx, n))
    assert statuses == ["cancelled", "issued"]


def test_service_dates_decide_eligibility(ctx):
    from ispterm.customers.model import Service

    ended = _customer(ctx, "Ended Before", "100.00")
    later = _customer(ctx, "Starts After", "100.00")
    inactive = _customer(ctx, "Inactive", "100.00")
    ok = _customer(ctx, "Ends Mid Month", "100.00")
    with ctx.write() as s:
        for number, change in ((ended, {"ended_on": date(2026, 5, 31)}),
                               (later, {"started_on": date(2026, 7, 1)}),
                               (inactive, {"active": False}),
                               (ok, {"ended_on": date(2026, 6, 10)})):
            cid = cs.get_card(ctx, number).id
            svc = s.exec(select(Service).where(Service.customer_id == cid)).scalars().one()
            for key, value in change.items():
                setattr(svc, key, value)
    assert inv.invoice_run(ctx, "2026-06").created == 1
    assert len(bs.invoices(ctx, ok)) == 1


def test_alias_services_are_billed_on_the_parent_invoice(ctx):
    parent = _customer(ctx, "Parent Payer", "500.00")
    child = _customer(ctx, "Child Account", "200.00")
    cs.attach_alias(ctx, child, parent)
    r = inv.invoice_run(ctx, "2026-07")
    assert r.created == 1
    [pi] = bs.invoices(ctx, parent)
    assert pi.total == D("700.00")
    assert [line[0] for line in _lines(ctx, pi.id)] == ["Plan 0 07/2026", f"Plan 0 07/2026 ({child})"]
    assert bs.invoices(ctx, child) == []


def test_due_days_of_the_customer_win_over_the_setting(ctx):
    n = _customer(ctx, "Due Thirty", "100.00", values={"due_days": "30"})
    inv.invoice_run(ctx, "2026-08", issued_on=date(2026, 8, 3))
    [i] = bs.invoices(ctx, n)
    assert (i.issued_on, i.due_on) == (date(2026, 8, 3), date(2026, 9, 2))


def _allocations(ctx, number: int):
    from ispterm.billing.model import Invoice, Payment, PaymentAllocation

    cid = cs.get_card(ctx, number).id
    with ctx.read() as s:
        rows = s.exec(select(PaymentAllocation.payment_id, PaymentAllocation.invoice_id,
                             PaymentAllocation.amount)
                      .join(Payment, Payment.id == PaymentAllocation.payment_id)
                      .where(Payment.customer_id == cid)).all()
        invoices = s.exec(select(Invoice.id, Invoice.status, Invoice.paid_on)
                          .where(Invoice.customer_id == cid)).all()
    return sorted(map(tuple, rows)), sorted(map(tuple, invoices))


def test_run_settles_new_invoices_from_credit_exactly_as_a_full_reallocation(ctx):
    over = _customer(ctx, "Overpaid", "500.00")
    bs.record_payment(ctx, over, "300.00", date(2026, 8, 20))
    bs.record_payment(ctx, over, "400.00", date(2026, 8, 25))
    part = _customer(ctx, "Some Credit", "500.00")
    bs.record_payment(ctx, part, "120.00", date(2026, 8, 1))
    # Longer due days earlier: the old open invoice is due after the new one.
    odd = _customer(ctx, "Odd Order", "100.00")
    inv.issue_invoice(ctx, odd, [inv.Line("Old", D("50.00"))], issued_on=date(2026, 8, 1),
                      due_on=date(2026, 12, 31))
    bs.record_payment(ctx, odd, "80.00", date(2026, 8, 2))
    r = inv.invoice_run(ctx, "2026-09")
    assert r.created == 3
    bulk = {n: _allocations(ctx, n) for n in (over, part, odd)}
    with ctx.write() as s:
        for n in (over, part, odd):
            bs.reallocate(s, cs.get_card(ctx, n).id)
    assert {n: _allocations(ctx, n) for n in (over, part, odd)} == bulk
    [io] = bs.invoices(ctx, over)
    assert (io.status, io.paid_on) == ("paid", date(2026, 8, 25))
    assert cs.get_card(ctx, over).standing.balance == D("200.00")
    [ip] = bs.invoices(ctx, part)
    assert (ip.status, ip.outstanding) == ("issued", D("380.00"))


def test_seed_scoring_example_on_run_invoices(ctx):
    """Paid two days before due for ten months: scoring 20, average 2 (BIL-7)."""
    n = _customer(ctx, "Early Bird", "499.00")
    for month in range(1, 11):
        inv.invoice_run(ctx, f"2025-{month:02d}")
        bs.record_payment(ctx, n, "499.00", date(2025, month, 13))
    standing = cs.get_card(ctx, n).standing
    assert (standing.scoring, standing.average_scoring, standing.balance) == (20, D("2.00"), D("0.00"))


def test_run_rules(ctx, as_role):
    with pytest.raises(ValidationError, match="period"):
        inv.invoice_run(ctx, "2026-13")
    with pytest.raises(ValidationError, match="period"):
        inv.invoice_run(ctx, "26-1")
    with pytest.raises(PermissionDenied):
        inv.invoice_run(as_role("support"), "2026-01", dry_run=True)


def test_numbers_continue_after_loaded_invoices_and_per_year(ctx):
    n = _customer(ctx, "Series")
    first = inv.issue_invoice(ctx, n, [inv.Line("x", D("1"))], issued_on=date(2026, 12, 31))
    second = inv.issue_invoice(ctx, n, [inv.Line("x", D("1"))], issued_on=date(2027, 1, 1))
    third = inv.issue_invoice(ctx, n, [inv.Line("x", D("1"))], issued_on=date(2026, 6, 1))
    assert [first.number, second.number, third.number] == ["202600001", "202700001", "202600002"]


# --------------------------------------------------------------------------------- CLI

def test_cli_hand_invoice_payment_and_listing(cli, ctx):
    import json

    n = _customer(ctx, "Cli Billing")
    code, out, err = cli("billing", "invoice", str(n), "--line", "Router: MikroTik:1490.40",
                         "--line", "Fiber 500:649:2", "--issued-on", "2026-02-01")
    assert code == 0, err
    code, out, _ = cli("billing", "invoices", str(n), "--json")
    [row] = json.loads(out)
    assert row["total"] == "2788.00" and row["due_on"] == "2026-02-15"
    assert [line[0] for line in _lines(ctx, row["id"])] == ["Router: MikroTik", "Fiber 500", "Rounding"]
    code, out, err = cli("billing", "pay", str(n), "1 000,00", "--on", "2026-02-10")
    assert code == 0, err
    code, out, _ = cli("billing", "payments", str(n), "--json")
    assert json.loads(out)[0]["allocated"] == "1000.00"
    code, _, err = cli("billing", "cancel-invoice", str(row["id"]))
    assert code == 0 and cs.get_card(ctx, n).standing.balance == D("1000.00")


@pytest.mark.parametrize("line, why", [
    ("no price", "expected DESC:PRICE"),
    ("Fiber:12.345", "at most 2 decimal"),
    ("Fiber:100:0", "quantity"),
    (":100", "expected DESC:PRICE"),
])
def test_cli_bad_lines_are_one_line_errors_and_write_nothing(cli, ctx, line, why):
    n = _customer(ctx, "Bad Lines")
    code, out, err = cli("billing", "invoice", str(n), "--line", line)
    assert code == 1 and err.startswith("error: ") and why in err and err.count("\n") == 1
    assert bs.invoices(ctx, n) == []


def test_cli_invoice_run_dry_run_prints_what_the_run_creates(cli, ctx):
    _customer(ctx, "Dry One", "499.00")
    _customer(ctx, "Dry Two", "649.00")
    code, dry, _ = cli("billing", "invoice-run", "--period", "2026-10", "--dry-run")
    code2, real, _ = cli("billing", "invoice-run", "--period", "2026-10")
    assert code == code2 == 0
    assert dry.replace("would create", "created") == real
    assert "2 invoice(s)" in real and "1 148.00 CZK" in real
    code, again, _ = cli("billing", "invoice-run", "--period", "2026-10")
    assert "created 0 invoice(s)" in again and "skipped 2" in again
    code, _, err = cli("billing", "invoice-run", "--period", "2026/10")
    assert code == 1 and "period" in err
