"""Billing tab (BIL): balance and scoring up front, billing data (BIL-1..4), invoices, payments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from ispterm.operators.roles import BILLING_EDIT
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
        Binding("e", "edit", "Edit billing", id="billing.edit"),
        Binding("i", "focus('invoices')", "Invoices", id="billing.invoices"),
        Binding("p", "focus('payments')", "Payments", id="billing.payments"),
    ]

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
        if action == "edit":
            return self.app.can(BILLING_EDIT)  # type: ignore[attr-defined]
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

    def action_focus(self, which: str) -> None:
        self.query_one(f"#{which}", DataTable).focus()

    def action_edit(self) -> None:
        if not self.loaded:
            return
        from ispterm.customers import service

        self.call_service(service.form_fields, billing=True, done=self._open_form, reload=False)

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
