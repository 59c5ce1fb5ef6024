"""outbound queue: content apart from the queue row; log_pending for batched log rows

The queue row is rewritten at every claim and outcome, so the bodies (body, html, raw) move
to outbound_content. log_pending flags sent messages whose communication and history rows
are still to be written (the sender writes them in batches).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbound_content",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("html", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["outbound_message.id"],
                                name=op.f("fk_outbound_content_message_id_outbound_message")),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_outbound_content")),
    )
    op.execute("INSERT INTO outbound_content (message_id, body, html, raw) "
               "SELECT id, body, html, raw FROM outbound_message")
    with op.batch_alter_table("outbound_message") as batch:
        batch.drop_column("raw")
        batch.drop_column("html")
        batch.drop_column("body")
        batch.add_column(sa.Column("log_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_outbound_message_log_pending", "outbound_message", ["id"], unique=False,
                    sqlite_where=sa.text("log_pending"), postgresql_where=sa.text("log_pending"))


def downgrade() -> None:
    op.drop_index("ix_outbound_message_log_pending", table_name="outbound_message")
    with op.batch_alter_table("outbound_message") as batch:
        batch.drop_column("log_pending")
        batch.add_column(sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
        batch.add_column(sa.Column("html", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("raw", sa.LargeBinary(), nullable=True))
    for column, default in (("body", "''"), ("html", "NULL"), ("raw", "NULL")):
        op.execute(f"UPDATE outbound_message SET {column} = COALESCE((SELECT c.{column} FROM outbound_content c "
                   f"WHERE c.message_id = outbound_message.id), {default})")
    op.drop_table("outbound_content")
