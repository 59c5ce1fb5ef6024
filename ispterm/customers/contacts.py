"""Contact persons of a customer (INF-7) and the customer's services with IPs (INF-11)."""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from ispterm import validation as v
from ispterm.context import Ctx
from ispterm.customers.card import ContactView, ServiceView, load_card
from ispterm.customers.lookup import customer_by_number
from ispterm.customers.model import Contact, Customer, Service, ServiceIp
from ispterm.errors import Conflict, NotFound, ValidationError, raise_collected
from ispterm.operators.roles import BILLING_EDIT, CUSTOMER_EDIT, SERVICE_EDIT
from ispterm.settings.service import code_by_name, get_value
from ispterm.store.rows import referenced, saved_id

CONTACT_FIELDS = ("name", "position", "email", "phone", "mobile", "billing_default",
                  "portal_access", "portal_level", "note")
# Contact fields whose change needs more than editing the customer: the default billing
# contacts receive the invoices and statements (BIL-10), which is billing data.
CONTACT_PERMISSIONS = {"billing_default": BILLING_EDIT}
_MAC = re.compile(r"^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$")


def _contact_values(ctx: Ctx, s: Session, values: dict[str, str]) -> dict[str, Any]:
    region = get_value(s, "phone_region")
    out: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for key, raw in values.items():
        try:
            if key not in CONTACT_FIELDS:
                raise ValidationError(key, f"unknown contact field; use one of {', '.join(CONTACT_FIELDS)}")
            ctx.require(CONTACT_PERMISSIONS.get(key, CUSTOMER_EDIT))
            if key == "name":
                value = v.single_line(raw, field=key)
                if not value:
                    raise ValidationError(key, "must not be empty")
                out[key] = value
            elif key == "email":
                out[key] = v.email(raw, field=key)
            elif key in ("phone", "mobile"):
                out[key] = v.phone(raw, field=key, region=region)
            elif key in ("billing_default", "portal_access"):
                out[key] = bool(v.boolean(raw, field=key))
            elif key == "portal_level":
                out["portal_level_id"] = code_by_name(s, "portal_level", raw, field=key).id if raw.strip() else None
            elif key == "note":
                out[key] = v.text_block(raw, field=key, max_len=2000)
            else:
                out[key] = v.single_line(raw, field=key, max_len=100)
        except ValidationError as exc:
            errors.append(exc)
    raise_collected(errors)
    return out


def _view(s: Session, k: Contact) -> ContactView:
    card_contacts = load_card(s, referenced(s, Customer, k.customer_id)).contacts
    return next(c for c in card_contacts if c.id == k.id)


def add_contact(ctx: Ctx, number: int, values: dict[str, str]) -> ContactView:
    ctx.require(CUSTOMER_EDIT)
    if not values.get("name", "").strip():
        raise ValidationError("name", "a contact needs a name")
    with ctx.write() as s:
        c = customer_by_number(s, number)
        contact = Contact(customer_id=saved_id(c.id), name="", updated_by=ctx.actor.login)
        for key, value in _contact_values(ctx, s, values).items():
            setattr(contact, key, value)
        s.add(contact)
        s.flush()
        return _view(s, contact)


def _locked_contact(ctx: Ctx, s: Session, contact_id: int, expected_version: int | None) -> Contact:
    contact = s.exec(select(Contact).where(Contact.id == contact_id).with_for_update()).first()
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist")
    if expected_version is not None and contact.version != expected_version:
        raise Conflict(f"contact {contact.name}", contact.updated_by, contact.updated_at)
    return contact


def edit_contact(ctx: Ctx, contact_id: int, values: dict[str, str], *,
                 expected_version: int | None = None) -> ContactView:
    ctx.require(CUSTOMER_EDIT)
    with ctx.write() as s:
        contact = _locked_contact(ctx, s, contact_id, expected_version)
        for key, value in _contact_values(ctx, s, values).items():
            setattr(contact, key, value)
        s.flush()
        return _view(s, contact)


def delete_contact(ctx: Ctx, contact_id: int, *, expected_version: int | None = None) -> None:
    ctx.require(CUSTOMER_EDIT)
    with ctx.write() as s:
        s.delete(_locked_contact(ctx, s, contact_id, expected_version))


def _ip(raw: str) -> str:
    try:
        if "/" in raw:
            return str(ipaddress.ip_network(raw.strip(), strict=False))
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        raise ValidationError("ip", f"not an IP address or subnet: {raw!r}") from None


def _mac(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    value = raw.strip().lower()
    if not _MAC.match(value):
        raise ValidationError("mac", f"not a MAC address like 00:11:22:33:44:55: {raw!r}")
    digits = re.sub(r"[:-]", "", value)
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def add_service(ctx: Ctx, number: int, plan: str, price: str, *, vat_rate: str = "21",
                ips: list[str] | None = None, mac: str | None = None, dns: str | None = None) -> ServiceView:
    """A service with its IP addresses; an address may belong to one service only."""
    ctx.require(SERVICE_EDIT)
    checked_plan = v.single_line(plan or "", field="plan", max_len=100)
    if not checked_plan:
        raise ValidationError("plan", "a service needs a plan name")
    plan = checked_plan
    amount = v.decimal_money(price, field="price")
    if amount is None or amount < 0:
        raise ValidationError("price", "must be an amount of 0 or more")
    rate = v.decimal_money(vat_rate, field="vat_rate") or Decimal("0.00")
    addresses = [_ip(a) for a in (ips or [])]
    mac_value = _mac(mac)
    with ctx.write() as s:
        c = customer_by_number(s, number)
        for address in addresses:
            owner = s.exec(select(Customer.number).join(Service, col(Service.customer_id) == col(Customer.id))
                           .join(ServiceIp, col(ServiceIp.service_id) == col(Service.id))
                           .where(ServiceIp.address == address)).first()
            if owner is not None:
                raise ValidationError("ip", f"{address} is already used by customer {owner}")
        service = Service(customer_id=saved_id(c.id), plan=plan, price=amount, vat_rate=rate, dns=dns,
                          started_on=ctx.today())  # the local date: today in Prague
        s.add(service)
        s.flush()
        for address in addresses:
            s.add(ServiceIp(service_id=saved_id(service.id), address=address, mac=mac_value))
        s.flush()
        return next(x for x in load_card(s, c).services if x.id == service.id)
