"""Every editable customer field (INF, BIL-1..4): its label, group, parser and permission.

One table drives the CLI's ``--set FIELD=VALUE``, ``ispterm customer fields``, the card's
edit forms and the service's validation, so a field means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ispterm import validation as v
from ispterm.errors import ValidationError
from ispterm.operators.roles import BILLING_EDIT, CUSTOMER_CREATE, CUSTOMER_EDIT, CUSTOMER_LIFECYCLE


@dataclass(frozen=True)
class Env:
    """What a parser may need besides the text: the phone region and the row's country."""

    region: str = "CZ"
    country: str = "CZ"


Parser = Callable[[str, str, Env], Any]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    group: str
    parse: Parser
    # The permission a change of this field needs, whichever command or form makes it: a
    # field whose change is an action of its own (status: disconnect, reconnect, suspend;
    # legal form: change person/company; managers) needs that action's permission.
    permission: str = CUSTOMER_EDIT
    # column: a Customer column; code/codes: code list names; managers: operator logins;
    # gps: sets gps_lat/gps_lon.
    kind: str = "column"
    help: str = ""
    # What setting it on a new customer needs, when that is not ``permission``: whoever
    # signs a customer up says whether it is a person or a company and its first status.
    signup_permission: str | None = None

    def needs(self, *, creating: bool) -> str:
        """The permission that setting this field needs, on a new or an existing customer."""
        return (self.signup_permission or self.permission) if creating else self.permission


def _text(max_len: int = 200) -> Parser:
    return lambda raw, field, env: v.single_line(raw, field=field, max_len=max_len)


def _required_text(raw: str, field: str, env: Env) -> str:
    value = v.single_line(raw, field=field, max_len=200)
    if not value:
        raise ValidationError(field, "must not be empty")
    return value


def _legal_form(raw: str, field: str, env: Env) -> str:
    value = raw.strip().lower()
    aliases = {"person": "person", "p": "person", "fo": "person", "company": "company",
               "c": "company", "firm": "company", "po": "company"}
    if value not in aliases:
        raise ValidationError(field, f"must be person or company, got {raw!r}")
    return aliases[value]


def _country(raw: str, field: str, env: Env) -> str | None:
    value = raw.strip().upper()
    if not value:
        return None
    if len(value) != 2 or not value.isalpha():
        raise ValidationError(field, f"must be a two-letter country code like CZ, got {raw!r}")
    return value


def _floor(raw: str, field: str, env: Env) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(field, f"must be a whole number (0 is the ground floor), got {raw!r}") from None
    if not -10 <= value <= 200:
        raise ValidationError(field, f"must be between -10 and 200, got {value}")
    return value


def _zip(raw: str, field: str, env: Env) -> str | None:
    return v.zip_code(raw, field=field, country=env.country)


def _phone(raw: str, field: str, env: Env) -> str | None:
    return v.phone(raw, field=field, region=env.region)


def _int(raw: str, field: str, env: Env) -> int | None:
    return v.non_negative_int(raw, field=field)


def _bool(raw: str, field: str, env: Env) -> bool:
    value = v.boolean(raw, field=field)
    if value is None:
        raise ValidationError(field, "must be yes or no")
    return value


def _name_list(raw: str, field: str, env: Env) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _portal_login(raw: str, field: str, env: Env) -> str | None:
    from ispterm.operators.service import check_login

    raw = raw.strip()
    if not raw:
        return None
    try:
        return check_login(raw)
    except ValidationError as exc:
        raise ValidationError(field, exc.why) from None


def _wrap(fn: Callable[..., Any]) -> Parser:
    return lambda raw, field, env: fn(raw, field=field)


def _f(name, label, group, parse, **kw) -> FieldSpec:
    return FieldSpec(name=name, label=label, group=group, parse=parse, **kw)


_B = {"permission": BILLING_EDIT}
# An action of its own (INF-9), set freely at sign-up.
_ACTION = {"permission": CUSTOMER_LIFECYCLE, "signup_permission": CUSTOMER_CREATE}

FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        _f("legal_form", "Legal form", "identity", _legal_form, help="person or company", **_ACTION),
        _f("name", "Name", "identity", _required_text, help='"Surname Name" sorts best'),
        _f("representative", "Representative", "identity", _text(), help="companies"),
        _f("street", "Street", "service address", _text()),
        _f("city", "City", "service address", _text(100)),
        _f("zip", "ZIP", "service address", _zip),
        _f("country", "Country", "service address", _country),
        _f("floor", "Floor", "service address", _floor, help="0 is the ground floor"),
        _f("flat", "Flat", "service address", _text(32)),
        _f("gps", "GPS", "service address", _wrap(v.gps), kind="gps",
           help="decimal or 49° 57' 53.19'' N, 16° 58' 25.24'' E"),
        _f("mail_street", "Street", "mailing address", _text()),
        _f("mail_city", "City", "mailing address", _text(100)),
        _f("mail_zip", "ZIP", "mailing address", _zip),
        _f("mail_country", "Country", "mailing address", _country),
        _f("email", "E-mail", "contact", _wrap(v.email)),
        _f("billing_email", "Billing e-mail", "contact", _wrap(v.email), help="falls back to e-mail"),
        _f("tech_email", "Technical e-mail", "contact", _wrap(v.email)),
        _f("business_email", "Business e-mail", "contact", _wrap(v.email)),
        _f("other_emails", "Further e-mails", "contact", _wrap(v.emails), help="comma separated"),
        _f("phone", "Phone", "contact", _phone),
        _f("mobile", "Mobile", "contact", _phone, help="SMS go here"),
        _f("www", "WWW", "contact", _wrap(v.url)),
        _f("status", "Status", "classification", _text(100), kind="code", **_ACTION),
        _f("groups", "Groups", "classification", _name_list, kind="codes", help="comma separated"),
        _f("marks", "Marks", "classification", _name_list, kind="codes", help="comma separated"),
        _f("managers", "Managers", "classification", _name_list, kind="managers",
           help="operator logins, comma separated", **_ACTION),
        _f("campaign", "Campaign", "classification", _text(100), kind="code"),
        _f("portal_login", "Portal login", "portal", _portal_login),
        _f("portal_force_change", "Force password change", "portal", _bool),
        _f("catv_socket", "CATV socket", "services", _text(64)),
        _f("billing_name", "Billing name", "billing", _text(), **_B),
        _f("billing_street", "Street", "billing address", _text(), **_B),
        _f("billing_city", "City", "billing address", _text(100), **_B),
        _f("billing_zip", "ZIP", "billing address", _zip, **_B),
        _f("billing_country", "Country", "billing address", _country, **_B),
        _f("ico", "Company ID (IČO)", "billing", _wrap(v.ico), **_B),
        _f("dic", "VAT ID (DIČ)", "billing", _wrap(v.dic), **_B),
        _f("bank_account", "Bank account", "billing", _wrap(v.bank_account), **_B),
        _f("iban", "IBAN", "billing", _wrap(v.iban), **_B),
        _f("bic", "BIC", "billing", _wrap(v.bic), **_B),
        _f("contract_returned_on", "Contract returned", "billing", _wrap(v.iso_date), **_B),
        _f("vs_alt1", "Assigned VS 1", "billing", _wrap(v.vs), **_B),
        _f("vs_alt2", "Assigned VS 2", "billing", _wrap(v.vs), **_B),
        _f("vs_alt3", "Assigned VS 3", "billing", _wrap(v.vs), **_B),
        _f("billing_group", "Billing group", "billing", _text(100), kind="billing_group", **_B),
        _f("payment_type", "Payment type", "billing", _text(100), kind="code", **_B),
        _f("due_days", "Invoice due days", "billing", _int, help="empty = global setting", **_B),
        _f("suspend_after_days", "Suspend after days", "billing", _int,
           help="empty = global setting", **_B),
        _f("never_suspend", "Never suspend", "billing", _bool, **_B),
        _f("invoice_by_post", "Invoices by post", "billing", _bool, **_B),
        _f("invoice_by_email", "Invoices by e-mail", "billing", _bool, **_B),
    ]
}

# Fields a code list backs, with the code list kind.
CODE_KINDS = {"status": "status", "campaign": "campaign", "payment_type": "payment_type",
              "groups": "group", "marks": "mark"}
EXTRA_PREFIX = "extra."


def spec(name: str) -> FieldSpec:
    try:
        return FIELDS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, FIELDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValidationError(name, f"unknown field{hint}; see 'ispterm customer fields'") from None


def form_text(card: Any, name: str) -> str:
    """A field's current value on a ``CustomerCard`` as text the parser accepts back unchanged,
    so an edit form can be pre-filled and only the fields the operator changed are sent."""
    from datetime import date

    if name == "gps":
        lat, lon = card.values.get("gps_lat"), card.values.get("gps_lon")
        return f"{lat}, {lon}" if lat is not None and lon is not None else ""
    if name.startswith(EXTRA_PREFIX):
        value = card.extras.get(name[len(EXTRA_PREFIX):])
    else:
        value = card.values.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
