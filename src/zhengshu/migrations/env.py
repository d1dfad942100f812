"""Alembic environment. The connection is handed in by zhengshu.migrate (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from zhengshu.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `zhengshu migrate`")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
