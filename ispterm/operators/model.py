"""Operators: the people who use ispterm, each with one role."""

from __future__ import annotations

from datetime import datetime

from ispterm.store.base import Field, SQLModel, time_field


class Operator(SQLModel, table=True):
    __tablename__ = "operator"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254)
    mobile: str | None = Field(default=None, max_length=32)
    role: str = Field(max_length=32)
    active: bool = Field(default=True)
    password_hash: str | None = Field(default=None, max_length=255)
    send_tasks_to_email: bool = Field(default=False)
    created_at: datetime = time_field()
    updated_at: datetime = time_field()
    updated_by: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)
