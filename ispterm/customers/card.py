"""Read models of customers: the list row and the whole card, as plain frozen data.

Screens and commands get these, never live ORM objects, so nothing lazy-loads in a UI
thread and a JSON dump is the same data the card shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ispterm.billing.balance import Standing, balances, standing
from ispterm.customers.model import (
    AdditionalValue,
    Contact,
    Customer,
    CustomerCode,
    CustomerManager,
    InventoryItem,
    Service,
    ServiceIp,
)
from ispterm.operators.model import Operator
from ispterm.settings.model import AdditionalField, CodeItem
from ispterm.store.rows import saved_id


@dataclass(frozen=True)
class Mark:
    name: str
    color: str | None


@dataclass(frozen=True)
class CustomerRow:
    id: int
    number: int
    name: str
    city: str | None
    status: str | None
    marks: tuple[Mark, ...]
    balance: Decimal
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ContactView:
    id: int
    name: str
    position: str | None
    email: str | None
    phone: str | None
    mobile: str | None
    billing_default: bool
    portal_access: bool
    portal_level: str | None
    portal_login: str | None
    note: str | None
    version: int


@dataclass(frozen=True)
class IpView:
    id: int
    address: str
    mac: str | None
    color: str | None


@dataclass(frozen=True)
class ServiceView:
    id: int
    plan: str
    price: Decimal
    vat_rate: Decimal
    active: bool
    started_on: date | None
    dns: str | None
    ips: tuple[IpView, ...]


@dataclass(frozen=True)
class InventoryView:
    name: str
    serial: str | None
    quantity: int
    cost: Decimal


@dataclass(frozen=True)
class CustomerCard:
    id: int
    number: int
    version: int
    values: dict[str, Any]
    status: str | None
    status_tag: str | None
    groups: tuple[str, ...]
    marks: tuple[Mark, ...]
    managers: tuple[str, ...]
    extras: dict[str, Any]
    contacts: tuple[ContactView, ...]
    services: tuple[ServiceView, ...]
    inventory: tuple[InventoryView, ...]
    standing: Standing
    parent_number: int | None
    alias_numbers: tuple[int, ...]
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None
    portal_last_login: datetime | None
    former: bool
    deleted: bool
    disconnect_on: date | None
    alert_count: int = 0
    gps_dms: str | None = None
    map_url: str | None = None
    inventory_total: Decimal = field(default=Decimal("0.00"))
    status_color: str | None = None
    # Only for a customer in the status tagged "suspended" (Non-payer), else None: True when
    # the suspension rule no longer holds for them, so the next suspension run releases them
    # (the run's own computation, for this customer); False when they stay suspended.
    release_due: bool | None = None
    # With release_due: one line saying why they are released or stay, e.g. "paid: the next
    # suspension run releases them (back to Connected)".
    suspension_hint: str | None = None

    @property
    def name(self) -> str:
        name: str = self.values["name"]
        return name

    @property
    def invoice_email(self) -> str | None:
        """Invoices go to the billing e-mail, or to the main one when that is empty."""
        return self.values.get("billing_email") or self.values.get("email")

    def to_json(self) -> dict[str, Any]:
        data = {
            "number": self.number,
            "name": self.name,
            "email": self.values.get("email"),
            "phone": self.values.get("phone"),
            "mobile": self.values.get("mobile"),
            "status": self.status,
            "balance": str(self.standing.balance),
            "scoring": self.standing.scoring,
            "average_scoring": str(self.standing.average_scoring),
            "version": self.version,
            "fields": {k: _jsonable(v) for k, v in self.values.items()},
            "groups": list(self.groups),
            "marks": [asdict(m) for m in self.marks],
            "managers": list(self.managers),
            "extras": {k: _jsonable(v) for k, v in self.extras.items()},
            "contacts": [_jsonable(asdict(c)) for c in self.contacts],
            "services": [_jsonable(asdict(s)) for s in self.services],
            "inventory": [_jsonable(asdict(i)) for i in self.inventory],
            "parent": self.parent_number,
            "aliases": list(self.alias_numbers),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
            "former": self.former,
            "deleted": self.deleted,
            "disconnect_on": _jsonable(self.disconnect_on),
            "alert_notes": self.alert_count,
            "gps_dms": self.gps_dms,
            "release_due": self.release_due,
            "suspension_hint": self.suspension_hint,
        }
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (Decimal,)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


_VALUE_FIELDS = [
    "legal_form", "name", "representative", "street", "city", "zip", "country", "floor", "flat",
    "mail_street", "mail_city", "mail_zip", "mail_country", "gps_lat", "gps_lon", "email",
    "billing_email", "tech_email", "business_email", "other_emails", "phone", "mobile", "www",
    "portal_login", "portal_force_change", "catv_socket", "billing_name", "billing_street",
    "billing_city", "billing_zip", "billing_country", "ico", "dic", "bank_account", "iban", "bic",
    "contract_returned_on", "vs_alt1", "vs_alt2", "vs_alt3", "due_days", "suspend_after_days",
    "never_suspend", "invoice_by_post", "invoice_by_email",
]


def _codes(session: Session, customer_id: int) -> list[CodeItem]:
    return list(session.exec(
        select(CodeItem).join(CustomerCode, col(CustomerCode.code_id) == col(CodeItem.id))
        .where(CustomerCode.customer_id == customer_id).order_by(col(CodeItem.sort), col(CodeItem.name))
    ))


def load_card(session: Session, c: Customer, *, alert_count: int = 0,
              today: date | None = None) -> CustomerCard:
    """The card; ``today`` (the Ctx's date) is needed for ``release_due``, which is left None
    without it."""
    from ispterm import validation

    customer_id = saved_id(c.id)
    values = {name: getattr(c, name) for name in _VALUE_FIELDS}
    status = session.get(CodeItem, c.status_id) if c.status_id else None
    campaign = session.get(CodeItem, c.campaign_id) if c.campaign_id else None
    payment_type = session.get(CodeItem, c.payment_type_id) if c.payment_type_id else None
    from ispterm.billing.model import BillingGroup

    group = session.get(BillingGroup, c.billing_group_id)
    values["status"] = status.name if status else None
    values["campaign"] = campaign.name if campaign else None
    values["payment_type"] = payment_type.name if payment_type else None
    values["billing_group"] = group.name if group else None
    codes = _codes(session, customer_id)
    values["groups"] = ", ".join(i.name for i in codes if i.kind == "group")
    values["marks"] = ", ".join(i.name for i in codes if i.kind == "mark")
    managers = tuple(session.exec(
        select(Operator.login).join(CustomerManager, col(CustomerManager.operator_id) == col(Operator.id))
        .where(CustomerManager.customer_id == customer_id).order_by(Operator.login)
    ))
    values["managers"] = ", ".join(managers)
    levels = {i.id: i.name for i in session.exec(select(CodeItem).where(CodeItem.kind == "portal_level"))}
    contacts = tuple(
        ContactView(saved_id(k.id), k.name, k.position, k.email, k.phone, k.mobile, k.billing_default,
                    k.portal_access, levels.get(k.portal_level_id), k.portal_login, k.note, k.version)
        for k in session.exec(select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.name))
    )
    services = []
    for s in session.exec(select(Service).where(Service.customer_id == customer_id)
                          .order_by(col(Service.id))):
        ips = tuple(IpView(saved_id(i.id), i.address, i.mac, i.color) for i in session.exec(
            select(ServiceIp).where(ServiceIp.service_id == s.id).order_by(col(ServiceIp.id))))
        services.append(ServiceView(saved_id(s.id), s.plan, s.price, s.vat_rate, s.active, s.started_on, s.dns, ips))
    inventory = tuple(InventoryView(i.name, i.serial, i.quantity, i.cost) for i in session.exec(
        select(InventoryItem).where(InventoryItem.customer_id == customer_id)
        .order_by(col(InventoryItem.id))))
    extras: dict[str, Any] = {}
    for f, value in session.exec(
        select(AdditionalField, AdditionalValue.value)
        .join(AdditionalValue, col(AdditionalValue.field_id) == col(AdditionalField.id))
        .where(AdditionalValue.customer_id == customer_id)
        .order_by(col(AdditionalField.sort), col(AdditionalField.name))
    ):
        extras[f.name] = value
    parent = session.get(Customer, c.parent_id) if c.parent_id else None
    aliases = tuple(session.exec(select(Customer.number).where(Customer.parent_id == customer_id)
                                 .order_by(col(Customer.number))))
    release_due = hint = None
    if today is not None and status is not None and status.tag == "suspended":
        from ispterm.billing.suspension import card_state

        verdict = card_state(session, customer_id, today)
        release_due, hint = verdict.release_due, verdict.hint
    gps_dms = map_url = None
    if c.gps_lat is not None and c.gps_lon is not None:
        gps_dms = validation.gps_dms(c.gps_lat, c.gps_lon)
        map_url = f"https://www.openstreetmap.org/?mlat={c.gps_lat}&mlon={c.gps_lon}#map=18/{c.gps_lat}/{c.gps_lon}"
    return CustomerCard(
        id=customer_id, number=c.number, version=c.version, values=values,
        status=values["status"], status_tag=status.tag if status else None,
        groups=tuple(i.name for i in codes if i.kind == "group"),
        marks=tuple(Mark(i.name, i.color) for i in codes if i.kind == "mark"),
        managers=managers, extras=extras, contacts=contacts, services=tuple(services),
        inventory=inventory, standing=standing(session.connection(), customer_id),
        parent_number=parent.number if parent else None, alias_numbers=aliases,
        created_at=c.created_at, created_by=c.created_by, updated_at=c.updated_at,
        updated_by=c.updated_by, portal_last_login=c.portal_last_login, former=c.former,
        deleted=c.deleted_at is not None, disconnect_on=c.disconnect_on, alert_count=alert_count,
        gps_dms=gps_dms, map_url=map_url,
        inventory_total=sum((i.cost * i.quantity for i in inventory), Decimal("0.00")),
        status_color=status.color if status else None,
        release_due=release_due, suspension_hint=hint,
    )


def load_rows(session: Session, ids: list[int]) -> list[CustomerRow]:
    """List rows for these ids, in the given order, with marks and balances batched."""
    if not ids:
        return []
    # Only the list's columns: a whole Customer entity per row costs more than the query.
    customers = {r.id: r for r in session.connection().execute(
        core_select(col(Customer.id), col(Customer.number), col(Customer.name), col(Customer.city),
                    col(Customer.status_id), col(Customer.email), col(Customer.mobile),
                    col(Customer.phone)).where(col(Customer.id).in_(ids)))}
    statuses = {i.id: i.name for i in session.exec(select(CodeItem).where(CodeItem.kind == "status"))}
    marks: dict[int, list[Mark]] = {}
    for cid, name, color in session.connection().execute(
        select(col(CustomerCode.customer_id), col(CodeItem.name), col(CodeItem.color))
        .join(CodeItem, col(CodeItem.id) == col(CustomerCode.code_id))
        .where(col(CustomerCode.customer_id).in_(ids), col(CodeItem.kind) == "mark")
        .order_by(col(CodeItem.sort))
    ):
        marks.setdefault(cid, []).append(Mark(name, color))
    money = balances(session.connection(), ids)
    rows = []
    for cid in ids:
        c = customers.get(cid)
        if c is None:
            continue
        rows.append(CustomerRow(c.id, c.number, c.name, c.city, statuses.get(c.status_id),
                                tuple(marks.get(cid, ())), money[cid], c.email, c.mobile or c.phone))
    return rows
