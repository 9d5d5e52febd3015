"""report indexes

The quarterly report (`engine/reports.py`) counts referrals by status and
month, by source, sums fee agreements, and takes medians of routing delays.
Without these indexes each of those reads every referral row of the period
from the table; with them every figure comes from an index alone:

- `ix_referral_status_received`: one index range per status (and archived
  status) and month gives outcomes, drops and cohort closing counts.
- `ix_referral_received_report`: the period's range gives counts by source
  and how many referrals were offered and accepted by the report's moment.
- `ix_referral_assignment_delay` / `ix_referral_acceptance`: the delays
  themselves (whole seconds) in order, so a median is an index walk with
  LIMIT/OFFSET, not a sort. Expression indexes: the expression must stay
  identical to `report_queries.seconds_between`, or the report stops using
  them (still correct, only slower). SQLite and PostgreSQL only.
- `ix_fee_agreement_report`: fee amounts by referral without the table rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DELAYS = (
    # index name, later moment, earlier moment; the index also holds both moments and
    # received_at, so SQLite answers the report's queries from the index alone
    ("ix_referral_assignment_delay", "first_offered_at", "received_at"),
    ("ix_referral_acceptance", "accepted_at", "first_offered_at"),
)


def _seconds(later: str, earlier: str, dialect: str) -> str | None:
    """Whole seconds from `earlier` to `later`, as the report writes it for this dialect."""
    if dialect == "sqlite":
        return f"round((julianday({later}) - julianday({earlier})) * 86400.0)"
    if dialect == "postgresql":
        return f"round(EXTRACT(epoch FROM ({later} - {earlier})))"
    return None


def upgrade() -> None:
    op.create_index(
        "ix_referral_status_received",
        "referral",
        ["status", "archived_from", "received_at", "accepted_at"],
        unique=False,
    )
    op.create_index(
        "ix_referral_received_report",
        "referral",
        ["received_at", "source_id", "first_offered_at", "accepted_at"],
        unique=False,
    )
    op.create_index(
        "ix_fee_agreement_report",
        "fee_agreement",
        ["referral_id", "direction", "created_at", "expected_cents", "paid_cents", "paid_on"],
        unique=False,
    )
    dialect = op.get_bind().dialect.name
    for name, later, earlier in _DELAYS:
        expression = _seconds(later, earlier, dialect)
        if expression is not None:
            columns: list[str | sa.TextClause] = [
                sa.text(expression),
                *dict.fromkeys(("received_at", later, earlier)),
            ]
            op.create_index(name, "referral", columns, unique=False)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, later, earlier in reversed(_DELAYS):
        if _seconds(later, earlier, dialect) is not None:
            op.drop_index(name, table_name="referral")
    op.drop_index("ix_fee_agreement_report", table_name="fee_agreement")
    op.drop_index("ix_referral_received_report", table_name="referral")
    op.drop_index("ix_referral_status_received", table_name="referral")
