"""Billing actions as an operator types them (the app's forms): text in, every bad field named.

The app's invoice and payment dialogs send their raw text here; each field is parsed with the
same validators the CLI uses and all errors are reported at once (``InvalidFields``), so a
form can show each under its input and nothing is written until all are right. Also the
invoice detail the app shows (lines, VAT recap, payments allocated) and writing PDFs to a
file the operator named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from ispterm import validation as v
from ispterm.context import Ctx
from ispterm.documents.models import InvoiceDoc
from ispterm.errors import NotFound, ValidationError, raise_collected
from ispterm.operators.roles import PAYMENT_WRITE

LINE_PARTS = ("description", "price", "quantity", "vat")


def parse_line(row: dict[str, str], field: str):
    """One invoice line from its four texts; None when the row is left empty."""
    from ispterm.billing.invoicing import Line

    text = {k: (row.get(k) or "").strip() for k in LINE_PARTS}
    if not text["description"] and not text["price"]:
        return None
    desc = v.single_line(text["description"], field=field, max_len=200)
    if not desc:
        raise ValidationError(field, "a line needs a description")
    if not text["price"]:
        raise ValidationError(field, "a line needs a price (including VAT)")
    price = v.decimal_money(text["price"], field=field)
    qty_text = text["quantity"] or "1"
    if not qty_text.isdigit() or not 1 <= int(qty_text) <= 100000:
        raise ValidationError(field, f"quantity must be a whole number from 1, got {qty_text!r}")
    vat = v.decimal_money(text["vat"] or "21", field=field)
    if vat is None or not 0 <= vat < 100:
        raise ValidationError(field, f"VAT rate must be from 0 to 99.99 %, got {text['vat']!r}")
    return Line(desc, price, int(qty_text), vat)


def issue_from_form(ctx: Ctx, number: int, rows: list[dict[str, str]], *, issued_on: str,
                    due_on: str = ""):
    """Issue an invoice from form rows (``line1``.. errors name the row); returns InvoiceView."""
    from ispterm.billing.invoicing import issue_invoice

    ctx.require(PAYMENT_WRITE)
    errors: list[ValidationError] = []
    lines = []
    for i, row in enumerate(rows, 1):
        try:
            line = parse_line(row, f"line{i}")
        except ValidationError as exc:
            errors.append(exc)
            continue
        if line is not None:
            lines.append(line)
    issued = _date(issued_on, "issued_on", errors, required=True)
    due = _date(due_on, "due", errors)
    if not lines and not errors:
        errors.append(ValidationError("line1", "an invoice needs at least one line"))
    raise_collected(errors)
    return issue_invoice(ctx, number, lines, issued_on=issued, due_on=due)


def record_from_form(ctx: Ctx, number: int, *, amount: str, received_on: str, vs: str = ""):
    """Record a payment by hand from form text; returns PaymentView."""
    from ispterm.billing.service import record_payment

    ctx.require(PAYMENT_WRITE)
    errors: list[ValidationError] = []
    value = None
    try:
        value = v.decimal_money(amount, field="amount")
        if value is None or value <= 0:
            errors.append(ValidationError("amount", "must be a positive amount, e.g. 1 234,50"))
    except ValidationError as exc:
        errors.append(exc)
    received = _date(received_on, "received_on", errors, required=True)
    try:
        vs_value = v.vs(vs, field="vs") if vs.strip() else None
    except ValidationError as exc:
        errors.append(exc)
        vs_value = None
    raise_collected(errors)
    return record_payment(ctx, number, value, received, vs=vs_value)


def assign_from_form(ctx: Ctx, payment_id: int, number: str):
    """Assign an unmatched payment to the customer number typed; returns ``Assigned``."""
    from ispterm.billing.statements.unmatched import assign

    value = v.non_negative_int(number or "", field="customer")
    if not value:
        raise ValidationError("customer", "type the customer's number, e.g. 10001")
    return assign(ctx, payment_id, value)


def period_from_form(date_from: str, date_to: str) -> tuple[date, date]:
    """A statement period (BIL-10) from two typed dates, both required, in order."""
    errors: list[ValidationError] = []
    start = _date(date_from, "date_from", errors, required=True)
    end = _date(date_to, "date_to", errors, required=True)
    if start and end and end < start:
        errors.append(ValidationError("date_to", "the end of the period is before its start"))
    raise_collected(errors)
    return start, end


def _date(text: str, field: str, errors: list[ValidationError], *, required: bool = False) -> date | None:
    try:
        value = v.iso_date(text or "", field=field)
    except ValidationError as exc:
        errors.append(exc)
        return None
    if value is None and required:
        errors.append(ValidationError(field, "a date is required (YYYY-MM-DD or D.M.YYYY)"))
    return value


# ------------------------------------------------------------------------ invoice detail

@dataclass(frozen=True)
class Settled:
    """A payment's share of one invoice."""

    payment_id: int
    received_on: date
    source: str
    amount: Decimal


