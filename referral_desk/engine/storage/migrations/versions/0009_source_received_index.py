"""referrals by source and time

Every intake asks how many referrals its source sent in the last 30 days (the
burst flag). With an index on `source_id` alone, SQLite answered by reading
every referral the source ever sent and checking its time: 1.6 ms for a source
with 600 referrals, growing with the source's history. An index on
`(source_id, received_at)` makes it a range count, and serves everything the
old one did (its first column is the same), so it replaces it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_referral_source_received", "referral", ["source_id", "received_at"], unique=False
    )
    op.drop_index("ix_referral_source_id", table_name="referral")


def downgrade() -> None:
    op.create_index("ix_referral_source_id", "referral", ["source_id"], unique=False)
    op.drop_index("ix_referral_source_received", table_name="referral")
