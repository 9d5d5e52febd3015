"""a source's referrals by the agent who took them; the agent a task is for

Setting `prefer_previous_agent` offers a returning source's referral first to the
agent who took its last one. Finding that referral with the `(source_id,
received_at)` index meant reading every referral the source ever sent: an
intake of 10,000 referrals from one source would grow quadratic again. An index
on `(source_id, assigned_agent_id)` reads only the source's assigned referrals.

A task may be an agent's rather than the desk's: the inside sales agent's
follow-up with the client after the transfer (`isa_followup`) names the ISA in
`ack_task.agent_id`; the acknowledgments the desk sends leave it empty.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_referral_source_agent", "referral", ["source_id", "assigned_agent_id"], unique=False
    )
    with op.batch_alter_table("ack_task") as batch:
        batch.add_column(sa.Column("agent_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ack_task") as batch:
        batch.drop_column("agent_id")
    op.drop_index("ix_referral_source_agent", table_name="referral")
