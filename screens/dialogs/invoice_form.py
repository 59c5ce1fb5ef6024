"""Issue an invoice by hand: dates, then rows of description, price incl. VAT, quantity, VAT rate.

Empty rows are skipped; ``ctrl+n`` adds a row. The due date left empty comes from the
customer's or the global setting (the service decides). Each row's error shows under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from screens.dialogs.action_form import ActionForm, FormField, field_id

ROWS = 3
PARTS = (("description", "Description"), ("price", "Price incl. VAT"), ("quantity", "Qty"),
         ("vat", "VAT %"))


class InvoiceForm(ActionForm):
    BINDINGS = [Binding("ctrl+n", "add_row", "Add line", id="invoice_form.add_row")]

    def __init__(self, number: int, today: date) -> None:
        from ispterm.billing.forms import issue_from_form

        self.number = number
        self.rows = ROWS
        fields = [FormField("issued_on", "Issue date", today.isoformat(), "YYYY-MM-DD"),
                  FormField("due", "Due date", "", "empty: from the customer's due days")]
        super().__init__(f"Issue an invoice to customer {number}", fields,
                         submit=lambda ctx, vals: issue_from_form(
                             ctx, number, _rows(vals), issued_on=vals["issued_on"],
                             due_on=vals["due"]),
                         ok="Issue", note="Prices include VAT · ctrl+n adds a line")

    def compose_fields(self) -> Iterable:
        yield from super().compose_fields()
        yield Static("Lines: description · price incl. VAT · quantity · VAT rate %",
                     classes="section-title")
        for i in range(1, self.rows + 1):
            yield from self._row(i)

    def _row(self, i: int) -> list:
        inputs = [Input({"quantity": "1", "vat": "21"}.get(part, ""), id=field_id(f"line{i}.{part}"),
                        placeholder=label, classes=f"line-{part}", compact=True) for part, label in PARTS]
        return [Horizontal(*inputs, classes="form-row invoice-line", id=f"row-{i}"),
                self.error_slot(f"line{i}")]

    def action_add_row(self) -> None:
        self.rows += 1
        row, slot = self._row(self.rows)
        scroll = self.query_one(".form")
        scroll.mount(row, slot)
        row.query(Input).first().focus()
        row.scroll_visible()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()


def _rows(vals: dict[str, str]) -> list[dict[str, str]]:
    count = max((int(k[4:].split(".")[0]) for k in vals if k.startswith("line")), default=0)
    return [{p: vals.get(f"line{i}.{p}", "") for p, _l in PARTS} for i in range(1, count + 1)]
