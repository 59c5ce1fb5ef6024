"""customer.name_key: the folded name for "starts with" search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NAME_KEY_TYPE = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("name_key", NAME_KEY_TYPE, nullable=True))
        batch.create_index("ix_customer_name_key", ["name_key"])
    # Backfill with the same folding the application uses (it is Python, not SQL).
    from ispterm.store.search import name_key

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name FROM customer")).all()
    for start in range(0, len(rows), 5000):
        conn.execute(sa.text("UPDATE customer SET name_key = :k WHERE id = :i"),
                     [{"k": name_key(name), "i": cid} for cid, name in rows[start:start + 5000]])


def downgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.drop_index("ix_customer_name_key")
        batch.drop_column("name_key")
