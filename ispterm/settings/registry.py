"""The system settings (OPS-2): their types, defaults and meaning.

Values live in the ``setting`` table as JSON; a key that has never been set reads as its
default here, so adding a setting needs no migration.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ispterm.errors import NotFound, ValidationError


@dataclass(frozen=True)
class SettingDef:
    """One setting. Every value it accepts must be one that every command reading it can
    use (a due-days of a million made every invoice fail), so each has a real range."""

    key: str
    type: str  # str, int, bool, decimal, email, emails, region, choice, url
    default: Any
    help: str
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    choices: tuple[str, ...] = ()


SETTINGS: dict[str, SettingDef] = {
    d.key: d
    for d in [
        SettingDef("phone_region", "region", "CZ", "default region for phone numbers without +code"),
        SettingDef("currency", "choice", "CZK", "currency of invoices and balances", choices=("CZK", "EUR")),
        # The customer number is the default VS (at most 10 digits) and a database integer
        # (PostgreSQL's holds 2,147,483,647): a first number below a billion leaves room to grow.
        SettingDef("customer_number_start", "int", 10001, "first customer number",
                   minimum=1, maximum=999_999_999),
        SettingDef("invoice_due_days", "int", 14, "days to pay an invoice (splatnost_faktur)",
                   minimum=0, maximum=365),
        SettingDef("suspend_enabled", "bool", False, "suspend non-payers automatically (pozastavit_neplatice)"),
        SettingDef("suspend_min_amount", "decimal", "100.00", "owed amount below which nobody is suspended",
                   minimum=Decimal("0.00"), maximum=Decimal("1000000.00")),
        SettingDef("suspend_days_after_due", "int", 14, "days after due before suspension",
                   minimum=0, maximum=365),
        # A long SMS is at most a few hundred characters; 1600 is ten concatenated parts.
        SettingDef("sms_divide_after_chars", "int", 0, "split SMS after N characters (0 = never)",
                   minimum=0, maximum=1600),
        SettingDef("portal_login_from_number", "bool", True, "portal login defaults to the customer number"),
        SettingDef("portal_force_password_change", "bool", True, "force a new password after first portal login"),
        SettingDef("ur_auth_request_mail", "email", "", "system address for portal authorization requests"),
        SettingDef("admin_email", "email", "", "system administrator notified of portal contact changes"),
        SettingDef("sender_addresses", "emails", "", "system addresses mail can be sent from"),
        SettingDef("external_client_link", "url", "", "URL template of the external card tab"),
        SettingDef("external_client_link_description", "str", "", "label of the external card tab",
                   maximum=100),
    ]
}


def definition(key: str) -> SettingDef:
    try:
        return SETTINGS[key]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(key, SETTINGS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise NotFound(f"unknown setting {key!r}{hint}; see 'ispterm settings list'") from None


def parse(key: str, raw: str) -> Any:
    """Turn text from the CLI or a form into the setting's typed (JSON-able) value."""
    from ispterm import validation

    d = definition(key)
    raw = raw.strip()
    if d.type == "int":
        if not re.fullmatch(r"[+-]?[0-9]{1,40}", raw):
            raise ValidationError(key, f"must be a whole number{_range(d)}, got {raw[:40]!r}")
        value = int(raw)
        _check_range(d, value)
        return value
    if d.type == "bool":
        flag = validation.boolean(raw, field=key)
        if flag is None:
            raise ValidationError(key, "must be yes or no")
        return flag
    if d.type == "decimal":
        amount = validation.decimal_money(raw, field=key)
        if amount is None:
            raise ValidationError(key, f"must be an amount like 100.00{_range(d)}")
        _check_range(d, amount)
        return str(amount)
    if d.type == "choice":
        choice = raw.upper()
        if choice not in d.choices:
            raise ValidationError(key, f"must be one of {', '.join(d.choices)}, got {raw[:40]!r}")
        return choice
    if d.type == "region":
        import phonenumbers

        region = raw.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationError(key, f"not a phone region code like CZ or SK: {raw[:40]!r}")
        return region
    if d.type == "email":
        return validation.email(raw, field=key) or ""
    if d.type == "emails":
        return validation.emails(raw, field=key) or ""
    if d.type == "url":
        text = validation.single_line(raw, field=key, max_len=1000) or ""
        if text and not re.match(r"https?://[^\s/]+", text):
            raise ValidationError(key, "must be an http:// or https:// address (placeholders like "
                                       "[id] may follow the host)")
        return text
    return validation.single_line(raw, field=key, max_len=int(d.maximum or 1000)) or ""


def _range(d: SettingDef) -> str:
    if d.minimum is not None and d.maximum is not None:
        return f" from {d.minimum} to {d.maximum}"
    return ""


def _check_range(d: SettingDef, value: int | Decimal) -> None:
    if d.minimum is not None and value < d.minimum:
        raise ValidationError(d.key, f"must be at least {d.minimum}, got {value}")
    if d.maximum is not None and value > d.maximum:
        raise ValidationError(d.key, f"must be at most {d.maximum}, got {value}")


def encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def decode(key: str, stored: str | None) -> Any:
    """The stored value; one stored before its range was enforced (or written by hand) and
    out of it now is an error naming the setting, never a crash further on."""
    d = SETTINGS[key]
    if stored is None:
        return d.default
    value = json.loads(stored)
    if d.type in ("int", "decimal"):
        try:
            _check_range(d, Decimal(str(value)))
        except ValidationError as exc:
            raise ValidationError(key, f"the stored value is out of range ({exc.why}); set it "
                                       f"again with 'ispterm settings set {key} VALUE'") from None
    return value


def describe(d: SettingDef) -> str:
    """The help line with the accepted values, as ``settings list`` shows it."""
    if d.choices:
        return f"{d.help} ({', '.join(d.choices)})"
    if d.type in ("int", "decimal") and d.minimum is not None and d.maximum is not None:
        return f"{d.help} ({d.minimum} to {d.maximum})"
    return d.help
