"""Tasks (SUP-1) and the communication timeline (SUP-2) of a customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from ispterm import validation as v
from ispterm.context import Ctx
from ispterm.customers.lookup import customer_by_number
from ispterm.customers.model import Customer
from ispterm.errors import Conflict, NotFound, ValidationError
from ispterm.operators.model import Operator
from ispterm.operators.roles import COMM_WRITE, TASK_WRITE
from ispterm.settings.model import CodeItem
from ispterm.settings.service import code_by_name
from ispterm.store.rows import referenced, saved_id
from ispterm.support.model import (
    CHANNELS,
    TASK_PRIORITIES,
    TASK_STATUSES,
    Communication,
    Task,
    TaskAssignee,
)

MAX_TEXT = 20_000  # a task's description, a logged call's notes


@dataclass(frozen=True)
class TaskView:
    id: int
    customer_number: int | None
    type: str | None
    title: str
    description: str | None
    status: str
    priority: str
    due_on: date | None
    assignees: tuple[str, ...]
    created_at: datetime
    created_by: str | None
    version: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "customer": self.customer_number, "type": self.type,
                "title": self.title, "description": self.description, "status": self.status,
                "priority": self.priority, "due_on": self.due_on.isoformat() if self.due_on else None,
                "assignees": list(self.assignees), "created_at": self.created_at.isoformat(),
                "created_by": self.created_by, "version": self.version}


@dataclass(frozen=True)
class CommunicationView:
    id: int
    at: datetime
    channel: str
    direction: str
    operator: str | None
    subject: str | None
    body: str | None
    status: str | None
    detail: str | None = None  # the server's or gateway's reply to an outbound message

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "channel": self.channel,
                "direction": self.direction, "operator": self.operator, "subject": self.subject,
                "body": self.body, "status": self.status, "detail": self.detail}


def _choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    value = value.strip().lower().replace(" ", "_")
    if value not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _operators(s: Session, logins: list[str]) -> list[Operator]:
    out = []
    for login in logins:
        op = s.exec(select(Operator).where(Operator.login == login)).first()
        if op is None:
            raise ValidationError("assignees", f"unknown operator {login!r}")
        out.append(op)
    return out


def _task_view(s: Session, t: Task) -> TaskView:
    number = referenced(s, Customer, t.customer_id).number if t.customer_id else None
    type_name = referenced(s, CodeItem, t.type_id).name if t.type_id else None
    assignees = tuple(s.exec(select(Operator.login)
                             .join(TaskAssignee, col(TaskAssignee.operator_id) == col(Operator.id))
                             .where(TaskAssignee.task_id == t.id).order_by(Operator.login)))
    return TaskView(saved_id(t.id), number, type_name, t.title, t.description, t.status, t.priority,
                    t.due_on, assignees, t.created_at, t.created_by, t.version)


def task_types_for_card(ctx: Ctx) -> list[str]:
    """Only task types with a customer field are offered on the card (SUP-1)."""
    with ctx.read() as s:
        return list(s.exec(select(CodeItem.name).where(CodeItem.kind == "task_type", CodeItem.active,
                                                       CodeItem.customer_field).order_by(col(CodeItem.sort))))


def create_task(ctx: Ctx, number: int | None, title: str, *, type_name: str | None = None,
                description: str | None = None, priority: str = "normal", due_on: str | None = None,
                assignees: list[str] | None = None) -> TaskView:
    ctx.require(TASK_WRITE)
    checked_title = v.single_line(title or "", field="title")
    if not checked_title:
        raise ValidationError("title", "a task needs a title")
    title = checked_title
    description = v.text_block(description or "", field="description", max_len=MAX_TEXT)
    priority = _choice(priority, TASK_PRIORITIES, "priority")
    due = v.iso_date(due_on, field="due_on") if due_on else None
    with ctx.write() as s:
        customer = customer_by_number(s, number) if number is not None else None
        type_id = None
        if type_name:
            item = code_by_name(s, "task_type", type_name, field="type")
            if customer is not None and not item.customer_field:
                raise ValidationError("type", f"task type {item.name!r} has no customer field")
            type_id = item.id
        task = Task(customer_id=customer.id if customer else None, type_id=type_id, title=title,
                    description=description, priority=priority, due_on=due,
                    created_by=ctx.actor.login, updated_by=ctx.actor.login)
        s.add(task)
        s.flush()
        for op in _operators(s, assignees or []):
            s.add(TaskAssignee(task_id=saved_id(task.id), operator_id=saved_id(op.id)))
        s.flush()
        return _task_view(s, task)


def update_task(ctx: Ctx, task_id: int, *, status: str | None = None, priority: str | None = None,
                assignees: list[str] | None = None, expected_version: int | None = None) -> TaskView:
    ctx.require(TASK_WRITE)
    with ctx.write() as s:
        task = s.exec(select(Task).where(Task.id == task_id).with_for_update()).first()
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        if expected_version is not None and task.version != expected_version:
            raise Conflict(f"task {task_id}", task.updated_by, task.updated_at)
        if status is not None:
            task.status = _choice(status, TASK_STATUSES, "status")
            task.closed_at = ctx.now() if task.status in ("done", "cancelled") else None
        if priority is not None:
            task.priority = _choice(priority, TASK_PRIORITIES, "priority")
        if assignees is not None:
            from ispterm.audit.recorder import record

            ops = _operators(s, assignees)
            old = list(s.exec(select(TaskAssignee).where(TaskAssignee.task_id == task.id)))
            old_logins = sorted(referenced(s, Operator, a.operator_id).login for a in old)
            for a in old:
                s.delete(a)
            s.flush()
            for op in ops:
                s.add(TaskAssignee(task_id=saved_id(task.id), operator_id=saved_id(op.id)))
            record(s, customer_id=task.customer_id, entity="task", entity_id=task.id, action="update",
                   field="assignees", old=", ".join(old_logins) or None,
                   new=", ".join(sorted(o.login for o in ops)) or None)
            task.updated_at = ctx.now()
        s.flush()
        return _task_view(s, task)


def list_tasks(ctx: Ctx, number: int | None = None, *, open_only: bool = False) -> list[TaskView]:
    with ctx.read() as s:
        stmt = select(Task)
        if number is not None:
            stmt = stmt.where(Task.customer_id == customer_by_number(s, number).id)
        if open_only:
            stmt = stmt.where(col(Task.status).not_in(("done", "cancelled")))
        return [_task_view(s, t)
                for t in s.exec(stmt.order_by(col(Task.created_at).desc(), col(Task.id).desc()))]


def log_communication(ctx: Ctx, number: int, channel: str, *, subject: str | None = None,
                      body: str | None = None, direction: str = "out", status: str | None = None,
                      ref: str | None = None) -> CommunicationView:
    ctx.require(COMM_WRITE)
    channel = _choice(channel, CHANNELS, "channel")
    direction = _choice(direction, ("in", "out"), "direction")
    subject = v.single_line(subject or "", field="subject", max_len=200)
    body = v.text_block(body or "", field="body", max_len=MAX_TEXT)
    with ctx.write() as s:
        c = customer_by_number(s, number)
        row = Communication(customer_id=saved_id(c.id), channel=channel, direction=direction, at=ctx.now(),
                            operator=ctx.actor.login, subject=subject, body=body, status=status, ref=ref)
        s.add(row)
        s.flush()
        from ispterm.audit.recorder import record

        record(s, customer_id=c.id, entity="communication", entity_id=row.id, action="event",
               summary=f"{channel} {'to' if direction == 'out' else 'from'} customer: {subject or ''}".strip())
        return CommunicationView(saved_id(row.id), row.at, row.channel, row.direction, row.operator,
                                 row.subject, row.body, row.status)


def timeline(ctx: Ctx, number: int, *, limit: int = 200) -> list[CommunicationView]:
    with ctx.read() as s:
        c = customer_by_number(s, number)
        rows = s.exec(select(Communication).where(Communication.customer_id == c.id)
                      .order_by(col(Communication.at).desc(), col(Communication.id).desc()).limit(limit))
        return [CommunicationView(saved_id(r.id), r.at, r.channel, r.direction, r.operator, r.subject,
                                  r.body, r.status, r.detail) for r in rows]
