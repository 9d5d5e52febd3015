"""The fee-deadline flag: a closing 10 days away with a fee owed and none logged.

A fee is owed when a partner agent has the referral (receivable) or a referring
agent sent it (payable). One `fee_not_formalized` flag is raised per referral
once its closing is within 10 days (desk dates) and no agreement is logged: by
the move into escrow itself when the closing is that near already, else by the
clock as the days pass. A logged agreement, or no fee owed, raises nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from tests.factories import intake

PARTNER = "P-ATX-01"
TEAM = "T-HQ-01"


def in_escrow(
    desk: Desk, clock: ManualClock, agent_id: str, closing: date, source_type: str = "agent"
) -> str:
    """A referral offered privately to `agent_id`, accepted, and in escrow closing then."""
    payload = intake(mode="private", agent_id=agent_id, source__type=source_type)
    if source_type != "agent":
        del payload["source"]["brokerage"]
    [referral] = desk.intake(payload, clock.now())
    desk.respond(referral.id, agent_id, "accept", clock.now())
    desk.change_status(referral.id, "working", clock.now())
    desk.change_status(referral.id, "in_escrow", clock.now(), closing_date=closing)
    return referral.id


def deadline_flags(desk: Desk) -> list[tuple[str | None, str]]:
    return [
        (flag.referral_id, flag.detail)
        for flag in desk.flags()
        if flag.kind == "fee_not_formalized"
    ]


def test_a_partners_closing_within_10_days_is_flagged_once(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """Flagged by the move into escrow, before any tick; the clock adds no second one."""
    today = clock.now().date()
    referral = in_escrow(roster_desk, clock, PARTNER, today + timedelta(days=10))
    assert deadline_flags(roster_desk) == [
        (
            referral,
            f"{referral} closes {today + timedelta(days=10)} and no fee agreement is logged: "
            "ask the agent to formalize it",
        )
    ]
    for _ in range(3):
        clock.advance(timedelta(hours=2))
        roster_desk.tick(clock.now())
    assert len(deadline_flags(roster_desk)) == 1


def test_a_closing_further_off_waits_until_it_is_10_days_away(
    roster_desk: Desk, clock: ManualClock
) -> None:
    today = clock.now().date()
    in_escrow(roster_desk, clock, PARTNER, today + timedelta(days=12))
    roster_desk.tick(clock.now())
    assert deadline_flags(roster_desk) == []
    clock.advance(timedelta(days=1))  # 11 days before: not yet
    roster_desk.tick(clock.now())
    assert deadline_flags(roster_desk) == []
    clock.advance(timedelta(days=1))  # 10 days before: the clock's sweep finds it
    roster_desk.tick(clock.now())
    assert len(deadline_flags(roster_desk)) == 1


def test_a_logged_fee_raises_nothing(roster_desk: Desk, clock: ManualClock) -> None:
    today = clock.now().date()
    referral = in_escrow(roster_desk, clock, PARTNER, today + timedelta(days=12))
    roster_desk.log_fee(referral, "receivable", Decimal(25), "Agent", clock.now())
    clock.advance(timedelta(days=5))
    roster_desk.tick(clock.now())
    assert deadline_flags(roster_desk) == []


@pytest.mark.parametrize(
    ("agent_id", "source_type", "owed"),
    [
        pytest.param(TEAM, "client", False, id="team-member-and-client: no fee"),
        pytest.param(TEAM, "agent", True, id="referring-agent: payable"),
        pytest.param(PARTNER, "client", True, id="partner: receivable"),
    ],
)
def test_a_fee_is_owed_to_a_referring_agent_or_by_a_partner(
    roster_desk: Desk, clock: ManualClock, agent_id: str, source_type: str, owed: bool
) -> None:
    today = clock.now().date()
    referral = in_escrow(roster_desk, clock, agent_id, today + timedelta(days=3), source_type)
    roster_desk.tick(clock.now())
    assert [flagged for flagged, _ in deadline_flags(roster_desk)] == ([referral] if owed else [])
