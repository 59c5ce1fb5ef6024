"""Roles and what each may do (OPS-1). Services ask ``ctx.require(PERMISSION)``.

The table is the whole policy: a screen or command never decides permissions itself.
"""

from __future__ import annotations

ROLES = ("master_admin", "admin", "technician", "support", "readonly")

ROLE_LABELS = {
    "master_admin": "master admin",
    "admin": "admin",
    "technician": "technician",
    "support": "support",
    "readonly": "read-only",
}

CUSTOMER_CREATE = "customer.create"
CUSTOMER_EDIT = "customer.edit"
CUSTOMER_LIFECYCLE = "customer.lifecycle"
CUSTOMER_DELETE = "customer.delete"
SERVICE_EDIT = "service.edit"
BILLING_EDIT = "billing.edit"
PAYMENT_WRITE = "payment.write"
NOTE_WRITE = "note.write"
TASK_WRITE = "task.write"
COMM_WRITE = "communication.write"
SETTINGS_EDIT = "settings.edit"
OPERATOR_MANAGE = "operator.manage"
PRIVATE_NOTES_ALL = "note.private.all"

_SUPPORT = {CUSTOMER_CREATE, CUSTOMER_EDIT, NOTE_WRITE, TASK_WRITE, COMM_WRITE}
_TECHNICIAN = {CUSTOMER_EDIT, SERVICE_EDIT, NOTE_WRITE, TASK_WRITE, COMM_WRITE}
_ADMIN = _SUPPORT | _TECHNICIAN | {
    CUSTOMER_LIFECYCLE, CUSTOMER_DELETE, BILLING_EDIT, PAYMENT_WRITE, SETTINGS_EDIT, OPERATOR_MANAGE,
}

PERMISSIONS: dict[str, frozenset[str]] = {
    "master_admin": frozenset(_ADMIN | {PRIVATE_NOTES_ALL}),
    "admin": frozenset(_ADMIN),
    "technician": frozenset(_TECHNICIAN),
    "support": frozenset(_SUPPORT),
    "readonly": frozenset(),
}

DESCRIPTIONS = {
    CUSTOMER_CREATE: "add customers",
    CUSTOMER_EDIT: "edit customers",
    CUSTOMER_LIFECYCLE: "disconnect or move customers",
    CUSTOMER_DELETE: "delete customers",
    SERVICE_EDIT: "edit services and IP addresses",
    BILLING_EDIT: "edit billing data",
    PAYMENT_WRITE: "record invoices and payments",
    NOTE_WRITE: "write notes",
    TASK_WRITE: "manage tasks",
    COMM_WRITE: "log communication",
    SETTINGS_EDIT: "change settings and code lists",
    OPERATOR_MANAGE: "manage operators",
    PRIVATE_NOTES_ALL: "read other operators' private notes",
}


def normalise_role(value: str) -> str:
    """Accept 'master admin', 'Master-Admin', 'read-only' and the like."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key == "read_only":
        key = "readonly"
    if key not in ROLES:
        from ispterm.errors import ValidationError

        raise ValidationError("role", f"unknown role {value!r}; choose one of {', '.join(ROLES)}")
    return key
