"""outbound_message.log_pending: sent messages whose log and history rows are written later

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message") as batch:
        batch.add_column(sa.Column("log_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_outbound_message_log_pending", "outbound_message", ["id"], unique=False,
                    sqlite_where=sa.text("log_pending"), postgresql_where=sa.text("log_pending"))


def downgrade() -> None:
    op.drop_index("ix_outbound_message_log_pending", table_name="outbound_message")
    with op.batch_alter_table("outbound_message") as batch:
        batch.drop_column("log_pending")
