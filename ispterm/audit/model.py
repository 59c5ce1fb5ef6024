"""The audit trail (HIS-1). Rows are append-only: database triggers refuse UPDATE and DELETE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index

from ispterm.store.base import Field, SQLModel, time_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_customer_at", "customer_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = time_field(index=True)
    operator: str = Field(max_length=64)
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    entity: str = Field(max_length=32)
    entity_id: int | None = Field(default=None)
    action: str = Field(max_length=32)
    field: str | None = Field(default=None, max_length=64)
    old: str | None = Field(default=None)
    new: str | None = Field(default=None)
    summary: str | None = Field(default=None)
    # Set for rows about a private note: only that operator and master admins see them.
    private_to: int | None = Field(default=None, foreign_key="operator.id")