@dataclass(frozen=True)
class InvoiceDetail:
    doc: InvoiceDoc
    settled: tuple[Settled, ...]


def invoice_detail(ctx: Ctx, invoice_id: int) -> InvoiceDetail:
    """Everything the invoice view shows: the printed document and the payments settling it."""
    from sqlmodel import select

    from ispterm.billing.model import Invoice, Payment, PaymentAllocation
    from ispterm.billing.printing import load_document

    with ctx.read() as s:
        invoice = s.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound(f"invoice {invoice_id} does not exist")
        rows = s.exec(select(Payment.id, Payment.received_on, Payment.source, PaymentAllocation.amount)
                      .join(Payment, Payment.id == PaymentAllocation.payment_id)
                      .where(PaymentAllocation.invoice_id == invoice_id)
                      .order_by(Payment.received_on, Payment.id)).all()
        return InvoiceDetail(load_document(s, invoice), tuple(Settled(*r) for r in rows))


def invoice_pdf(ctx: Ctx, invoice_id: int) -> bytes:
    """The invoice's PDF by id (numbers may repeat across billing groups, ids do not)."""
    from ispterm.documents.invoice import render

    return render(invoice_detail(ctx, invoice_id).doc)


def default_pdf_path(name: str) -> Path:
    """Where a PDF goes unless the operator says otherwise: their documents folder, else here."""
    import platformdirs

    docs = Path(platformdirs.user_documents_dir())
    return (docs if docs.is_dir() else Path.cwd()) / name


def write_pdf(data: bytes, path_text: str, default_name: str) -> Path:
    """Write ``data`` to the path typed (a folder gets ``default_name``); returns the path."""
    text = (path_text or "").strip()
    path = Path(text).expanduser() if text else default_pdf_path(default_name)
    if path.is_dir():
        path = path / default_name
    if not path.parent.is_dir():
        raise ValidationError("file", f"the folder {path.parent} does not exist")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ValidationError("file", f"cannot write {path}: {exc.strerror}") from None
    return path.resolve()


def save_invoice_pdf(ctx: Ctx, invoice_id: int, path_text: str, default_name: str) -> Path:
    return write_pdf(invoice_pdf(ctx, invoice_id), path_text, default_name)


def save_statement_pdf(ctx: Ctx, number: int, date_from: str, date_to: str, path_text: str) -> Path:
    """The account statement (BIL-10) of a period as a PDF file."""
    from ispterm.billing.account import statement_pdf

    start, end = period_from_form(date_from, date_to)
    return write_pdf(statement_pdf(ctx, number, start, end), path_text,
                     f"statement-{number}-{start}-{end}.pdf")


def send_summary_from_form(ctx: Ctx, number: int, date_from: str, date_to: str):
    """Queue the account summary of a period by e-mail (``notify.send_account_summary``)."""
    from ispterm.billing.notify import send_account_summary

    start, end = period_from_form(date_from, date_to)
    return send_account_summary(ctx, number, start, end)
