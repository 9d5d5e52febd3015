"""referring party identity key

Finding "the same referring party" must ignore case in every script, which
SQLite's lower() does not (it folds ASCII only). The key is casefolded in
Python when a party is stored; existing parties get theirs here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 07:29:14.704109
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referring_party", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "identity_key",
                sa.String(length=600),
                nullable=False,
                server_default="",
            )
        )
    connection = op.get_bind()
    parties = sa.table(
        "referring_party",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("type", sa.String),
        sa.column("email", sa.String),
        sa.column("identity_key", sa.String),
    )
    rows = connection.execute(
        sa.select(parties.c.id, parties.c.name, parties.c.type, parties.c.email)
    )
    for party_id, name, source_type, email in rows.all():
        key = "|".join((" ".join(name.casefold().split()), source_type, (email or "").casefold()))
        connection.execute(
            parties.update().where(parties.c.id == party_id).values(identity_key=key)
        )
    with op.batch_alter_table("referring_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referring_party_identity_key"), ["identity_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referring_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referring_party_identity_key"))
        batch_op.drop_column("identity_key")
