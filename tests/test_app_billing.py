"""Billing in the operator app through Pilot: payments and invoices by hand on the Billing tab
(balance in the header and the tab follow), inline refusals that change nothing, the invoice
view and its PDF, cancelling, the statement import screen, the unmatched payments screen, and
what a read-only operator is offered."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from ispterm.billing import invoicing as bi
from ispterm.billing import service as bs
from ispterm.billing.statements.unmatched import unmatched
from ispterm.customers import service as cs
from screens.app import make_app
from tests.pilot_help import active_keys, screen_text, settle

DATA = Path(__file__).parent / "data"
FEE = bi.Line("Fiber 250", Decimal("500.00"))


def owing_customer(ctx) -> int:
    n = cs.create(ctx, "Novák Jan", {"city": "Šumperk"})
    today = ctx.today()
    bi.issue_invoice(ctx, n, [FEE], issued_on=today - timedelta(days=20), due_on=today - timedelta(days=6))
    return n


def plain(widget: Static) -> str:
    """What a Static shows, as text (its content may be a rich Group)."""
    from rich.console import Console

    console = Console(width=200, color_system=None)
    with console.capture() as captured:
        console.print(widget.content)
    return captured.get()


def header(app) -> str:
    return str(app.screen.query_one("#card-header", Static).render())


def standing(app) -> str:
    return plain(app.screen.query_one("#billing-standing", Static))


def fill(app, values: dict[str, str]) -> None:
    for name, value in values.items():
        app.screen.query_one("#f-" + name.replace(".", "--"), Input).value = value


def error_of(app, name: str) -> str:
    return str(app.screen.query_one("#f-" + name.replace(".", "--") + "-error", Static).render())


async def test_record_payment_updates_balance_in_header_and_tab(ctx, db_url):
    n = owing_customer(ctx)
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert "-500.00 owes" in header(app) and "-500.00" in standing(app)
        await pilot.press("r")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm"
        fill(app, {"amount": "200,50", "vs": ""})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        assert "-299.50 owes" in header(app)
        assert "-299.50" in standing(app)
        assert app.screen.query_one("#payments", DataTable).row_count == 1
    [p] = bs.payments(ctx, n)
    assert (p.amount, p.vs, p.source, p.allocated) == (Decimal("200.50"), str(n), "manual", Decimal("200.50"))


@pytest.mark.parametrize("amount", ["abc", "1.005"])
async def test_invalid_payment_is_refused_inline_and_changes_nothing(ctx, db_url, amount):
    n = owing_customer(ctx)
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        fill(app, {"amount": amount, "received_on": "31.2.2026"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm", "the form stays open until fixed"
        assert error_of(app, "amount") and "no such date" in error_of(app, "received_on")
        await pilot.press("escape")  # typed into: esc asks first
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(app, pilot)
        assert "-500.00 owes" in header(app)
    assert bs.payments(ctx, n) == []


async def test_issue_invoice_lists_it_and_a_bad_line_issues_nothing(ctx, db_url):
    n = cs.create(ctx, "Dvořák Petr")
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "InvoiceForm"
        fill(app, {"line1.description": "Router", "line1.price": "1 500", "line2.description": "Cable",
                   "line2.price": "ten", "due": "2020-01-01"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "InvoiceForm"
        assert "not an amount" in error_of(app, "line2") and not error_of(app, "line1")
        assert "before the issue date" not in error_of(app, "due")  # checked once lines are right
        assert bs.invoices(ctx, n) == []
        fill(app, {"line2.price": "99,90", "line2.quantity": "2", "line2.vat": "12", "due": ""})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        [inv] = bs.invoices(ctx, n)
        table = app.screen.query_one("#invoices", DataTable)
        assert table.row_count == 1 and inv.number in str(table.get_row_at(0)[0])
        assert "owes" in header(app)
    assert inv.total == Decimal("1700.00")  # 1500 + 2 x 99.90 = 1699.80, rounded to whole crowns


async def test_due_date_before_issue_is_refused_under_the_field(ctx, db_url):
    n = cs.create(ctx, "Due Case")
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        fill(app, {"line1.description": "Router", "line1.price": "100", "issued_on": "2026-03-10",
                   "due": "2026-03-01"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "before the issue date" in error_of(app, "due")
    assert bs.invoices(ctx, n) == []


@pytest.mark.both_databases
async def test_view_invoice_save_pdf_and_cancel(ctx, db_url, tmp_path):
    from pypdf import PdfReader

    n = owing_customer(ctx)
    bs.record_payment(ctx, n, "120", ctx.today())
    [inv] = bs.invoices(ctx, n)
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("v")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "InvoiceView"
        text = plain(app.screen.query_one("#invoice-body", Static))
        assert "Fiber 250" in text and "VAT recap" in text and "owes 380.00" in text
        assert "120.00" in text, "the payment settling it is listed"
        await pilot.press("p")
        await settle(app, pilot)
        fill(app, {"file": str(tmp_path)})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "InvoiceView"
        written = tmp_path / f"invoice-{inv.number.replace('/', '-')}.pdf"
        pdf_text = "".join(page.extract_text() for page in PdfReader(written).pages)
        assert inv.number in pdf_text
        await pilot.press("p")
        await settle(app, pilot)
        fill(app, {"file": str(tmp_path / "missing" / "x.pdf")})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "does not exist" in error_of(app, "file")
        await pilot.press("escape", "y", "escape")  # the typed path: discard, then the view
        await settle(app, pilot)
        app.screen.query_one("#invoices", DataTable).focus()
        await pilot.press("x")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("y")
        await settle(app, pilot)
        assert "120.00" in header(app) and "owes" not in header(app)
    assert bs.invoices(ctx, n)[0].status == "cancelled"


async def test_cancel_payment_from_the_payments_table(ctx, db_url):
    n = owing_customer(ctx)
    bs.record_payment(ctx, n, "500", ctx.today())
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert "owes" not in header(app)
        await pilot.press("p", "x")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert "-500.00 owes" in header(app)
    assert [p.cancelled for p in bs.payments(ctx, n)] == [True]


async def test_statement_pdf_for_a_period(ctx, db_url, tmp_path):
    from pypdf import PdfReader

    n = owing_customer(ctx)
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        fill(app, {"date_from": "2026-05-01", "date_to": "2026-04-01", "file": str(tmp_path / "st.pdf")})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "before its start" in error_of(app, "date_to")
        assert not (tmp_path / "st.pdf").exists()
        fill(app, {"date_from": "2000-01-01", "date_to": ctx.today().isoformat()})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "st.pdf").pages)
    assert "500" in text


async def open_from_list(app, pilot, key: str) -> None:
    await settle(app, pilot)
    await pilot.press(key)
    await settle(app, pilot)


async def run_import(app, pilot, path: Path, *, dry: bool = False) -> str:
    from screens.widgets.marked import MarkedCheckbox as Checkbox

    app.screen.query_one("#import-path", Input).value = str(path)
    app.screen.query_one("#import-dry", Checkbox).value = dry
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    return str(app.screen.query_one("#import-status", Static).render())


async def test_import_screen_imports_matches_and_shows_counts(ctx, db_url):
    n1 = owing_customer(ctx)
    n2 = cs.create(ctx, "Dvořák Petr")
    app = make_app(db_url, "admin")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_from_list(app, pilot, "f5")
        assert type(app.screen).__name__ == "BillingImportScreen"
        status = await run_import(app, pilot, DATA / "csv/ispterm_generic_noref.csv", dry=True)
        assert "Dry run" in status and "3 new payments" in status
        assert bs.payments(ctx, n1) == [], "a dry run writes nothing"
        status = await run_import(app, pilot, DATA / "csv/ispterm_generic_noref.csv")
        assert "3 new payments" in status and "3 matched" in status and "0 unmatched" in status
        assert "1 outgoing skipped" in status and "1 invoices paid" in status
        assert app.screen.query_one("#import-lines", DataTable).row_count == 3
        assert app.screen.query_one("#import-progress").percentage == 1
        status = await run_import(app, pilot, DATA / "csv/ispterm_generic_noref.csv")
        assert "already imported" in status
    assert cs.get_card(ctx, n1).standing.balance == Decimal("500.00")
    assert cs.get_card(ctx, n2).standing.balance == Decimal("1250.50")


@pytest.mark.parametrize("name, where", [("malformed/csv_bad_amount.csv", "line 3"),
                                         ("malformed/camt053_missing_amount.xml", "Amt")])
async def test_malformed_statement_shows_the_error_and_imports_nothing(ctx, db_url, name, where):
    from tests.test_statements_import import counts

    owing_customer(ctx)
    before = counts(ctx)
    app = make_app(db_url, "admin")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_from_list(app, pilot, "f5")
        status = await run_import(app, pilot, DATA / name)
        assert "Not imported" in status and where in status
        assert app.screen.query_one("#import-lines", DataTable).row_count == 0
        status = await run_import(app, pilot, DATA / "no-such-file.csv")
        assert "does not exist" in status
    assert counts(ctx) == before


async def test_assign_an_unmatched_payment(ctx, db_url, tmp_path):
    from ispterm.billing.statements.importer import import_file

    n = owing_customer(ctx)
    statement = tmp_path / "st.csv"
    statement.write_text("date,amount,currency,vs,counterparty,message,reference\n"
                         "2026-01-10,300.00,CZK,999888,NOVAK JAN,internet,U-1\n", encoding="utf-8")
    import_file(ctx, statement)
    [p] = unmatched(ctx)
    app = make_app(db_url, "admin")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_from_list(app, pilot, "f6")
        assert type(app.screen).__name__ == "UnmatchedScreen"
        assert app.screen.query_one("#unmatched", DataTable).row_count == 1
        text = screen_text(app)
        assert "999888" in text and "NOVAK JAN" in text
        suggestions = app.screen.query_one("#suggestions", DataTable)
        assert [str(suggestions.get_row_at(i)[0]) for i in range(suggestions.row_count)] == [str(n)]
        await pilot.press("a")
        await settle(app, pilot)
        fill(app, {"customer": "99999"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm" and error_of(app, "customer") or \
            "99999" in str(app.screen.query_one("#form-summary", Static).render())
        assert len(unmatched(ctx)) == 1, "a refused assignment changes nothing"
        fill(app, {"customer": str(n)})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "UnmatchedScreen"
        assert app.screen.query_one("#unmatched", DataTable).row_count == 0
    assert unmatched(ctx) == []
    assert cs.get_card(ctx, n).standing.balance == Decimal("-200.00")
    [assigned] = [x for x in bs.payments(ctx, n) if x.id == p.id]
    assert assigned.allocated == Decimal("300.00")


@pytest.mark.parametrize("how", ["role", "flag"])
async def test_read_only_operator_sees_no_billing_write_action(ctx, db_url, as_role, how):
    n = owing_customer(ctx)
    if how == "role":
        as_role("readonly", "viewer")
        app = make_app(db_url, "viewer", number=n, tab="billing")
    else:
        app = make_app(db_url, "admin", number=n, tab="billing", readonly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        keys = active_keys(app)
        assert {"v", "s", "i", "p"} <= keys, "reading stays possible"
        assert not {"e", "n", "r", "x", "S"} & keys
        await pilot.press("r", "n", "x")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CustomerCardScreen"
        from screens.unmatched import UnmatchedScreen

        await app.push_screen(UnmatchedScreen())
        await settle(app, pilot)
        assert "a" not in active_keys(app)
    assert bs.payments(ctx, n) == []


async def test_form_errors_name_the_fields_as_the_form_labels_them(ctx, db_url):
    """An invoice whose due date is before its issue date, and a line without a price: the
    errors say "Due date" and "Line 1", never the service's due/due_on/line1."""
    n = cs.create(ctx, "Labels Please")
    app = make_app(db_url, "admin", number=n, tab="billing")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        fill(app, {"issued_on": "2026-11-10", "due": "2026-11-01"})
        app.screen.query_one("#row-1 .line-description", Input).value = "Fiber"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        text = screen_text(app)
        assert "a line needs a price" in text
        app.screen.query_one("#row-1 .line-price", Input).value = "499"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        text = screen_text(app)
        assert "the due date is before the issue date" in text
        assert "due_on" not in text and "line1" not in text and "✗ due:" not in text
        # An error for a field the form has no slot for is named by its label too.
        app.screen.show_errors({"due_on": "example", "received_on": "example", "line9": "example"})
        await pilot.pause()
        summary = str(app.screen.query_one("#form-summary", Static).render())
        assert summary.splitlines() == ["✗ Due date: example", "✗ Received on: example",
                                        "✗ Line 9: example"]
    assert bs.invoices(ctx, n) == []


async def test_a_non_payer_who_paid_is_told_the_next_suspension_run_releases_them(ctx, db_url):
    from ispterm.billing import suspension
    from ispterm.settings.service import set_setting

    for key, value in (("suspend_enabled", "yes"), ("suspend_min_amount", "300"),
                       ("suspend_days_after_due", "14")):
        set_setting(ctx, key, value)
    today = ctx.today()
    n = cs.create(ctx, "Paid Up Late")
    bi.issue_invoice(ctx, n, [FEE], issued_on=today - timedelta(days=40), due_on=today - timedelta(days=30))
    suspension.run(ctx, today=today)
    bs.record_payment(ctx, n, Decimal("500.00"), today)
    app = make_app(db_url, "admin", number=n)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "[Non-payer]" in header(app)
        assert "the next suspension run releases them" in header(app)
        assert "0.00" in header(app) and "owes" not in header(app)
        assert "Non-payer: paid: the next suspension run releases them" in screen_text(app)
