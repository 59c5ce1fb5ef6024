"""The system settings (OPS-2): their types, defaults and meaning.

Values live in the ``setting`` table as JSON; a key that has never been set reads as its
default here, so adding a setting needs no migration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ispterm.errors import NotFound, ValidationError


@dataclass(frozen=True)
class SettingDef:
    key: str
    type: str  # str, int, bool, decimal, email, emails, region
    default: Any
    help: str
    minimum: int | None = None


SETTINGS: dict[str, SettingDef] = {
    d.key: d
    for d in [
        SettingDef("phone_region", "region", "CZ", "default region for phone numbers without +code"),
        SettingDef("currency", "str", "CZK", "currency of invoices and balances"),
        SettingDef("customer_number_start", "int", 10001, "first customer number", minimum=1),
        SettingDef("invoice_due_days", "int", 14, "days to pay an invoice (splatnost_faktur)", minimum=0),
        SettingDef("suspend_enabled", "bool", False, "suspend non-payers automatically (pozastavit_neplatice)"),
        SettingDef("suspend_min_amount", "decimal", "100.00", "owed amount below which nobody is suspended"),
        SettingDef("suspend_days_after_due", "int", 14, "days after due before suspension", minimum=0),
        SettingDef("sms_divide_after_chars", "int", 0, "split SMS after N characters (0 = never)", minimum=0),
        SettingDef("portal_login_from_number", "bool", True, "portal login defaults to the customer number"),
        SettingDef("portal_force_password_change", "bool", True, "force a new password after first portal login"),
        SettingDef("ur_auth_request_mail", "email", "", "system address for portal authorization requests"),
        SettingDef("admin_email", "email", "", "system administrator notified of portal contact changes"),
        SettingDef("sender_addresses", "emails", "", "system addresses mail can be sent from"),
        SettingDef("external_client_link", "str", "", "URL template of the external card tab"),
        SettingDef("external_client_link_description", "str", "", "label of the external card tab"),
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
    d = definition(key)
    raw = raw.strip()
    if d.type == "int":
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError(key, f"must be a whole number, got {raw!r}") from None
        if d.minimum is not None and value < d.minimum:
            raise ValidationError(key, f"must be at least {d.minimum}, got {value}")
        return value
    if d.type == "bool":
        from ispterm import validation

        value = validation.boolean(raw, field=key)
        if value is None:
            raise ValidationError(key, "must be yes or no")
        return value
    if d.type == "decimal":
        try:
            amount = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(key, f"must be an amount like 100.00, got {raw!r}") from None
        if not amount.is_finite() or amount < 0:
            raise ValidationError(key, f"must be a non-negative amount, got {raw!r}")
        return str(amount.quantize(Decimal("0.01")))
    if d.type == "region":
        import phonenumbers

        region = raw.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationError(key, f"not a phone region code like CZ or SK: {raw!r}")
        return region
    if d.type == "email":
        from ispterm import validation

        return validation.email(raw, field=key) or ""
    if d.type == "emails":
        from ispterm import validation

        return validation.emails(raw, field=key) or ""
    from ispterm import validation

    return validation.single_line(raw, field=key, max_len=1000) or ""


def encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def decode(key: str, stored: str | None) -> Any:
    if stored is None:
        return SETTINGS[key].default
    return json.loads(stored)
