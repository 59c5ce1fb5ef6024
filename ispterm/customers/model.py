"""The customer (INF, BIL-1..4) and the records that hang on it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import String, UniqueConstraint

from ispterm.store.base import Field, SQLModel, money_field, percent_field, time_field

# Bytewise order on both databases, so prefix ranges use the index.
NAME_KEY_TYPE = String(200).with_variant(String(200, collation="C"), "postgresql")


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    legal_form: str = Field(default="person", max_length=16)
    name: str = Field(max_length=200, index=True)
    # The name folded for search (no accents, lowercase): "starts with" lookups use its index.
    name_key: str | None = Field(default=None, index=True, sa_type=NAME_KEY_TYPE)
    representative: str | None = Field(default=None, max_length=200)
    # Service (installation) address, INF-3.
    street: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    zip: str | None = Field(default=None, max_length=16)
    country: str = Field(default="CZ", max_length=2)
    floor: int | None = Field(default=None)
    flat: str | None = Field(default=None, max_length=32)
    # Mailing address.
    mail_street: str | None = Field(default=None, max_length=200)
    mail_city: str | None = Field(default=None, max_length=100)
    mail_zip: str | None = Field(default=None, max_length=16)
    mail_country: str | None = Field(default=None, max_length=2)
    gps_lat: float | None = Field(default=None)
    gps_lon: float | None = Field(default=None)
    # Contact, INF-5.
    email: str | None = Field(default=None, max_length=254)
    billing_email: str | None = Field(default=None, max_length=254)
    tech_email: str | None = Field(default=None, max_length=254)
    business_email: str | None = Field(default=None, max_length=254)
    other_emails: str | None = Field(default=None, max_length=1000)
    phone: str | None = Field(default=None, max_length=32)
    mobile: str | None = Field(default=None, max_length=32)
    www: str | None = Field(default=None, max_length=200)
    # Classification, INF-6.
    status_id: int | None = Field(default=None, foreign_key="code_item.id")
    campaign_id: int | None = Field(default=None, foreign_key="code_item.id")
    # Portal, POR-1 / INF-10.
    portal_login: str | None = Field(default=None, max_length=64, unique=True)
    portal_password_hash: str | None = Field(default=None, max_length=255)
    portal_force_change: bool = Field(default=True)
    portal_last_login: datetime | None = time_field(nullable=True, default_now=False)
    catv_socket: str | None = Field(default=None, max_length=64)
    # Lifecycle, INF-9.
    parent_id: int | None = Field(default=None, foreign_key="customer.id")
    disconnect_on: date | None = Field(default=None)
    former: bool = Field(default=False)
    deleted_at: datetime | None = time_field(nullable=True, default_now=False)
    # Billing data, BIL-1..4.
    billing_name: str | None = Field(default=None, max_length=200)
    billing_street: str | None = Field(default=None, max_length=200)
    billing_city: str | None = Field(default=None, max_length=100)
    billing_zip: str | None = Field(default=None, max_length=16)
    billing_country: str | None = Field(default=None, max_length=2)
    ico: str | None = Field(default=None, max_length=16)
    dic: str | None = Field(default=None, max_length=16)
    bank_account: str | None = Field(default=None, max_length=40)
    iban: str | None = Field(default=None, max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    contract_returned_on: date | None = Field(default=None)
    vs_alt1: str | None = Field(default=None, max_length=10, index=True)
    vs_alt2: str | None = Field(default=None, max_length=10, index=True)
    vs_alt3: str | None = Field(default=None, max_length=10, index=True)
    billing_group_id: int = Field(foreign_key="billing_group.id")
    payment_type_id: int | None = Field(default=None, foreign_key="code_item.id")
    due_days: int | None = Field(default=None)
    suspend_after_days: int | None = Field(default=None)
    never_suspend: bool = Field(default=False)
    invoice_by_post: bool = Field(default=False)
    invoice_by_email: bool = Field(default=True)
    # Bookkeeping, INF-10.
    created_at: datetime = time_field()
    created_by: str | None = Field(default=None, max_length=64)
    updated_at: datetime = time_field()
    updated_by: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)


class CustomerCode(SQLModel, table=True):
    """Many-to-many link of a customer to code items of kind group or mark."""

    __tablename__ = "customer_code"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    code_id: int = Field(foreign_key="code_item.id", primary_key=True, index=True)


class CustomerManager(SQLModel, table=True):
    __tablename__ = "customer_manager"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", primary_key=True)


class Contact(SQLModel, table=True):
    """A contact person of the customer (INF-7), optionally with portal access."""

    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=200)
    position: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    mobile: str | None = Field(default=None, max_length=32)
    billing_default: bool = Field(default=False)
    portal_access: bool = Field(default=False)
    portal_level_id: int | None = Field(default=None, foreign_key="code_item.id")
    portal_login: str | None = Field(default=None, max_length=64, unique=True)
    portal_password_hash: str | None = Field(default=None, max_length=255)
    note: str | None = Field(default=None)
    created_at: datetime = time_field()
    updated_at: datetime = time_field()
    updated_by: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)


class AdditionalValue(SQLModel, table=True):
    __tablename__ = "additional_value"
    __table_args__ = (UniqueConstraint("customer_id", "field_id"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    field_id: int = Field(foreign_key="additional_field.id")
    value: str | None = Field(default=None)


class Service(SQLModel, table=True):
    """A service the customer buys (INF-11): the invoice run bills active ones."""

    __tablename__ = "service"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    plan: str = Field(max_length=100)
    # Monthly price including VAT (ISPs quote gross prices to households).
    price: Decimal = money_field()
    vat_rate: Decimal = percent_field(Decimal("21.00"))
    active: bool = Field(default=True)
    started_on: date | None = Field(default=None)
    ended_on: date | None = Field(default=None)
    dns: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None)
    version: int = Field(default=1)


class ServiceIp(SQLModel, table=True):
    __tablename__ = "service_ip"

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    address: str = Field(max_length=64, index=True)
    mac: str | None = Field(default=None, max_length=17)
    color: str | None = Field(default=None, max_length=32)


class InventoryItem(SQLModel, table=True):
    __tablename__ = "inventory_item"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=200)
    serial: str | None = Field(default=None, max_length=100)
    quantity: int = Field(default=1)
    cost: Decimal = money_field()


class PortalLogin(SQLModel, table=True):
    """One portal sign-in attempt (HIS-2)."""

    __tablename__ = "portal_login"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    at: datetime = time_field()
    address: str | None = Field(default=None, max_length=64)
    success: bool = Field(default=True)
