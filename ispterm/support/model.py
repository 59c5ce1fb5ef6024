"""Tech support records: tasks (SUP-1) and the communication timeline (SUP-2)."""

from __future__ import annotations

from datetime import date, datetime

from ispterm.store.base import Field, SQLModel, time_field

TASK_STATUSES = ("new", "in_progress", "waiting", "done", "cancelled")
TASK_PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("email", "sms", "call", "portal", "visit")


class Task(SQLModel, table=True):
    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    type_id: int | None = Field(default=None, foreign_key="code_item.id")
    title: str = Field(max_length=200)
    description: str | None = Field(default=None)
    status: str = Field(default="new", max_length=16, index=True)
    priority: str = Field(default="normal", max_length=16)
    due_on: date | None = Field(default=None)
    created_at: datetime = time_field()
    created_by: str | None = Field(default=None, max_length=64)
    updated_at: datetime = time_field()
    updated_by: str | None = Field(default=None, max_length=64)
    closed_at: datetime | None = time_field(nullable=True, default_now=False)
    version: int = Field(default=1)


class TaskAssignee(SQLModel, table=True):
    __tablename__ = "task_assignee"

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", primary_key=True)


class TaskAttachment(SQLModel, table=True):
    __tablename__ = "task_attachment"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    filename: str = Field(max_length=255)
    size: int = Field(default=0)
    content: bytes = Field(default=b"")
    created_at: datetime = time_field()
    created_by: str | None = Field(default=None, max_length=64)


class Communication(SQLModel, table=True):
    """One exchange with the customer: e-mail, SMS, call, portal request or visit."""

    __tablename__ = "communication"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    channel: str = Field(max_length=16)
    direction: str = Field(default="out", max_length=8)
    at: datetime = time_field()
    operator: str | None = Field(default=None, max_length=64)
    subject: str | None = Field(default=None, max_length=300)
    body: str | None = Field(default=None)
    status: str | None = Field(default=None, max_length=32)
    ref: str | None = Field(default=None, max_length=200)
    # The server's reply for sent mail and SMS (delivery errors, HIS-2).
    detail: str | None = Field(default=None)
