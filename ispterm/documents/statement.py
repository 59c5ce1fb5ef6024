"""The account statement PDF (BIL-10): opening balance, entries with a running balance, closing."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from ispterm.documents import base
from ispterm.documents.base import BODY, CONTENT_WIDTH, HEAD, SMALL, TITLE, TOTAL, lines_para, para
from ispterm.documents.models import StatementDoc
from ispterm.money import fmt


def render(doc: StatementDoc) -> bytes:
    g, c = doc.supplier, doc.customer
    story: list = [para("Account statement", TITLE),
                   para(f"{doc.date_from:%d.%m.%Y} – {doc.date_to:%d.%m.%Y}", HEAD), Spacer(1, 3 * mm)]
    story.append(Table([[lines_para([g.company_name or g.name, g.street,
                                     " ".join(x for x in (g.zip, g.city) if x),
                                     f"IČO {g.ico}" if g.ico else None], bold_first=True),
                         lines_para([c.name, *c.address, f"Customer no. {c.number}"], bold_first=True)]],
                       colWidths=[CONTENT_WIDTH / 2] * 2, style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])))
    story += [Spacer(1, 5 * mm), para(f"Opening balance: {fmt(doc.opening, doc.currency)}", BODY), Spacer(1, 2 * mm)]
    rows = [["Date", "Entry", "Amount", "Balance"]]
    for e in doc.entries:
        rows.append([f"{e.day:%d.%m.%Y}", para(e.reference), fmt(e.amount), fmt(e.balance)])
    if len(rows) == 1:
        rows.append(["", "no invoices or payments in this period", "", ""])
    story += [base.grid_table(rows, [24 * mm, CONTENT_WIDTH - 94 * mm, 35 * mm, 35 * mm], right_from=2),
              Spacer(1, 4 * mm),
              para(f"Invoiced {fmt(doc.invoiced, doc.currency)} · paid {fmt(doc.paid, doc.currency)}", BODY),
              para(f"Closing balance: {fmt(doc.closing, doc.currency)}", TOTAL),
              para("A positive balance is an overpayment, a negative one is owed.", SMALL)]
    if doc.closing < 0 and (g.iban or g.bank_account):
        story.append(para(f"Please pay {fmt(-doc.closing, doc.currency)} to {g.iban or g.bank_account} "
                          f"with variable symbol {c.number}.", BODY))
    return base.build(story, title=f"Account statement {c.number}", author=g.company_name or "ispterm")
