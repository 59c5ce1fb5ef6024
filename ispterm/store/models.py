"""Imports every model module so the metadata is complete (Alembic, schema checks)."""

from ispterm.audit.model import AuditEvent
from ispterm.billing.model import (
    BillingGroup,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Payment,
    PaymentAllocation,
    Suspension,
)
from ispterm.billing.statements.model import BankStatement
from ispterm.customers.model import (
    AdditionalValue,
    Contact,
    Customer,
    CustomerCode,
    CustomerManager,
    InventoryItem,
    PortalLogin,
    Service,
    ServiceIp,
)
from ispterm.messaging.model import (
    MessageTemplate,
    OutboundAttachment,
    OutboundContent,
    OutboundMessage,
    SenderChoice,
    SystemVariable,
)
from ispterm.notes.model import Note
from ispterm.operators.model import Operator
from ispterm.settings.model import AdditionalField, CodeItem, Setting
from ispterm.store.base import metadata
from ispterm.support.model import Communication, Task, TaskAssignee, TaskAttachment

__all__ = [
    "AdditionalField", "AdditionalValue", "AuditEvent", "BankStatement", "BillingGroup", "CodeItem",
    "Communication", "Contact", "Customer", "CustomerCode", "CustomerManager", "InventoryItem",
    "Invoice", "InvoiceLine", "InvoiceSeries", "MessageTemplate", "Note", "OutboundAttachment",
    "OutboundContent", "OutboundMessage", "Operator", "Payment", "PaymentAllocation", "PortalLogin",
    "SenderChoice",
    "Service", "ServiceIp", "Setting", "Suspension", "SystemVariable", "Task", "TaskAssignee",
    "TaskAttachment", "metadata",
]
