"""Notes on a customer (NOT): internal only, optionally private or alerting."""

from __future__ import annotations

from datetime import datetime

from ispterm.store.base import Field, SQLModel, time_field


class Note(SQLModel, table=True):
    __tablename__ = "note"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    author_id: int = Field(foreign_key="operator.id")
    text: str
    private: bool = Field(default=False)
    alert: bool = Field(default=False)
    created_at: datetime = time_field()
    updated_at: datetime = time_field()
    updated_by: str | None = Field(default=None, max_length=64)
    deleted_at: datetime | None = time_field(nullable=True, default_now=False)
    deleted_by: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)
