"""bank statements: bank_statement table, payment.statement_id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ispterm.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("file_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("statement_ref", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("statement_date", sa.Date(), nullable=True),
        sa.Column("sequence", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("imported_at", ispterm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("outgoing", sa.Integer(), nullable=False),
        sa.Column("other", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("total", ispterm.store.types.Money(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statement")),
        sa.UniqueConstraint("file_hash", name=op.f("uq_bank_statement_file_hash")),
    )
    with op.batch_alter_table("payment") as batch:
        batch.add_column(sa.Column("statement_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_payment_statement_id"), ["statement_id"], unique=False)
        batch.create_foreign_key(batch.f("fk_payment_statement_id_bank_statement"), "bank_statement",
                                 ["statement_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.drop_constraint(batch.f("fk_payment_statement_id_bank_statement"), type_="foreignkey")
        batch.drop_index(batch.f("ix_payment_statement_id"))
        batch.drop_column("statement_id")
    op.drop_table("bank_statement")
