"""One invoice as the customer gets it: lines, VAT recap, totals, status, the payments settling
it; ``p`` saves it as a PDF (with the payment QR code) to a file the operator names."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from screens.dialogs.modal import Dialog
from screens.widgets.render import day, money


def pdf_name(number: str) -> str:
    return f"invoice-{number.replace('/', '-')}.pdf"


def pdf_form(title: str, default_name: str, save: Any) -> Any:
    """Ask where a PDF goes (default: the documents folder, else the current one)."""
    from ispterm.billing.forms import default_pdf_path
    from screens.dialogs.action_form import ActionForm, FormField

    return ActionForm(title, [FormField("file", "File", str(default_pdf_path(default_name)),
                                        "a file or a folder")],
                      submit=lambda ctx, vals: save(ctx, vals["file"]), ok="Save PDF")


class InvoiceView(Dialog[None]):
    BINDINGS = [
        Binding("p", "pdf", "Save PDF", id="invoice_view.pdf"),
        Binding("escape,enter", "close", "Close", id="invoice_view.close"),
    ]

    def __init__(self, detail: Any) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        doc = self.detail.doc
        with Vertical(classes="dialog", id="invoice-view"):
            yield Label(f"Invoice {doc.number} · {doc.customer.number} {doc.customer.name}",
                        classes="dialog-title")
            with VerticalScroll(classes="form"):
                yield Static(_body(self.detail), id="invoice-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save PDF (p)", id="pdf")
                yield Button("Close (esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "pdf":
            self.action_pdf()
        else:
            self.action_close()

    def action_pdf(self) -> None:
        from ispterm.billing.forms import save_invoice_pdf

        doc = self.detail.doc
        name = pdf_name(doc.number)

        def written(path: Any) -> None:
            if path is not None:
                self.notify(f"Invoice {doc.number} written to {path}", title="PDF saved", timeout=10)

        self.app.push_screen(pdf_form(f"Save invoice {doc.number} as PDF", name,
                                      lambda ctx, path: save_invoice_pdf(ctx, doc.id, path, name)),
                             written)

    def action_close(self) -> None:
        self.dismiss(None)


def _body(detail: Any) -> Group:
    doc = detail.doc
    cur = doc.currency
    head = Text()
    head.append("Status ", style="bold")
    head.append(_status(doc))
    head.append(f"\nIssued {day(doc.issued_on)} · due {day(doc.due_on)} · VS {doc.vs}"
                + (f" · period {doc.period}" if doc.period else ""))
    head.append(f"\nSupplier {doc.supplier.company_name or doc.supplier.name}", style="dim")

    lines = Table(box=None, expand=True, pad_edge=False, show_edge=False)
    for col, just in (("Description", "left"), ("Qty", "right"), ("Price", "right"),
                      ("VAT %", "right"), ("Total", "right")):
        lines.add_column(col, justify=just, no_wrap=col != "Description")
    for ln in doc.lines:
        lines.add_row(ln.description, str(ln.quantity), money(ln.unit_price),
                      "" if ln.kind == "rounding" else f"{ln.vat_rate}", money(ln.total))

    vat = Table(box=None, title="VAT recap", title_justify="left", pad_edge=False, show_edge=False)
    for col in ("Rate %", "Base", "VAT", "Incl. VAT"):
        vat.add_column(col, justify="right")
    for row in doc.vat:
        vat.add_row(f"{row.rate}", money(row.base), money(row.vat), money(row.gross))

    totals = Text()
    totals.append(f"Total {money(doc.total).plain} {cur}", style="bold")
    totals.append(f"  (VAT {money(doc.vat_total).plain}"
                  + (f", rounding {money(doc.rounding).plain}" if doc.rounding else "") + ")")
    totals.append(f"\nPaid {money(doc.paid).plain} · outstanding {money(doc.outstanding).plain} {cur}")

    paid = Text("Payments settling it\n", style="bold")
    if detail.settled:
        for s in detail.settled:
            paid.append(f"  {day(s.received_on)}  {money(s.amount).plain:>12}  {s.source} "
                        f"(payment {s.payment_id})\n", style="")
    else:
        paid.append("  none\n", style="dim")
    return Group(head, Text(""), lines, Text(""), vat, Text(""), totals, Text(""), paid)


def _status(doc: Any) -> Text:
    if doc.status == "cancelled":
        return Text("cancelled", style="bold strike")
    if doc.status == "paid":
        return Text("paid")
    return Text(f"open, owes {money(doc.outstanding).plain}", style="bold red")
