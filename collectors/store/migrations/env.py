"""Alembic's environment: migrations run on the connection ``collectors.store.migrations`` hands over."""

from __future__ import annotations

from alembic import context

from collectors.store.migrations import VERSION_TABLE, compared
from collectors.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through collectors.store.migrations (upgrade, new_revision)")


context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE,
                  include_name=compared, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
