"""note: a partial index of private notes by author

Every read of the history by an operator who does not see all private notes asks for "the
private notes of others" (rows about a note follow its visibility now); without an index
that is a scan of every note on every history page. Private notes are few, so the partial
index is small.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_note_private_author", "note", ["author_id"],
                    sqlite_where=sa.text("private"), postgresql_where=sa.text("private"))


def downgrade() -> None:
    op.drop_index("ix_note_private_author", table_name="note")
