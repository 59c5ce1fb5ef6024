"""Billing groups (BIL-3): the provider's companies, each with its details and number series.

Values are checked with the same validators as the customer card (IČO, DIČ, IBAN, BIC,
Czech account); logo and stamp must be readable PNG or JPEG files, because the invoice PDF
embeds them and a broken path would only show up when an invoice is printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from ispterm import validation as v
from ispterm.billing.model import BillingGroup
from ispterm.context import Ctx
from ispterm.errors import NotFound, ValidationError, raise_collected
from ispterm.operators.roles import SETTINGS_EDIT

CURRENCIES = ("CZK", "EUR")
FIELDS = ("name", "company_name", "ico", "dic", "street", "city", "zip", "country",
          "bank_account", "iban", "bic", "email", "phone", "currency", "invoice_prefix",
          "logo_path", "stamp_path", "is_default", "active")


@dataclass(frozen=True)
class GroupView:
    id: int
    name: str
    company_name: str
    ico: str | None
    dic: str | None
    street: str | None
    city: str | None
    zip: str | None
    country: str
    bank_account: str | None
    iban: str | None
    bic: str | None
    email: str | None
    phone: str | None
    currency: str
    invoice_prefix: str
    logo_path: str | None
    stamp_path: str | None
    is_default: bool
    active: bool

    def to_json(self) -> dict:
        return dict(self.__dict__)


def view(g: BillingGroup) -> GroupView:
    return GroupView(**{name: getattr(g, name) for name in ("id", *FIELDS)})


def _image(raw: str, field: str) -> str | None:
    if not raw.strip():
        return None
    path = Path(raw.strip()).expanduser()
    if not path.is_file():
        raise ValidationError(field, f"no such file: {path}")
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        raise ValidationError(field, f"cannot read {path}: {exc.strerror}") from None
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        raise ValidationError(field, f"{path} is not a PNG or JPEG image")
    return str(path.resolve())


def _parse(name: str, raw: str):
    text = raw if raw is not None else ""
    if name in ("ico", "dic", "iban", "bic", "bank_account", "email"):
        return getattr(v, name)(text, field=name)
    if name == "zip":
        return v.zip_code(text, field=name)
    if name == "phone":
        return v.phone(text, field=name)
    if name == "currency":
        code = text.strip().upper()
        if code not in CURRENCIES:
            raise ValidationError("currency", f"choose one of {', '.join(CURRENCIES)}, got {raw!r}")
        return code
    if name == "country":
        code = text.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValidationError("country", f"a two-letter country code like CZ, got {raw!r}")
        return code
    if name == "invoice_prefix":
        prefix = text.strip()
        if not re.fullmatch(r"[A-Za-z/-]{0,8}", prefix):
            raise ValidationError("invoice_prefix", "letters, / and - only (at most 8); the year and "
                                                    "sequence follow it")
        return prefix.upper()
    if name in ("logo_path", "stamp_path"):
        return _image(text, name)
    if name in ("is_default", "active"):
        value = v.boolean(text, field=name)
        if value is None:
            raise ValidationError(name, "must be yes or no")
        return value
    if name in ("name", "company_name"):
        value = v.single_line(text, field=name, max_len=200 if name == "company_name" else 100)
        if not value:
            raise ValidationError(name, "must not be empty")
        return value
    return v.single_line(text, field=name, max_len=200)


def _apply(g: BillingGroup, values: dict[str, str]) -> None:
    errors: list[ValidationError] = []
    parsed = {}
    for name, raw in values.items():
        if name not in FIELDS:
            errors.append(ValidationError(name, f"unknown billing group field; use one of {', '.join(FIELDS)}"))
            continue
        try:
            parsed[name] = _parse(name, raw)
        except ValidationError as exc:
            errors.append(exc)
    raise_collected(errors)
    for name, value in parsed.items():
        setattr(g, name, value)
    if (g.currency == "EUR") and not g.iban and ("currency" in parsed or "iban" in parsed):
        raise ValidationError("iban", "a EUR group needs an IBAN for SEPA payments")


def list_groups(ctx: Ctx) -> list[GroupView]:
    with ctx.read() as s:
        return [view(g) for g in s.exec(select(BillingGroup).order_by(BillingGroup.name))]


def group_by_name(s, name: str) -> BillingGroup:
    from ispterm.settings.service import billing_group_by_name

    return billing_group_by_name(s, name)


def get_group(ctx: Ctx, name: str) -> GroupView:
    with ctx.read() as s:
        return view(group_by_name(s, name))


def add_group(ctx: Ctx, name: str, values: dict[str, str]) -> GroupView:
    ctx.require(SETTINGS_EDIT)
    with ctx.write() as s:
        g = BillingGroup(name="", company_name="")
        _apply(g, {"name": name, "company_name": values.get("company_name", name), **values})
        if s.exec(select(BillingGroup).where(BillingGroup.name == g.name)).first():
            raise ValidationError("name", f"billing group {g.name!r} exists already")
        _one_default(s, g)
        s.add(g)
        s.flush()
        return view(g)


def edit_group(ctx: Ctx, name: str, values: dict[str, str]) -> GroupView:
    ctx.require(SETTINGS_EDIT)
    if not values:
        raise ValidationError("set", "nothing to change; give --set FIELD=VALUE")
    with ctx.write() as s:
        g = group_by_name(s, name)
        _apply(g, values)
        clash = s.exec(select(BillingGroup).where(BillingGroup.name == g.name,
                                                  BillingGroup.id != g.id)).first()
        if clash:
            raise ValidationError("name", f"billing group {g.name!r} exists already")
        _one_default(s, g)
        return view(g)


def _one_default(s, g: BillingGroup) -> None:
    if g.is_default:
        for other in s.exec(select(BillingGroup).where(BillingGroup.is_default)):
            if other is not g:
                other.is_default = False


def require_group(s, group_id: int) -> BillingGroup:
    g = s.get(BillingGroup, group_id)
    if g is None:
        raise NotFound(f"billing group {group_id} does not exist")
    return g
