"""Alembic environment: always driven from ispterm.store.migrate with a live connection."""

from alembic import context

from ispterm.store.models import metadata
from ispterm.store.schema_extras import include_object

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
