"""Notes on a customer (NOT): internal only, optionally private or alerting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text

from ispterm.store.base import Field, SQLModel, time_field


class Note(SQLModel, table=True):
    __tablename__ = "note"
    # The private notes of others, asked by every history read (audit.service.visible_rows).
    __table_args__ = (Index("ix_note_private_author", "author_id", sqlite_where=text("private"),
                            postgresql_where=text("private")),)

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
