"""Writes audit rows for every change to an audited record, from one place.

A SQLAlchemy ``after_flush`` listener diffs every new, changed and deleted audited object
and inserts rows into ``audit_event`` on the same connection, so the audit commits or rolls
back with the change itself and no write path can forget it. ``before_flush`` stamps
``updated_at``/``updated_by`` and bumps ``version`` for the same reason. Actions that are not
a column change ("mail queued", "groups changed") go through :func:`record`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction
from sqlmodel import SQLModel

from ispterm.audit.model import AuditEvent
from ispterm.audit.rows import audit_row, invoice_label, payment_label
from ispterm.billing.model import BillingGroup, Invoice, Payment
from ispterm.billing.statements.model import BankStatement
from ispterm.customers.model import (
    AdditionalValue,
    Contact,
    Customer,
    InventoryItem,
    Service,
    ServiceIp,
)
from ispterm.messaging.model import MessageTemplate, SystemVariable
from ispterm.notes.model import Note
from ispterm.operators.model import Operator
from ispterm.settings.model import AdditionalField, CodeItem, Setting
from ispterm.store.rows import table_of
from ispterm.store.types import session_now
from ispterm.support.model import Task

ENTITY: dict[type[SQLModel], str] = {
    Customer: "customer",
    Contact: "contact",
    Note: "note",
    Service: "service",
    ServiceIp: "ip",
    InventoryItem: "inventory",
    AdditionalValue: "additional",
    Invoice: "invoice",
    Payment: "payment",
    Task: "task",
    Operator: "operator",
    Setting: "setting",
    CodeItem: "code",
    BillingGroup: "billing_group",
    AdditionalField: "additional_field",
    MessageTemplate: "template",
    SystemVariable: "variable",
    BankStatement: "bank_statement",
}
BOOKKEEPING = {"id", "version", "updated_at", "updated_by", "created_at", "created_by"}
SECRETS = {"password_hash", "portal_password_hash"}
# Foreign keys shown by name, not by id, in the history.
LABELS: dict[str, tuple[type[SQLModel], str, str]] = {
    "status_id": (CodeItem, "name", "status"),
    "campaign_id": (CodeItem, "name", "campaign"),
    "payment_type_id": (CodeItem, "name", "payment_type"),
    "portal_level_id": (CodeItem, "name", "portal_level"),
    "type_id": (CodeItem, "name", "type"),
    "billing_group_id": (BillingGroup, "name", "billing_group"),
    "parent_id": (Customer, "number", "parent"),
}
_AUDIT_TABLE = table_of(AuditEvent)


def record(
    session: Session,
    *,
    customer_id: int | None,
    entity: str,
    entity_id: int | None,
    action: str,
    summary: str | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    private_to: int | None = None,
) -> None:
    """Record an action that is not a plain column change (in the caller's transaction)."""
    session.connection().execute(
        insert(_AUDIT_TABLE),
        [_row(session, customer_id, entity, entity_id, action, field, old, new, summary, private_to)],
    )


def _row(session: Session, customer_id: int | None, entity: str, entity_id: int | None, action: str,
         field: str | None, old: Any, new: Any, summary: str | None,
         private_to: int | None) -> dict[str, Any]:
    actor = session.info.get("actor")
    return audit_row(at=session_now(session), operator=actor.login if actor else "system",
                     customer_id=customer_id, entity=entity, entity_id=entity_id, action=action,
                     field=field, old=old, new=new, summary=summary, private_to=private_to)


def _customer_id(session: Session, obj: Any) -> int | None:
    if isinstance(obj, Customer):
        return obj.id
    if isinstance(obj, ServiceIp):
        service = session.get(Service, obj.service_id)
        return service.customer_id if service else None
    return getattr(obj, "customer_id", None)


def _private_to(obj: Any) -> int | None:
    return obj.author_id if isinstance(obj, Note) and obj.private else None


def _label(session: Session, attr: str, value: Any) -> Any:
    if value is None or attr not in LABELS:
        return value
    model, column, _ = LABELS[attr]
    target = session.get(model, value)
    return getattr(target, column) if target is not None else value


def _field_name(session: Session, obj: Any, attr: str) -> str:
    if isinstance(obj, AdditionalValue) and attr == "value":
        field = session.get(AdditionalField, obj.field_id)
        return f"extra.{field.name}" if field else "extra"
    return LABELS[attr][2] if attr in LABELS else attr


# Records whose field changes name the record in the row's summary: "invoice.status issued -> paid"
# alone does not say which of the customer's invoices it was.
NAMED_CHANGES = (Invoice, Payment)


def _describe(obj: Any) -> str:
    if isinstance(obj, Payment):
        return payment_label(_pk(obj), obj.amount, obj.currency, obj.received_on)
    if isinstance(obj, Invoice):
        return invoice_label(obj.number)
    for attr in ("number", "name", "plan", "address", "title", "login", "key"):
        value = getattr(obj, attr, None)
        if value is not None:
            return f"{ENTITY[type(obj)]} {value}"
    return ENTITY[type(obj)]


def _stamp(session: Session, _ctx: UOWTransaction, _instances: Sequence[Any] | None) -> None:
    actor = session.info.get("actor")
    now = session_now(session)
    created = session.info.setdefault("audit_created", set())
    bumped = session.info.setdefault("audit_bumped", set())
    for obj in session.dirty:
        if type(obj) not in ENTITY or not session.is_modified(obj, include_collections=False):
            continue
        if id(obj) in created:
            continue
        if hasattr(obj, "updated_at"):
            obj.updated_at = now
        if hasattr(obj, "updated_by"):
            obj.updated_by = actor.login if actor else "system"
        if hasattr(obj, "version") and id(obj) not in bumped:
            # One unit of work is one new version, however many flushes it takes.
            obj.version = (obj.version or 0) + 1
            bumped.add(id(obj))


def _audit(session: Session, _ctx: UOWTransaction) -> None:
    if session.info.get("audit") is False:
        return  # defaults seeded by init are not anybody's change
    rows: list[dict[str, Any]] = []
    created = session.info.setdefault("audit_created", set())
    with session.no_autoflush:
        for obj in session.new:
            if type(obj) in ENTITY:
                created.add(id(obj))
                rows.append(_row(session, _customer_id(session, obj), ENTITY[type(obj)],
                                 _pk(obj), "create", None, None, _creation_value(obj),
                                 f"{_describe(obj)} added", _private_to(obj)))
        for obj in session.deleted:
            if type(obj) in ENTITY:
                rows.append(_row(session, _customer_id(session, obj), ENTITY[type(obj)],
                                 _pk(obj), "delete", None, None, None,
                                 f"{_describe(obj)} removed", _private_to(obj)))
        for obj in session.dirty:
            # Later flushes of a record created in this unit of work are part of its creation.
            if type(obj) in ENTITY and id(obj) not in created:
                rows.extend(_changes(session, obj))
    if rows:
        session.connection().execute(insert(_AUDIT_TABLE), rows)


def _pk(obj: Any) -> int | None:
    state = inspect(obj)
    # A record inserted by this flush has no identity key until the flush ends, but its id
    # is set: "created" rows name the record they created too.
    value = state.identity or tuple(state.mapper.primary_key_from_instance(obj))
    return value[0] if value and isinstance(value[0], int) else None


def _creation_value(obj: Any) -> Any:
    return obj.text if isinstance(obj, Note) else None


def _changes(session: Session, obj: Any) -> list[dict[str, Any]]:
    state = inspect(obj)
    customer_id = _customer_id(session, obj)
    summary = _describe(obj) if isinstance(obj, NAMED_CHANGES) else None
    rows: list[dict[str, Any]] = []
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in BOOKKEEPING:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        if key in SECRETS:
            old, new = ("(set)" if old else None), "(changed)"
        else:
            old, new = _label(session, key, old), _label(session, key, new)
        action = "update"
        if key == "deleted_at":
            action = "delete" if new is not None else "restore"
        rows.append(_row(session, customer_id, ENTITY[type(obj)], _pk(obj), action,
                         _field_name(session, obj, key), old, new, summary, _private_to(obj)))
    return rows


def install(session_class: type[Session]) -> None:
    """Stamp, version and audit every unit of work of ``session_class`` (``store.bootstrap``)."""
    event.listen(session_class, "before_flush", _stamp)
    event.listen(session_class, "after_flush", _audit)
