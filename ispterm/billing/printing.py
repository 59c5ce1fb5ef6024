"""The invoice as a document: everything the PDF prints, read in one transaction."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from ispterm.billing import qr
from ispterm.billing.groups import view
from ispterm.billing.model import BillingGroup, Invoice, InvoiceLine, PaymentAllocation
from ispterm.context import Ctx
from ispterm.documents.models import ZERO, DocLine, InvoiceDoc, Party, VatRow
from ispterm.errors import NotFound, ValidationError


def party(c) -> Party:
    name = c.billing_name or c.name
    if c.billing_street or c.billing_city:
        addr = (c.billing_street, " ".join(x for x in (c.billing_zip, c.billing_city) if x))
    elif c.mail_street or c.mail_city:
        addr = (c.mail_street, " ".join(x for x in (c.mail_zip, c.mail_city) if x))
    else:
        addr = (c.street, " ".join(x for x in (c.zip, c.city) if x))
    return Party(c.number, name, tuple(x for x in addr if x), c.ico, c.dic, c.billing_email or c.email)


def vat_recap(lines: list[DocLine], currency: str) -> tuple[VatRow, ...]:
    """Per VAT rate: base, VAT and gross of the items (the rounding line is outside VAT).
    VAT is summed line by line, as the invoice's ``vat_total`` was."""
    from ispterm.money import vat_in_gross

    acc: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        if line.kind == "rounding":
            continue
        row = acc.setdefault(line.vat_rate, [ZERO, ZERO])
        row[0] += line.total
        row[1] += vat_in_gross(line.total, line.vat_rate, currency)
    return tuple(VatRow(rate, gross - vat, vat, gross) for rate, (gross, vat) in sorted(acc.items()))


def find_invoice(s: Session, number: str, group: str | None = None) -> Invoice:
    stmt = select(Invoice).where(Invoice.number == number.strip())
    if group:
        from ispterm.billing.groups import group_by_name

        stmt = stmt.where(Invoice.billing_group_id == group_by_name(s, group).id)
    found = s.exec(stmt).all()
    if not found:
        raise NotFound(f"invoice {number} does not exist")
    if len(found) > 1:
        raise ValidationError("group", f"invoice number {number} exists in several billing groups; "
                                       "name the group")
    return found[0]


def load_document(s: Session, invoice: Invoice) -> InvoiceDoc:
    from ispterm.customers.model import Customer

    group = s.get(BillingGroup, invoice.billing_group_id)
    customer = s.get(Customer, invoice.customer_id)
    lines = [DocLine(x.description, x.quantity, x.unit_price, x.vat_rate, x.total, x.kind)
             for x in s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                             .order_by(InvoiceLine.id)).all()]
    paid = sum(s.exec(select(PaymentAllocation.amount)
                      .where(PaymentAllocation.invoice_id == invoice.id)).all(), ZERO)
    rounding = sum((x.total for x in lines if x.kind == "rounding"), ZERO)
    left = invoice.total - paid
    payload = None
    if invoice.status == "issued" and left > 0:
        payload = qr.payment_payload(currency=invoice.currency, iban=group.iban,
                                     bank_account=group.bank_account, bic=group.bic,
                                     company=group.company_name, amount=left, vs=invoice.vs,
                                     due=invoice.due_on, number=invoice.number)
    return InvoiceDoc(invoice.id, invoice.number, invoice.issued_on, invoice.due_on, invoice.vs,
                      invoice.currency, invoice.period, invoice.status, invoice.total,
                      invoice.vat_total, rounding, paid, tuple(lines), vat_recap(lines, invoice.currency), view(group),
                      party(customer), payload, invoice.paid_on if invoice.status == "paid" else None)


def invoice_document(ctx: Ctx, number: str, group: str | None = None) -> InvoiceDoc:
    with ctx.read() as s:
        return load_document(s, find_invoice(s, number, group))


def invoice_pdf(ctx: Ctx, number: str, group: str | None = None) -> bytes:
    from ispterm.documents.invoice import render  # reportlab: only when a PDF is made

    return render(invoice_document(ctx, number, group))
