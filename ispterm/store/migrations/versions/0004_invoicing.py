"""invoicing: gapless number series, run invoices once per period, rounding lines, suspensions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import ispterm.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_series",
        sa.Column("billing_group_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["billing_group_id"], ["billing_group.id"],
                                name=op.f("fk_invoice_series_billing_group_id_billing_group")),
        sa.PrimaryKeyConstraint("billing_group_id", "year", name=op.f("pk_invoice_series")),
    )
    op.create_table(
        "suspension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("previous_status_id", sa.Integer(), nullable=True),
        sa.Column("owed", ispterm.store.types.Money(), nullable=False),
        sa.Column("suspended_at", ispterm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("suspended_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("released_at", ispterm.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"],
                                name=op.f("fk_suspension_customer_id_customer")),
        sa.ForeignKeyConstraint(["previous_status_id"], ["code_item.id"],
                                name=op.f("fk_suspension_previous_status_id_code_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspension")),
    )
    with op.batch_alter_table("suspension") as batch:
        batch.create_index(batch.f("ix_suspension_customer_id"), ["customer_id"], unique=False)
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("run_period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True))
        batch.create_unique_constraint(batch.f("uq_invoice_customer_id_run_period"), ["customer_id", "run_period"])
    with op.batch_alter_table("invoice_line") as batch:
        batch.add_column(sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                   server_default="item"))
    with op.batch_alter_table("invoice_line") as batch:
        batch.alter_column("kind", server_default=None)
    # Series rows for invoices that exist already (numbers are prefix + YYYY + digits).
    from ispterm.billing.numbering import seed_all_series

    seed_all_series(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("invoice_line") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_constraint("uq_invoice_customer_id_run_period", type_="unique")
        batch.drop_column("run_period")
    with op.batch_alter_table("suspension") as batch:
        batch.drop_index(batch.f("ix_suspension_customer_id"))
    op.drop_table("suspension")
    op.drop_table("invoice_series")
