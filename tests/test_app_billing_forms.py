"""The billing form services the app's dialogs call (ispterm/billing/forms.py): every bad field
named at once, nothing written on refusal, permissions checked before parsing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ispterm.billing import forms
from ispterm.billing import service as bs
from ispterm.customers import service as cs
from ispterm.errors import InvalidFields, PermissionDenied, ValidationError


def test_payment_form_names_every_bad_field_and_records_nothing(ctx):
    n = cs.create(ctx, "Pay Case")
    for amount in ("0", "-5", "", "12,345"):
        with pytest.raises(ValidationError) as err:
            forms.record_from_form(ctx, n, amount=amount, received_on="2026-01-05")
        assert err.value.field == "amount", amount
    assert bs.payments(ctx, n) == []
    with pytest.raises(InvalidFields) as err:
        forms.record_from_form(ctx, n, amount="x", received_on="", vs="12ab")
    assert {e.field for e in err.value.errors} == {"amount", "received_on", "vs"}
    p = forms.record_from_form(ctx, n, amount="1 234,50", received_on="5.1.2026", vs="")
    assert (p.amount, p.received_on, p.vs) == (Decimal("1234.50"), date(2026, 1, 5), str(n))


def test_invoice_rows_errors_name_the_row_and_blank_rows_are_skipped(ctx):
    n = cs.create(ctx, "Invoice Case")
    rows = [{"description": "Router", "price": "1 500", "quantity": "", "vat": ""},
            {"description": "", "price": "", "quantity": "1", "vat": "21"},
            {"description": "Cable", "price": "10", "quantity": "0", "vat": "21"},
            {"description": "", "price": "10", "quantity": "1", "vat": "120"}]
    with pytest.raises(InvalidFields) as err:
        forms.issue_from_form(ctx, n, rows, issued_on="2026-13-01")
    assert {e.field for e in err.value.errors} == {"line3", "line4", "issued_on"}
    assert bs.invoices(ctx, n) == []
    with pytest.raises(ValidationError) as one:
        forms.issue_from_form(ctx, n, rows[1:2], issued_on="2026-01-01")
    assert one.value.field == "line1"
    inv = forms.issue_from_form(ctx, n, rows[:2], issued_on="2026-01-01", due_on="2026-01-20")
    assert (inv.total, inv.due_on) == (Decimal("1500.00"), date(2026, 1, 20))


def test_read_only_operator_is_refused_before_parsing(ctx, as_role):
    n = cs.create(ctx, "Ro Case")
    viewer = as_role("readonly", "viewer")
    with pytest.raises(PermissionDenied):
        forms.record_from_form(viewer, n, amount="x", received_on="")
    with pytest.raises(PermissionDenied):
        forms.issue_from_form(viewer, n, [], issued_on="")


def test_write_pdf_names_the_missing_folder_and_fills_in_a_folder(tmp_path):
    with pytest.raises(ValidationError) as err:
        forms.write_pdf(b"%PDF-1.4", str(tmp_path / "nope" / "a.pdf"), "a.pdf")
    assert err.value.field == "file" and "nope" in err.value.why
    assert forms.write_pdf(b"%PDF-1.4", str(tmp_path), "inv.pdf") == (tmp_path / "inv.pdf").resolve()
    assert (tmp_path / "inv.pdf").read_bytes() == b"%PDF-1.4"


def test_statement_period_must_be_in_order():
    with pytest.raises(ValidationError) as err:
        forms.period_from_form("2026-02-01", "2026-01-01")
    assert err.value.field == "date_to"
    assert forms.period_from_form("1.1.2026", "2026-01-31") == (date(2026, 1, 1), date(2026, 1, 31))


def test_assign_needs_a_customer_number(ctx):
    for text in ("", "abc", "0"):
        with pytest.raises(ValidationError) as err:
            forms.assign_from_form(ctx, 1, text)
        assert err.value.field == "customer", text
