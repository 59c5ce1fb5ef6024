"""outbound queue: log_pending dropped; a sent message's log rows commit with its status

The sender now notes outcomes in a local journal before the next DATA and records them in
group commits that write the message's status, communication row and history row together,
so nothing is ever left flagged. Rows a crashed sender left flagged are written here first.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PENDING = "(SELECT * FROM outbound_message WHERE log_pending)"


def upgrade() -> None:
    op.execute("UPDATE communication SET status = 'sent', detail = m.reply FROM " + PENDING + " AS m "
               "WHERE m.communication_id = communication.id")
    op.execute("INSERT INTO audit_event (at, operator, customer_id, entity, entity_id, action, new, summary) "
               "SELECT sent_at, 'mail-sender', customer_id, 'message', id, kind || '_sent', substr(reply, 1, 500), "
               "CASE WHEN kind = 'email' THEN 'e-mail' ELSE 'SMS' END || ' to ' || recipients || ' sent: ' "
               "|| substr(reply, 1, 200) FROM " + PENDING + " AS m ORDER BY id")
    op.drop_index("ix_outbound_message_log_pending", table_name="outbound_message")
    with op.batch_alter_table("outbound_message") as batch:
        batch.drop_column("log_pending")


def downgrade() -> None:
    with op.batch_alter_table("outbound_message") as batch:
        batch.add_column(sa.Column("log_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_outbound_message_log_pending", "outbound_message", ["id"], unique=False,
                    sqlite_where=sa.text("log_pending"), postgresql_where=sa.text("log_pending"))
