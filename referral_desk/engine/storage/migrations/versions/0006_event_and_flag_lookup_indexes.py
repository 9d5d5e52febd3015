"""event and flag look-up indexes

Routing asks, on every intake and lapse, when a referral was last routed
again (its latest `rerouted` event); every intake asks whether its source had
a burst flag within 30 days. With only `(referral_id, id)` and `(kind, at)` on
events, SQLite answered the first by walking every `rerouted` event of the
desk (1.3 ms at 10,000 referrals, growing with the desk), and the second by
walking every burst flag. An index on the columns each question names makes
both a probe or two.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:20:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_event_referral_kind", "event", ["referral_id", "kind", "at"], unique=False)
    op.create_index("ix_flag_kind_source", "flag", ["kind", "source_id", "raised_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_flag_kind_source", table_name="flag")
    op.drop_index("ix_event_referral_kind", table_name="event")
