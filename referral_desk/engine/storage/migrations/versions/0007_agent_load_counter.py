"""agent load counter kept by the database

An agent's load (open offers plus referrals assigned to them in an active
status) decides eligibility and the capacity score on every routing decision.
Counting it then walked each candidate's offers and referrals: two correlated
counts per candidate, more than half of what reading the candidates cost, and
growing with the desk. `agent_stats.load` is now kept by triggers on `offer`
and `referral`, so every write (the desk's, a script's, another version's)
keeps it right, and routing reads one integer.

The statuses are written out here, as they were when this revision was made
(`vocabulary.OPEN_OFFER_STATUSES` and `ACTIVE_ASSIGNED_STATUSES`): a migration
must not change meaning when the code after it does.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN_OFFER = "('offered', 'interested')"
ACTIVE_ASSIGNED = "('pending', 'awarded', 'working', 'in_escrow')"

COUNTED = {
    # table: (the column naming the agent, the statuses that count)
    "offer": ("agent_id", OPEN_OFFER),
    "referral": ("assigned_agent_id", ACTIVE_ASSIGNED),
}


def _sqlite_triggers(table: str, agent: str, statuses: str) -> list[str]:
    """Insert, delete and update triggers; an update that moves nothing does nothing."""
    add = f"UPDATE agent_stats SET load = load + 1 WHERE agent_id = NEW.{agent}"
    remove = f"UPDATE agent_stats SET load = load - 1 WHERE agent_id = OLD.{agent}"
    moved = (
        f"(OLD.status IN {statuses}) IS NOT (NEW.status IN {statuses})"
        f" OR OLD.{agent} IS NOT NEW.{agent}"
    )
    return [
        f"CREATE TRIGGER {table}_load_insert AFTER INSERT ON {table}"
        f" WHEN NEW.status IN {statuses} BEGIN {add}; END",
        f"CREATE TRIGGER {table}_load_delete AFTER DELETE ON {table}"
        f" WHEN OLD.status IN {statuses} BEGIN {remove}; END",
        f"CREATE TRIGGER {table}_load_update AFTER UPDATE OF status, {agent} ON {table}"
        f" WHEN {moved} BEGIN"
        f" {remove} AND OLD.status IN {statuses};"
        f" {add} AND NEW.status IN {statuses}; END",
    ]


def _postgresql_triggers(table: str, agent: str, statuses: str) -> list[str]:
    """One row trigger calling a function that undoes the old row and counts the new."""
    function = f"{table}_load_counter"
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.status IN {statuses} THEN
            UPDATE agent_stats SET load = load - 1 WHERE agent_id = OLD.{agent};
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.status IN {statuses} THEN
            UPDATE agent_stats SET load = load + 1 WHERE agent_id = NEW.{agent};
        END IF;
    END IF;
    RETURN NULL;
END
$$""",
        f"CREATE TRIGGER {table}_load AFTER INSERT OR DELETE OR UPDATE OF status, {agent}"
        f" ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def upgrade() -> None:
    with op.batch_alter_table("agent_stats") as batch:
        batch.add_column(sa.Column("load", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE agent_stats SET load ="
        f" (SELECT count(*) FROM offer WHERE offer.agent_id = agent_stats.agent_id"
        f" AND offer.status IN {OPEN_OFFER})"
        f" + (SELECT count(*) FROM referral"
        f" WHERE referral.assigned_agent_id = agent_stats.agent_id"
        f" AND referral.status IN {ACTIVE_ASSIGNED})"
    )
    build = _postgresql_triggers if op.get_bind().dialect.name == "postgresql" else _sqlite_triggers
    for table, (agent, statuses) in COUNTED.items():
        for statement in build(table, agent, statuses):
            op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in COUNTED:
        if postgresql:
            op.execute(f"DROP TRIGGER {table}_load ON {table}")
            op.execute(f"DROP FUNCTION {table}_load_counter()")
        else:
            for when in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_load_{when}")
    with op.batch_alter_table("agent_stats") as batch:
        batch.drop_column("load")
