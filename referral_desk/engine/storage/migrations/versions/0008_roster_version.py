"""roster version kept by the database

Routing reads the same agents' routing columns (markets, sides, price band,
property types, capacity, away dates, schedule) on every decision, though they
change only when the roster does. `desk_revision.roster_version` takes a new
random value whenever a row of `agent` or `agent_territory` is written, by
triggers, so a desk process can keep the roster's profiles and reread them only
when the version moves — however the roster changed (this desk, another desk,
a script). Random, not counted up: a transaction that changed the roster and
rolled back must not leave a version that a later, different change reuses.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROSTER_TABLES = ("agent", "agent_territory")
OPERATIONS = ("insert", "update", "delete")


def upgrade() -> None:
    with op.batch_alter_table("desk_revision") as batch:
        batch.add_column(
            sa.Column("roster_version", sa.BigInteger(), nullable=False, server_default="0")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """CREATE FUNCTION roster_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE desk_revision SET roster_version = floor(random() * 9e18)::bigint;
    RETURN NULL;
END
$$"""
        )
        for table in ROSTER_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_roster_version AFTER INSERT OR UPDATE OR DELETE"
                f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION roster_changed()"
            )
        return
    for table in ROSTER_TABLES:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER {table}_roster_{operation} AFTER {operation.upper()} ON {table}"
                " BEGIN UPDATE desk_revision SET roster_version = random(); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ROSTER_TABLES:
            op.execute(f"DROP TRIGGER {table}_roster_version ON {table}")
        op.execute("DROP FUNCTION roster_changed()")
    else:
        for table in ROSTER_TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER {table}_roster_{operation}")
    with op.batch_alter_table("desk_revision") as batch:
        batch.drop_column("roster_version")
