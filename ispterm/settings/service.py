"""Settings and code lists: read by everyone, changed only with settings.edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ispterm.billing.model import BillingGroup
from ispterm.context import Ctx
from ispterm.errors import NotFound, ValidationError
from ispterm.operators.roles import SETTINGS_EDIT
from ispterm.settings import registry
from ispterm.settings.model import CODE_KINDS, AdditionalField, CodeItem, Setting
from ispterm.store.rows import saved_id

# The default billing group's company name until an operator fills in the real one.
PLACEHOLDER_COMPANY = "Our ISP s.r.o."

DEFAULT_CODES: dict[str, list[dict[str, Any]]] = {
    "status": [
        {"name": "Connected", "tag": "connected", "is_default": True, "color": "green"},
        {"name": "Limited", "tag": "limited", "color": "yellow"},
        {"name": "Non-payer", "tag": "suspended", "color": "red"},
        {"name": "Disconnected", "tag": "disconnected", "color": "bright_black"},
        {"name": "Potential", "tag": "prospect", "color": "cyan"},
    ],
    "group": [{"name": "Residential", "is_default": True}, {"name": "Business"},
              {"name": "Employees"}, {"name": "Municipality"}],
    "mark": [{"name": "VIP", "color": "yellow"}, {"name": "Problem", "color": "red"},
             {"name": "New", "color": "green"}, {"name": "Reseller", "color": "magenta"}],
    "payment_type": [{"name": "Bank transfer", "is_default": True}, {"name": "Cash"},
                     {"name": "Direct debit"}, {"name": "Card"}],
    "campaign": [{"name": "Leaflet"}, {"name": "Website"}, {"name": "Recommendation"}],
    "task_type": [{"name": "Installation", "customer_field": True},
                  {"name": "Fault repair", "customer_field": True},
                  {"name": "Relocation", "customer_field": True},
                  {"name": "Network maintenance"}],
    "portal_level": [{"name": "Basic", "is_default": True}, {"name": "Invoices"}, {"name": "Full"}],
}


@dataclass(frozen=True)
class SettingView:
    key: str
    value: Any
    default: Any
    help: str
    updated_by: str | None


@dataclass(frozen=True)
class Code:
    id: int
    kind: str
    name: str
    color: str | None
    is_default: bool
    tag: str | None
    customer_field: bool


def seed_defaults(session: Session, *, phone_region: str | None = None) -> None:
    """Create the default code lists and billing group where missing (idempotent)."""
    session.info["audit"] = False
    for kind, items in DEFAULT_CODES.items():
        existing = set(session.exec(select(CodeItem.name).where(CodeItem.kind == kind)))
        for sort, item in enumerate(items):
            if item["name"] not in existing:
                session.add(CodeItem(kind=kind, sort=sort, **item))
    if session.exec(select(BillingGroup.id)).first() is None:
        session.add(BillingGroup(name="Main", company_name=PLACEHOLDER_COMPANY, currency="CZK",
                                 invoice_prefix="", is_default=True))
    if phone_region and session.get(Setting, "phone_region") is None:
        session.add(Setting(key="phone_region", value=registry.encode(registry.parse("phone_region", phone_region))))


def get_value(session: Session, key: str) -> Any:
    registry.definition(key)
    row = session.get(Setting, key)
    return registry.decode(key, row.value if row else None)


def list_settings(ctx: Ctx) -> list[SettingView]:
    with ctx.read() as s:
        rows = {r.key: r for r in s.exec(select(Setting))}
    out = []
    for key, d in sorted(registry.SETTINGS.items()):
        row = rows.get(key)
        try:
            value = registry.decode(key, row.value if row else None)
        except ValidationError as exc:  # listed as it is, so it can be seen and set again
            value = f"{row.value if row else ''} ({exc.why.split(';')[0]})"
        out.append(SettingView(key, value, d.default, registry.describe(d),
                               row.updated_by if row else None))
    return out


def get_setting(ctx: Ctx, key: str) -> Any:
    with ctx.read() as s:
        return get_value(s, key)


def set_setting(ctx: Ctx, key: str, raw: str) -> Any:
    ctx.require(SETTINGS_EDIT)
    value = registry.parse(key, raw)
    with ctx.write() as s:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=registry.encode(value)))
        else:
            row.value = registry.encode(value)
    return value


def _code(item: CodeItem) -> Code:
    return Code(saved_id(item.id), item.kind, item.name, item.color, item.is_default, item.tag, item.customer_field)


def list_codes(ctx: Ctx, kind: str) -> list[Code]:
    _check_kind(kind)
    with ctx.read() as s:
        items = s.exec(select(CodeItem).where(CodeItem.kind == kind, CodeItem.active)
                       .order_by(col(CodeItem.sort), col(CodeItem.name)))
        return [_code(i) for i in items]


def check_color(raw: str | None, *, field: str = "color") -> str | None:
    """A colour a terminal can show: a name (``red``, ``bright_black``), ``#rrggbb``,
    ``rgb(r,g,b)`` or ``color(N)``. The app styles statuses and marks with it, and a word
    that is no colour would fail there, on every screen that shows the code."""
    text = (raw or "").strip().lower()
    if not text:
        return None
    from rich.color import Color, ColorParseError

    try:
        if len(text) > 32:
            raise ColorParseError(text)
        Color.parse(text)
    except ColorParseError:
        raise ValidationError(field, f"not a colour: {(raw or '')[:40]!r} (use a name like red or "
                                     "bright_black, or #rrggbb)") from None
    if text == "default":
        raise ValidationError(field, "'default' is no colour; leave it empty for none")
    return text


def add_code(ctx: Ctx, kind: str, name: str, *, color: str | None = None) -> Code:
    from ispterm import validation

    ctx.require(SETTINGS_EDIT)
    _check_kind(kind)
    checked_name = validation.single_line(name, field="name", max_len=100)
    if not checked_name:
        raise ValidationError("name", "must not be empty")
    name = checked_name
    color = check_color(color)
    with ctx.write() as s:
        if s.exec(select(CodeItem).where(CodeItem.kind == kind, CodeItem.name == name)).first():
            raise ValidationError("name", f"{kind} {name!r} exists already")
        sort = len(s.exec(select(CodeItem.id).where(CodeItem.kind == kind)).all())
        item = CodeItem(kind=kind, name=name, color=color, sort=sort)
        s.add(item)
        s.flush()
        return _code(item)


def _check_kind(kind: str) -> None:
    if kind not in CODE_KINDS:
        raise ValidationError("kind", f"unknown code list {kind!r}; choose one of {', '.join(CODE_KINDS)}")


def code_by_name(session: Session, kind: str, name: str, *, field: str) -> CodeItem:
    """Find a code item by name, case- and accent-insensitively; the error lists the choices."""
    from ispterm.store.search import fold

    items = session.exec(select(CodeItem).where(CodeItem.kind == kind, CodeItem.active)).all()
    wanted = fold(name)
    for item in items:
        if fold(item.name) == wanted:
            return item
    choices = ", ".join(sorted(i.name for i in items)) or "none defined"
    raise ValidationError(field, f"unknown {kind.replace('_', ' ')} {name!r}; choose from {choices}")


def default_code(session: Session, kind: str) -> CodeItem | None:
    return session.exec(select(CodeItem).where(CodeItem.kind == kind, CodeItem.is_default)).first()


def billing_group_by_name(session: Session, name: str) -> BillingGroup:
    from ispterm.store.search import fold

    groups = session.exec(select(BillingGroup).where(BillingGroup.active)).all()
    for group in groups:
        if fold(group.name) == fold(name):
            return group
    choices = ", ".join(sorted(g.name for g in groups))
    raise ValidationError("billing_group", f"unknown billing group {name!r}; choose from {choices}")


def default_billing_group(session: Session) -> BillingGroup:
    group = session.exec(select(BillingGroup).where(BillingGroup.is_default)).first()
    group = group or session.exec(select(BillingGroup).order_by(col(BillingGroup.id))).first()
    if group is None:
        raise NotFound("no billing group is defined; run 'ispterm init'")
    return group


def list_additional_fields(session: Session) -> list[AdditionalField]:
    return list(session.exec(select(AdditionalField).where(AdditionalField.active)
                             .order_by(col(AdditionalField.sort), col(AdditionalField.name))))


ADDITIONAL_TYPES = ("text", "int", "decimal", "date", "bool", "choice")


def add_additional_field(ctx: Ctx, name: str, label: str, type_: str = "text", *,
                         choices: str | None = None, for_person: bool = True,
                         for_company: bool = True, for_contact: bool = False) -> AdditionalField:
    import re

    ctx.require(SETTINGS_EDIT)
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name or ""):
        raise ValidationError("name", "use lowercase letters, digits and _ (e.g. contract_no)")
    if type_ not in ADDITIONAL_TYPES:
        raise ValidationError("type", f"unknown type {type_!r}; choose one of {', '.join(ADDITIONAL_TYPES)}")
    if type_ == "choice" and not (choices or "").strip():
        raise ValidationError("choices", "a choice field needs its choices, comma separated")
    from ispterm import validation

    checked_label = validation.single_line(label or "", field="label", max_len=100)
    choices = validation.single_line(choices or "", field="choices", max_len=1000)
    with ctx.write() as s:
        if s.exec(select(AdditionalField).where(AdditionalField.name == name)).first():
            raise ValidationError("name", f"additional field {name!r} exists already")
        field = AdditionalField(name=name, label=checked_label or name, type=type_, choices=choices,
                                for_person=for_person, for_company=for_company,
                                for_contact=for_contact)
        s.add(field)
        s.flush()
        return field
