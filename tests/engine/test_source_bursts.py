"""Several referrals from one source in a short time: one flag for the team lead.

Three referrals from the same party within 30 days raise a `source_burst` flag
(thank them, check the fit); the flag is raised once per burst, and referrals
older than 30 days do not count. Intake asks on every referral, so the count
must stay a range look-up however long the source's history grows, and is not
made at all while the source's flag is up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.desk.closing import flags
from referral_desk.engine.storage.prepared import Prepared
from tests.factories import intake


def referred(desk: Desk, clock: ManualClock, received: datetime, name: str = "Maria") -> None:
    """One referral from the contract's example source (John Smith), received then."""
    desk.intake(intake(client_first_name=name, received_at=received.isoformat()), clock.now())


def bursts(desk: Desk) -> list[str]:
    return [flag.detail for flag in desk.flags() if flag.kind == "source_burst"]


def test_third_referral_within_30_days_raises_one_flag(desk: Desk, clock: ManualClock) -> None:
    start = clock.now() - timedelta(days=20)
    referred(desk, clock, start, "Maria")
    referred(desk, clock, start + timedelta(days=10), "Omar")
    assert bursts(desk) == []
    referred(desk, clock, start + timedelta(days=20), "Ana")
    assert bursts(desk) == ["John Smith sent 3 referrals within 30 days: thank them, check the fit"]
    referred(desk, clock, start + timedelta(days=20), "Lee")
    assert len(bursts(desk)) == 1, "one flag per burst, not one per referral"


def test_referrals_older_than_30_days_do_not_count(desk: Desk, clock: ManualClock) -> None:
    latest = clock.now()
    referred(desk, clock, latest - timedelta(days=31), "Maria")
    referred(desk, clock, latest - timedelta(days=30), "Omar")  # exactly 30 days: outside
    referred(desk, clock, latest - timedelta(days=1), "Ana")
    referred(desk, clock, latest, "Lee")
    assert bursts(desk) == []


def test_other_sources_do_not_count(desk: Desk, clock: ManualClock) -> None:
    moment = clock.now()
    for number in range(3):
        payload = intake(
            received_at=moment.isoformat(),
            source__name=f"Sender {number}",
            source__email=f"sender{number}@example.com",
        )
        desk.intake(payload, clock.now())
    assert bursts(desk) == []


@pytest.mark.sqlite_only
def test_burst_count_is_a_range_over_the_source_index(desk: Desk) -> None:
    """Not a walk through every referral the source ever sent (migration 0009)."""
    compiled = flags._SOURCE_RECENT_REFERRALS.statement.compile(desk.store.engine)
    with desk.store.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", (1, "a", "b")).all()
    steps = " ".join(str(row[-1]) for row in plan)
    assert "ix_referral_source_received (source_id=? AND received_at>? AND received_at<?)" in steps


class CountedStatement(Prepared):
    """A prepared statement that counts how often it runs."""

    __slots__ = ("runs",)

    def __init__(self, original: Prepared) -> None:
        super().__init__(original.statement)
        self.runs = 0

    def execute(self, connection: Connection, parameters: Any = None) -> Any:
        self.runs += 1
        return super().execute(connection, parameters)


def test_a_flagged_source_is_not_counted_again(
    desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a list of 50 from one source, the referrals are counted for the first three only:
    the third raises the flag, and the flag answers for the other 47."""
    counted = CountedStatement(flags._SOURCE_RECENT_REFERRALS)
    monkeypatch.setattr(flags, "_SOURCE_RECENT_REFERRALS", counted)
    desk.intake([intake(client_first_name=f"Client{n}") for n in range(50)], clock.now())
    assert counted.runs == 3
    assert bursts(desk) == ["John Smith sent 3 referrals within 30 days: thank them, check the fit"]
