"""routing load indexes

Routing counts each candidate agent's load (open offers plus referrals
assigned in an active status) on every intake and every lapse. With only the
status-first report index, SQLite answered the referral half by scanning every
active referral (31 ms on a 100,000-referral desk); an index led by the
assigned agent makes it a few index probes (0.1 ms). The clock's fee-deadline
sweep reads referrals in escrow by closing date, hence the second index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_assigned_status", ["assigned_agent_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_referral_status_closing", ["status", "closing_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_status_closing")
        batch_op.drop_index("ix_referral_assigned_status")
