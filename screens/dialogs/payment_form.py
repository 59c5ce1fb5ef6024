"""Record a payment by hand (amount, date received, VS): errors from the service under each field."""

from __future__ import annotations

from datetime import date

from screens.dialogs.action_form import ActionForm, FormField


def payment_form(number: int, today: date) -> ActionForm:
    """Dismisses with the recorded PaymentView; the VS defaults to the customer's number."""
    from ispterm.billing.forms import record_from_form

    fields = [
        FormField("amount", "Amount", "", "e.g. 1 234,50"),
        FormField("received_on", "Received on", today.isoformat(), "YYYY-MM-DD or D.M.YYYY"),
        FormField("vs", "VS", "", f"empty: {number}"),
    ]
    return ActionForm(
        f"Record a payment from customer {number}", fields,
        submit=lambda ctx, vals: record_from_form(ctx, number, amount=vals["amount"],
                                                  received_on=vals["received_on"], vs=vals["vs"]),
        ok="Record", note="The payment settles open invoices oldest due first.")
