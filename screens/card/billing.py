"""Billing tab (BIL): balance and scoring up front, billing data (BIL-1..4), invoices, payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from ispterm.operators.roles import BILLING_EDIT, COMM_WRITE, PAYMENT_WRITE
from screens.card.base import CardTab
from screens.widgets.fields import field_block
from screens.widgets.render import day, money

if TYPE_CHECKING:
    from ispterm.context import Ctx
    from ispterm.customers.card import CustomerCard


@dataclass(frozen=True)
class BillingData:
    card: CustomerCard
    invoices: list[Any]
    payments: list[Any]


class BillingTab(CardTab):
    BINDINGS = [
        Binding("e", "edit", "Edit", id="billing.edit"),
        Binding("i", "focus('invoices')", "Invoices", id="billing.invoices", show=False),
        Binding("p", "focus('payments')", "Payments", id="billing.payments", show=False),
        Binding("n", "new_invoice", "Invoice", id="billing.new_invoice"),
        Binding("r", "record_payment", "Payment", id="billing.record_payment"),
        Binding("v", "view_invoice", "View", id="billing.view_invoice"),
        Binding("x", "cancel_selected", "Cancel", id="billing.cancel"),
        Binding("s", "statement", "Statement", id="billing.statement"),
        Binding("S", "send_summary", "Mail it", id="billing.send_summary"),
    ]

    # Which permission each write action needs; without it the key is hidden (services check too).
    NEEDS = {"edit": BILLING_EDIT, "new_invoice": PAYMENT_WRITE, "record_payment": PAYMENT_WRITE,
             "cancel_selected": PAYMENT_WRITE, "send_summary": COMM_WRITE}

    data: BillingData

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="billing-scroll"):
            yield Static("Loading…", id="billing-standing")
            yield Static(Text("Invoices", style="bold underline"))
            yield DataTable(id="invoices", cursor_type="row", zebra_stripes=True)
            yield Static(Text("Payments", style="bold underline"))
            yield DataTable(id="payments", cursor_type="row", zebra_stripes=True)
            yield Static("", id="billing-data")

    def on_mount(self) -> None:
        invoices = self.query_one("#invoices", DataTable)
        for label, width in (("Number", 10), ("Issued", 10), ("Due", 10), ("Total", 10),
                             ("State", 18)):
            invoices.add_column(label, width=width)
        payments = self.query_one("#payments", DataTable)
        for label, width in (("Received", 10), ("Amount", 10), ("VS", 10), ("Source", 9),
                             ("Allocated", 10), ("State", 10)):
            payments.add_column(label, width=width)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.NEEDS:
            return self.can(self.NEEDS[action])
        return True

    def fetch(self, ctx: Ctx) -> BillingData:
        from ispterm.billing import service as billing
        from ispterm.customers.service import get_card

        return BillingData(get_card(ctx, self.number), billing.invoices(ctx, self.number),
                           billing.payments(ctx, self.number))

    def show(self, data: BillingData) -> None:
        self.data = data
        self.query_one("#billing-standing", Static).update(_standing(data.card))
        self.query_one("#billing-data", Static).update(_billing_data(data.card))
        invoices = self.query_one("#invoices", DataTable)
        invoices.clear()
        for inv in data.invoices:
            invoices.add_row(inv.number, day(inv.issued_on), day(inv.due_on), money(inv.total),
                             _invoice_state(inv), key=str(inv.id))
        payments = self.query_one("#payments", DataTable)
        payments.clear()
        for p in data.payments:
            payments.add_row(day(p.received_on), money(p.amount), p.vs or "", p.source,
                             money(p.allocated), "cancelled" if p.cancelled else "", key=str(p.id))

    def selected(self, which: str) -> int | None:
        """Id of the highlighted invoice or payment, None when the table is empty."""
        table = self.query_one(f"#{which}", DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_focus(self, which: str) -> None:
        self.query_one(f"#{which}", DataTable).focus()

    def action_edit(self) -> None:
        if not self.loaded:
            return
        from ispterm.customers import service

        self.call_service(service.form_fields, billing=True, done=self._open_form, reload=False,
                          hold_keys=True)

    def _open_form(self, fields: list[Any]) -> None:
        from ispterm.customers import service
        from ispterm.customers.fields import form_text
        from screens.dialogs.edit_form import EditForm

        card = self.data.card
        form = EditForm(
            f"Billing data of customer {card.number}", fields,
            {f.name: form_text(card, f.name) for f in fields},
            save=lambda ctx, changed: service.update(ctx, card.number, changed,
                                                     expected_version=card.version),
            validate=lambda ctx, vals: service.validate(ctx, card.number, vals),
            owner=self.screen,
        )

        def saved(ok: bool | None) -> None:
            if ok:
                self.notify(f"Billing data of {card.number} saved")
                self.screen.refresh_card()  # type: ignore[attr-defined]

        self.app.push_screen(form, saved)

    # Invoices and payments ----------------------------------------------------------------

    def action_new_invoice(self) -> None:
        from screens.dialogs.invoice_form import InvoiceForm

        def issued(inv: Any) -> None:
            if inv is not None:
                self.notify(f"Invoice {inv.number} issued: {money(inv.total).plain}, due {day(inv.due_on)}")
                self.screen.refresh_card()  # type: ignore[attr-defined]

        today = self.app.today()  # type: ignore[attr-defined]
        self.app.push_screen(InvoiceForm(self.number, today), issued)

    def action_record_payment(self) -> None:
        from screens.dialogs.payment_form import payment_form

        def recorded(p: Any) -> None:
            if p is not None:
                self.notify(f"Payment of {money(p.amount).plain} recorded "
                            f"({money(p.allocated).plain} settles invoices)")
                self.screen.refresh_card()  # type: ignore[attr-defined]

        today = self.app.today()  # type: ignore[attr-defined]
        self.app.push_screen(payment_form(self.number, today), recorded)

    @on(DataTable.RowSelected, "#invoices")
    def _invoice_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_view_invoice()

    def action_view_invoice(self) -> None:
        from ispterm.billing.forms import invoice_detail
        from screens.dialogs.invoice_view import InvoiceView

        invoice_id = self.selected("invoices") if self.loaded else None
        if invoice_id is None:
            self.notify("No invoice to show", severity="warning")
            return
        self.call_service(invoice_detail, invoice_id, reload=False, hold_keys=True,
                          done=lambda detail: self.app.push_screen(InvoiceView(detail)))

    def action_cancel_selected(self) -> None:
        """Cancel the highlighted payment when the payments table has the focus, else the invoice."""
        from screens.dialogs.confirm import ConfirmDialog

        if not self.loaded:
            return
        focused = self.screen.focused
        which = "payments" if focused is not None and focused.id == "payments" else "invoices"
        item_id = self.selected(which)
        if item_id is None:
            self.notify(f"No {which[:-1]} to cancel", severity="warning")
            return
        if which == "invoices":
            from ispterm.billing.invoicing import cancel_invoice as cancel

            inv = next(i for i in self.data.invoices if i.id == item_id)
            what = f"invoice {inv.number} ({money(inv.total).plain}, issued {day(inv.issued_on)})"
            if inv.status == "cancelled":
                self.notify(f"Invoice {inv.number} is already cancelled", severity="warning")
                return
        else:
            from ispterm.billing.service import cancel_payment as cancel

            pay = next(p for p in self.data.payments if p.id == item_id)
            what = f"the payment of {money(pay.amount).plain} received {day(pay.received_on)}"
            if pay.cancelled:
                self.notify("That payment is already cancelled", severity="warning")
                return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(cancel, item_id,
                                  done=lambda _r: self.notify(f"Cancelled {what}"))

        self.app.push_screen(ConfirmDialog(
            "Cancel", f"Cancel {what}? The balance is recomputed; the record stays, marked cancelled.",
            yes="Cancel it", danger=True), answered)

    # Account statement (BIL-10) -------------------------------------------------------------

    def action_statement(self) -> None:
        from ispterm.billing.forms import default_pdf_path, save_statement_pdf
        from screens.dialogs.action_form import ActionForm, FormField

        start, end = _period(self.app.today())  # type: ignore[attr-defined]
        form = ActionForm(
            f"Account statement of customer {self.number} (PDF)",
            [FormField("date_from", "From", start, "YYYY-MM-DD"),
             FormField("date_to", "To", end, "YYYY-MM-DD"),
             FormField("file", "File", str(default_pdf_path(f"statement-{self.number}.pdf").parent),
                       "a file or a folder")],
            submit=lambda ctx, vals: save_statement_pdf(ctx, self.number, vals["date_from"],
                                                        vals["date_to"], vals["file"]),
            ok="Save PDF")

        def written(path: Any) -> None:
            if path is not None:
                self.notify(f"Statement written to {path}", title="PDF saved", timeout=10)

        self.app.push_screen(form, written)

    def action_send_summary(self) -> None:
        from ispterm.billing.forms import send_summary_from_form
        from screens.dialogs.action_form import ActionForm, FormField

        start, end = _period(self.app.today())  # type: ignore[attr-defined]
        form = ActionForm(
            f"Mail the account summary to customer {self.number}",
            [FormField("date_from", "From", start, "YYYY-MM-DD"),
             FormField("date_to", "To", end, "YYYY-MM-DD")],
            submit=lambda ctx, vals: send_summary_from_form(ctx, self.number, vals["date_from"],
                                                            vals["date_to"]),
            ok="Queue e-mail", note="The statement PDF goes to the default billing contacts "
                                    "through the mail queue.")

        def queued(message: Any) -> None:
            if message is not None:
                to = ", ".join(getattr(message, "recipients", ()) or ())
                self.notify(f"Account summary queued{' to ' + to if to else ''}", timeout=8)
                self.screen.refresh_card()  # type: ignore[attr-defined]

        self.app.push_screen(form, queued)


def _invoice_state(inv: Any) -> Text:
    """One column says it all: paid when, how much is still owed, or cancelled."""
    if inv.status == "cancelled":
        return Text("cancelled", style="dim strike")
    if inv.status == "paid":
        return Text(f"paid {day(inv.paid_on)}")
    return Text(f"owes {money(inv.outstanding).plain}", style="bold red")


def _standing(c: CustomerCard) -> Group:
    st = c.standing
    line = Text()
    line.append("Balance ", style="bold")
    line.append_text(money(st.balance, owing_word=True))
    line.append("   Scoring ", style="bold")
    line.append(str(st.scoring), style="" if st.scoring >= 0 else "red")
    line.append("   Average scoring ", style="bold")
    line.append(str(st.average_scoring), style="" if st.average_scoring >= 0 else "red")
    sub = Text(f"invoiced {money(st.invoiced).plain} · paid {money(st.paid).plain} · "
               f"{st.paid_invoices} paid, {st.open_invoices} open invoices", style="dim")
    return Group(line, sub, Text(""))


def _billing_data(c: CustomerCard) -> Group | str:
    v = c.values
    block = field_block("Billing data", [
        ("Billing name", v["billing_name"]), ("Street", v["billing_street"]),
        ("City", v["billing_city"]), ("ZIP", v["billing_zip"]), ("Country", v["billing_country"]),
        ("IČO", v["ico"]), ("DIČ", v["dic"]), ("Bank account", v["bank_account"]),
        ("IBAN", v["iban"]), ("BIC", v["bic"]), ("Contract returned", day(v["contract_returned_on"])),
        ("Assigned VS", ", ".join(x for x in (v["vs_alt1"], v["vs_alt2"], v["vs_alt3"]) if x)),
        ("Billing group", v["billing_group"]), ("Payment type", v["payment_type"]),
        ("Invoice due days", v["due_days"] if v["due_days"] is not None else "global setting"),
        ("Suspend after days", v["suspend_after_days"] if v["suspend_after_days"] is not None else "global setting"),
        ("Never suspend", v["never_suspend"]), ("Invoices by post", v["invoice_by_post"]),
        ("Invoices by e-mail", v["invoice_by_email"]),
        ("Invoices go to", c.invoice_email),
    ])
    return Text("") if block is None else Group(Text(""), block)


def _period(today: date) -> tuple[str, str]:
    """Default statement period: this calendar year up to today."""
    return date(today.year, 1, 1).isoformat(), today.isoformat()
