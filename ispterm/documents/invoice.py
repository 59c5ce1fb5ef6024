"""The invoice PDF: supplier (billing group) and customer, lines, VAT recap, the total and what
is left to pay, payment details with VS and due date, and the payment QR code (SPAYD for CZK,
EPC for EUR) while anything is unpaid."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from ispterm.documents import base
from ispterm.documents.base import CONTENT_WIDTH, HEAD, RIGHT, SMALL, TITLE, TOTAL, lines_para, para
from ispterm.documents.models import InvoiceDoc
from ispterm.money import fmt


def _supplier(doc: InvoiceDoc) -> list:
    g = doc.supplier
    return [g.company_name or g.name, g.street, " ".join(x for x in (g.zip, g.city) if x),
            f"IČO {g.ico}" if g.ico else None, f"DIČ {g.dic}" if g.dic else None,
            g.email, g.phone]


def _customer(doc: InvoiceDoc) -> list:
    c = doc.customer
    return [c.name, *c.address, f"IČO {c.ico}" if c.ico else None, f"DIČ {c.dic}" if c.dic else None,
            f"Customer no. {c.number}"]


def _settlement(doc: InvoiceDoc) -> tuple[list, list[str | None]]:
    """The totals under the VAT recap and the payment box, by what is left to pay: a paid
    invoice says when it was paid and asks for nothing; a partly paid one says what was paid
    and what remains, by when; a cancelled one says so and asks for nothing."""
    g, cur, due = doc.supplier, doc.currency, f"{doc.due_on:%d.%m.%Y}"
    state = doc.settlement
    if state == "cancelled":
        return ([para(f"Total: {fmt(doc.total, cur)}", TOTAL),
                 para("This invoice is cancelled: nothing is to be paid.", RIGHT)],
                ["Cancelled", "This invoice is cancelled and is not to be paid."])
    if state == "paid":
        when = f" on {doc.paid_on:%d.%m.%Y}" if doc.paid_on else ""
        return ([para(f"Total: {fmt(doc.total, cur)}", TOTAL), para(f"Paid in full{when}.", RIGHT)],
                ["Payment", f"Paid in full{when}, with variable symbol {doc.vs}.", "Thank you."])
    totals = [para(f"Total to pay: {fmt(doc.total, cur)}", TOTAL)]
    if state == "part_paid":
        totals = [para(f"Total: {fmt(doc.total, cur)}", TOTAL),
                  para(f"Paid: {fmt(doc.paid, cur)}", RIGHT),
                  para(f"Left to pay: {fmt(doc.outstanding, cur)} by {due}", TOTAL)]
    return (totals, ["Payment", f"Please pay {fmt(doc.outstanding, cur)} by {due}",
                     f"to account {g.iban or g.bank_account or '-'}", f"with variable symbol {doc.vs}.",
                     "Scan the QR code in your banking app." if doc.qr_payload else None])


def render(doc: InvoiceDoc) -> bytes:
    g = doc.supplier
    story: list = []
    logo = base.image(g.logo_path, 45 * mm, 20 * mm)
    mark = {"cancelled": "  (CANCELLED)", "paid": "  (PAID)"}.get(doc.settlement, "")
    title = base.para(f"Invoice {doc.number}{mark}", TITLE)
    story.append(Table([[title, logo or ""]], colWidths=[CONTENT_WIDTH - 50 * mm, 50 * mm],
                       style=TableStyle([("ALIGN", (1, 0), (1, 0), "RIGHT"),
                                         ("VALIGN", (0, 0), (-1, -1), "TOP")])))
    parties = Table([[para("Supplier", HEAD), para("Customer", HEAD)],
                     [lines_para(_supplier(doc), bold_first=True), lines_para(_customer(doc), bold_first=True)]],
                    colWidths=[CONTENT_WIDTH / 2] * 2,
                    style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [parties, Spacer(1, 4 * mm)]
    facts = [["Invoice number", doc.number, "Issued on", f"{doc.issued_on:%d.%m.%Y}"],
             ["Variable symbol (VS)", doc.vs, "Due date", f"{doc.due_on:%d.%m.%Y}"],
             ["Bank account", g.bank_account or "-", "IBAN", g.iban or "-"],
             ["BIC", g.bic or "-", "Period", doc.period or "-"]]
    story += [base.grid_table(facts, [38 * mm, 55 * mm, 30 * mm, CONTENT_WIDTH - 123 * mm], header=False),
              Spacer(1, 5 * mm)]
    rows = [["Description", "Qty", "Unit price", "VAT %", "Total"]]
    for line in doc.lines:
        rows.append([para(line.description), str(line.quantity), fmt(line.unit_price),
                     "-" if line.kind == "rounding" else f"{line.vat_rate}", fmt(line.total)])
    story += [base.grid_table(rows, [CONTENT_WIDTH - 110 * mm, 14 * mm, 32 * mm, 22 * mm, 42 * mm], right_from=1),
              Spacer(1, 3 * mm)]
    recap = [["VAT rate", "Base", "VAT", "Total incl. VAT"]]
    for r in doc.vat:
        recap.append([f"{r.rate} %", fmt(r.base), fmt(r.vat), fmt(r.gross)])
    if doc.rounding:
        recap.append(["Rounding (outside VAT)", "", "", fmt(doc.rounding)])
    recap_table = base.grid_table(recap, [50 * mm, 35 * mm, 35 * mm, 40 * mm], right_from=1)
    recap_table.hAlign = "RIGHT"
    story += [recap_table, Spacer(1, 4 * mm)]
    totals, pay_lines = _settlement(doc)
    story += totals
    story.append(Spacer(1, 5 * mm))
    pay_text = lines_para(pay_lines, bold_first=True)
    stamp = base.image(g.stamp_path, 45 * mm, 30 * mm)
    cells = [pay_text, base.qr(doc.qr_payload, 40 * mm) if doc.qr_payload else "", stamp or ""]
    story.append(Table([cells], colWidths=[CONTENT_WIDTH - 95 * mm, 45 * mm, 50 * mm],
                       style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])))
    story += [Spacer(1, 6 * mm), para(f"Prices include VAT. Issued with ispterm for {g.company_name or g.name}", SMALL)]
    return base.build(story, title=f"Invoice {doc.number}", author=g.company_name or "ispterm")
