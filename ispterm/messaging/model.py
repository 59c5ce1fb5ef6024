"""Tables of mail and SMS: the outbound queue, its attachments, templates, system variables.

One queue table holds e-mail and SMS alike so the sender, the queue screen and the history
read one place. A row and its content row (committed together) carry everything needed to
send it (the rendered message), so the sender never renders templates and a crash loses
nothing once they are committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, UniqueConstraint

from ispterm.store.base import Field, SQLModel, time_field

KINDS = ("email", "sms")
STATUSES = ("queued", "sending", "sent", "failed", "cancelled")
# Lower sorts first: the sender claims by priority, then by age.
PRIORITIES = {"high": 1, "normal": 5, "low": 9}


class OutboundMessage(SQLModel, table=True):
    __tablename__ = "outbound_message"
    __table_args__ = (
        Index("ix_outbound_message_claim", "status", "priority", "id"),
        Index("ix_outbound_message_customer", "customer_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    status: str = Field(default="queued", max_length=16)
    priority: int = Field(default=5)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = time_field()
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_until: datetime | None = time_field(nullable=True, default_now=False)
    last_error: str | None = Field(default=None)
    # Assigned at enqueue, so a re-send after a crash carries the same Message-ID.
    message_id: str = Field(max_length=255, unique=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    communication_id: int | None = Field(default=None, foreign_key="communication.id")
    sender: str | None = Field(default=None, max_length=254)
    # E-mail: comma separated addresses; SMS: one E.164 number.
    recipients: str = Field(max_length=2000)
    subject: str | None = Field(default=None, max_length=300)
    # Bodies holding a fresh password are blanked once delivered.
    sensitive: bool = Field(default=False)
    created_at: datetime = time_field()
    created_by: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = time_field(nullable=True, default_now=False)
    reply: str | None = Field(default=None)


class OutboundContent(SQLModel, table=True):
    """What a queued message says, apart from its queue row.

    The queue row is rewritten at every claim and outcome; kept small (no bodies), those
    writes stay cheap (SQLite rewrites whole rows, and a grown row on a full page splits it).
    """

    __tablename__ = "outbound_content"

    message_id: int = Field(foreign_key="outbound_message.id", primary_key=True)
    body: str = Field(default="")
    html: str | None = Field(default=None)
    # The whole e-mail as sent (RFC 5322 bytes, built once at enqueue): every attempt sends
    # the same bytes, so a re-send after a crash is an exact duplicate with the same Message-ID.
    raw: bytes | None = Field(default=None, sa_type=LargeBinary)


class OutboundAttachment(SQLModel, table=True):
    __tablename__ = "outbound_attachment"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outbound_message.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int = Field(default=0)
    content: bytes = Field(default=b"", sa_type=LargeBinary)


class MessageTemplate(SQLModel, table=True):
    """An e-mail or SMS template (MSG-1); the name is unique per kind."""

    __tablename__ = "message_template"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    name: str = Field(max_length=100)
    subject: str | None = Field(default=None, max_length=300)
    body: str = Field(default="")
    html: str | None = Field(default=None)
    updated_at: datetime = time_field()
    updated_by: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)


class SystemVariable(SQLModel, table=True):
    """A user-defined variable for templates ("Doplňující systémové proměnné")."""

    __tablename__ = "system_variable"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    value: str = Field(default="")
    description: str | None = Field(default=None, max_length=200)
    updated_at: datetime = time_field()
    updated_by: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)


class SenderChoice(SQLModel, table=True):
    """The sender address an operator picked last; the compose dialog preselects it."""

    __tablename__ = "sender_choice"

    operator_id: int = Field(foreign_key="operator.id", primary_key=True)
    sender: str = Field(max_length=254)
