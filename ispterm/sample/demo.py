"""The demo data set (``sample_data/demo.json``): a small ISP around Šumperk with two years of
billing, built from a seed as plain JSON-able data.

``build_demo()`` runs the stages in a fixed order on one :class:`DemoState` (customers, then
services, invoices, payments, notes, tasks, communication and history, each of which reads what
the earlier ones made); ``dumps()`` writes it one record per line. ``python -m ispterm.sample``
regenerates the file, and a test checks that the committed file is what this makes.
"""

from __future__ import annotations

import json
from typing import Any

from ispterm.sample import demo_activity, demo_billing, demo_customers
from ispterm.sample.common import FORMAT
from ispterm.sample.demo_state import ANCHOR, DemoState
from ispterm.sample.reference import BILLING_GROUPS, OPERATORS

CUSTOMERS = 226

# The keys of a customer in the file, in a fixed, readable order.
_CUSTOMER_ORDER = [
    "number", "legal_form", "name", "representative", "street", "city", "zip", "country", "floor",
    "flat", "mail_street", "mail_city", "mail_zip", "mail_country", "gps_lat", "gps_lon", "email",
    "billing_email", "tech_email", "business_email", "other_emails", "phone", "mobile", "www",
    "status", "groups", "marks", "managers", "campaign", "parent", "portal_login",
    "portal_force_change", "portal_last_login", "catv_socket", "disconnect_on", "former",
    "deleted_at", "billing_group", "billing_name", "billing_street", "billing_city", "billing_zip",
    "billing_country", "ico", "dic", "bank_account", "iban", "bic", "contract_returned_on",
    "vs_alt1", "vs_alt2", "vs_alt3", "payment_type", "due_days", "suspend_after_days",
    "never_suspend", "invoice_by_post", "invoice_by_email", "created_at", "created_by",
    "updated_at", "updated_by", "version", "contacts", "services", "inventory", "portal_logins",
    "invoices", "payments", "notes", "tasks", "communications", "history",
]


def build_demo(seed: int = 7) -> dict:
    """The demo data set as plain JSON-able data; the same seed gives the same data."""
    d = DemoState(seed)
    groups = _billing_groups(d)
    customers = _customers(d)
    unmatched = demo_billing.unmatched_payments(d)
    return {
        "format": FORMAT,
        "description": "ispterm demo data set: an ISP around Šumperk, two years of billing",
        "seed": seed,
        "anchor": ANCHOR.isoformat(),
        "currency": "CZK",
        "codes": _codes(),
        "operators": OPERATORS,
        # So mail can be composed and sent in the demo without a settings step first.
        "settings": {"sender_addresses": "podpora@sitesumperk.cz, fakturace@sitesumperk.cz"},
        "billing_groups": groups,
        "customers": [_ordered(c) for c in customers],
        "unmatched_payments": unmatched,
        "tasks": demo_activity.network_tasks(),
    }


def _customers(d: DemoState) -> list[dict]:
    """Every customer with everything about them, numbered in the order they joined."""
    customers = [demo_customers.customer(d) for _ in range(CUSTOMERS)]
    customers.sort(key=lambda c: (c["created_at"], c["name"]))
    for n, c in enumerate(customers):
        c["number"] = 10001 + n
        c["portal_login"] = str(c["number"])
    demo_customers.aliases(d, customers)
    for c in customers:
        demo_customers.services(d, c)
        demo_customers.contacts(d, c)
        demo_customers.inventory(d, c)
    demo_billing.invoices(d, customers)
    for c in customers:
        demo_billing.payments(d, c)
    for c in customers:
        demo_activity.notes(d, c)
    demo_activity.notes_extra(d, customers)
    for c in customers:
        demo_activity.tasks(d, c)
        demo_activity.communications(d, c)
        demo_activity.portal_logins(d, c)
        demo_activity.history(d, c)
    return customers


def _codes() -> dict:
    """The default code lists ``ispterm init`` seeds, as the data set names them."""
    from ispterm.settings.service import DEFAULT_CODES

    return {kind: [{k: v for k, v in item.items() if k != "is_default"} for item in items]
            for kind, items in DEFAULT_CODES.items()}


def _billing_groups(d: DemoState) -> list[dict]:
    """The ISP's two companies, each with its own IČO and bank account; "Main" is the default."""
    out = []
    for name, company, street, city, zip_, bank, phone, email in BILLING_GROUPS:
        ico = d.ico()
        account, iban, bic = d.account(bank)
        out.append({
            "name": name, "company_name": company, "ico": ico, "dic": "CZ" + ico,
            "street": street, "city": city, "zip": zip_, "country": "CZ",
            "bank_account": account, "iban": iban, "bic": bic, "email": email,
            "phone": phone, "currency": "CZK", "invoice_prefix": "",
            "is_default": name == "Main",
        })
    return out


def _ordered(c: dict) -> dict:
    """The customer's keys in a fixed, readable order; working keys (``_x``) dropped."""
    out = {k: c[k] for k in _CUSTOMER_ORDER if k in c}
    extra = [k for k in c if k not in out and not k.startswith("_")]
    if extra:
        raise AssertionError(f"unordered customer keys {extra}")
    return out


def dumps(data: dict) -> str:
    """JSON text of a data set: one flat record per line, so diffs stay readable."""

    def flat(value: Any) -> bool:
        # A record (invoice, payment, note) is one line; a customer or a long list is not.
        if isinstance(value, dict):
            return len(one(value)) <= 600 and all(flat(v) for v in value.values())
        if isinstance(value, list):
            scalars = all(not isinstance(v, (dict, list)) for v in value)
            return scalars or (len(value) <= 3 and len(one(value)) <= 400)
        return True

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def fmt(value: Any, indent: int) -> str:
        pad = " " * (indent + 1)
        if isinstance(value, dict) and not flat(value):
            items = [f"{pad}{one(k)}:{fmt(v, indent + 1)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
        if isinstance(value, list) and value and not flat(value):
            items = [pad + fmt(v, indent + 1) for v in value]
            return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
        return one(value)

    return fmt(data, 0) + "\n"
