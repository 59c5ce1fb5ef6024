"""Billing records (BIL-3..7): the provider's companies, invoices, payments, allocations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, UniqueConstraint

from ispterm.store.base import Field, SQLModel, money_field, percent_field, time_field


class BillingGroup(SQLModel, table=True):
    """One of the provider's companies, with its own details and invoice number series."""

    __tablename__ = "billing_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    company_name: str = Field(default="", max_length=200)
    ico: str | None = Field(default=None, max_length=16)
    dic: str | None = Field(default=None, max_length=16)
    street: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    zip: str | None = Field(default=None, max_length=16)
    country: str = Field(default="CZ", max_length=2)
    bank_account: str | None = Field(default=None, max_length=40)
    iban: str | None = Field(default=None, max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    currency: str = Field(default="CZK", max_length=3)
    invoice_prefix: str = Field(default="", max_length=16)
    logo_path: str | None = Field(default=None, max_length=500)
    stamp_path: str | None = Field(default=None, max_length=500)
    is_default: bool = Field(default=False)
    active: bool = Field(default=True)


class Invoice(SQLModel, table=True):
    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("billing_group_id", "number"),
        Index("ix_invoice_customer_due", "customer_id", "due_on"),
        # A run invoices a customer once per period; NULL (hand invoices) never collides.
        UniqueConstraint("customer_id", "run_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    billing_group_id: int = Field(foreign_key="billing_group.id")
    number: str = Field(max_length=32)
    period: str | None = Field(default=None, max_length=7)
    issued_on: date
    due_on: date
    vs: str = Field(max_length=10)
    currency: str = Field(default="CZK", max_length=3)
    total: Decimal = money_field()
    vat_total: Decimal = money_field()
    # issued -> paid when allocations cover the total; cancelled never counts.
    status: str = Field(default="issued", max_length=16)
    paid_on: date | None = Field(default=None)
    created_at: datetime = time_field()
    created_by: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)
    # Set only on invoices made by the invoice run (YYYY-MM); cleared when cancelled.
    run_period: str | None = Field(default=None, max_length=7)


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    description: str = Field(max_length=200)
    quantity: int = Field(default=1)
    unit_price: Decimal = money_field()
    vat_rate: Decimal = percent_field(Decimal("21.00"))
    total: Decimal = money_field()
    # "item", or "rounding": the VAT-free difference to a whole-crown total (CZK).
    kind: str = Field(default="item", max_length=16)


class Payment(SQLModel, table=True):
    """Money received; ``customer_id`` is empty while a payment waits for manual matching."""

    __tablename__ = "payment"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    received_on: date
    amount: Decimal = money_field()
    currency: str = Field(default="CZK", max_length=3)
    vs: str | None = Field(default=None, max_length=10, index=True)
    payment_type_id: int | None = Field(default=None, foreign_key="code_item.id")
    source: str = Field(default="manual", max_length=16)
    bank_ref: str | None = Field(default=None, max_length=100, unique=True)
    counterparty: str | None = Field(default=None, max_length=200)
    message: str | None = Field(default=None, max_length=500)
    cancelled_at: datetime | None = time_field(nullable=True, default_now=False)
    created_at: datetime = time_field()
    created_by: str | None = Field(default=None, max_length=64)
    # The bank statement a payment was imported from (BIL-8); empty for payments entered by hand.
    statement_id: int | None = Field(default=None, foreign_key="bank_statement.id", index=True)


class PaymentAllocation(SQLModel, table=True):
    """The part of a payment that settles one invoice (oldest open invoice first)."""

    __tablename__ = "payment_allocation"

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount: Decimal = money_field()


class InvoiceSeries(SQLModel, table=True):
    """The last number issued in a billing group's series for one year.

    Issuing locks this row (FOR UPDATE; SQLite's immediate transaction serialises writers),
    so numbers stay gapless and unique when several processes issue at once.
    """

    __tablename__ = "invoice_series"

    billing_group_id: int = Field(foreign_key="billing_group.id", primary_key=True)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = Field(default=0)


class Suspension(SQLModel, table=True):
    """A non-payer's suspension (BIL-9): the status they had, so release can restore it."""

    __tablename__ = "suspension"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    previous_status_id: int | None = Field(default=None, foreign_key="code_item.id")
    owed: Decimal = money_field()
    suspended_at: datetime = time_field()
    suspended_by: str | None = Field(default=None, max_length=64)
    released_at: datetime | None = time_field(nullable=True, default_now=False)
    released_by: str | None = Field(default=None, max_length=64)
