"""Alembic environment: runs on the engine the desk handed over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from referral_desk.engine.storage.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url", "")
engine = config.attributes.get("engine") or create_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()
