"""Unmatched payments: what the statement import could not give to a customer, and assigning them.

The list (date, amount, VS, counterparty, message, why unmatched) and, for the highlighted
payment, the customers the service suggests by the payer's name. ``a`` assigns it to a
customer by number (the service validates and audits it and settles their invoices);
``enter`` on a suggestion assigns it to that customer after a confirmation.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ispterm.operators.roles import PAYMENT_WRITE
from screens.widgets.footer import KeyFooter
from screens.widgets.render import day, money
from screens.work import Loads

LIMIT = 500


class UnmatchedScreen(Screen):
    BINDINGS = [
        Binding("a", "assign", "Assign to customer", id="unmatched.assign"),
        Binding("s", "focus_suggestions", "Suggestions", id="unmatched.suggestions"),
        Binding("ctrl+r", "reload", "Reload", id="unmatched.reload"),
        Binding("escape", "back", "Back", id="unmatched.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, Any] = {}
        self.suggested: list[Any] = []
        self.loads = Loads(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="unmatched-status")
        yield DataTable(id="unmatched", cursor_type="row", zebra_stripes=True)
        yield Static(Text("Suggested customers (by the payer's name)", style="bold"),
                     id="suggestions-title")
        yield DataTable(id="suggestions", cursor_type="row")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Unmatched payments"
        table = self.query_one("#unmatched", DataTable)
        for label, width in (("Date", 10), ("Amount", 11), ("VS", 10), ("Counterparty", 20),
                             ("Message", 20), ("Why unmatched", 34)):
            table.add_column(label, width=width)
        sugg = self.query_one("#suggestions", DataTable)
        for label, width in (("Number", 7), ("Name", 28), ("City", 16), ("Balance", 12)):
            sugg.add_column(label, width=width)
        table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "assign":
            return self.app.can(PAYMENT_WRITE)  # type: ignore[attr-defined]
        return True

    # Loading ------------------------------------------------------------------------------

    def load(self) -> None:
        def fetch(ctx: Any) -> tuple[list[Any], int]:
            from ispterm.billing.statements.unmatched import unmatched, unmatched_count

            return unmatched(ctx, limit=LIMIT), unmatched_count(ctx)

        self.loads.start("list", fetch, lambda result: self._show(*result))

    def _show(self, rows: list[Any], count: int) -> None:
        table = self.query_one("#unmatched", DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = {p.id: p for p in rows}
        for p in rows:
            table.add_row(day(p.received_on), money(p.amount), p.vs or "", p.counterparty or "",
                          (p.message or "").replace("\n", " "), p.reason, key=str(p.id))
        more = f" (the newest {len(rows)} shown)" if count > len(rows) else ""
        self.query_one("#unmatched-status", Static).update(
            f"{count} unmatched payments{more} · a assigns the highlighted one · s suggestions"
            if count else "No unmatched payments: every imported payment belongs to a customer.")
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        self._suggest()

    def current(self) -> Any | None:
        table = self.query_one("#unmatched", DataTable)
        if not table.row_count:
            return None
        return self.rows.get(int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    @on(DataTable.RowHighlighted, "#unmatched")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._suggest()

    def _suggest(self) -> None:
        from ispterm.billing.statements.unmatched import suggestions

        payment = self.current()
        if payment is None:
            self.loads.cancel("suggestions")
            self._show_suggestions([])
            return
        # The cursor moves faster than suggestions come: only those of where it stopped show.
        self.loads.start("suggestions", lambda ctx: suggestions(ctx, payment.id), self._show_suggestions)

    def _show_suggestions(self, rows: list[Any]) -> None:
        self.suggested = rows
        table = self.query_one("#suggestions", DataTable)
        table.clear()
        for r in rows:
            table.add_row(str(r.number), r.name, r.city or "", money(r.balance), key=str(r.number))

    # Assigning ----------------------------------------------------------------------------

    def action_assign(self, number: str = "") -> None:
        from ispterm.billing.forms import assign_from_form
        from screens.dialogs.action_form import ActionForm, FormField

        payment = self.current()
        if payment is None:
            self.notify("No unmatched payment to assign", severity="warning")
            return
        # Suggestions still on their way belong to this payment; those shown to the one before.
        sure = len(self.suggested) == 1 and not self.loads.pending("suggestions")
        guess = number or (str(self.suggested[0].number) if sure else "")
        form = ActionForm(
            f"Assign {money(payment.amount).plain} {payment.currency} of {day(payment.received_on)}",
            [FormField("customer", "Customer number", guess, "e.g. 10001")],
            submit=lambda ctx, vals: assign_from_form(ctx, payment.id, vals["customer"]), ok="Assign",
            note=f"VS {payment.vs or '-'} · {payment.counterparty or 'no payer name'}")

        def assigned(done: Any) -> None:
            if done is not None:
                self.notify(f"Payment assigned to customer {done.customer_number}; "
                            f"their balance is now {money(done.balance).plain}", timeout=8)
                self.load()

        self.app.push_screen(form, assigned)

    @on(DataTable.RowSelected, "#suggestions")
    def _suggestion_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.app.can(PAYMENT_WRITE):  # type: ignore[attr-defined]
            self.action_assign(str(event.row_key.value))

    def action_focus_suggestions(self) -> None:
        self.query_one("#suggestions", DataTable).focus()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

