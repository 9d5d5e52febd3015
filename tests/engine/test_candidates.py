"""Candidates as routing reads them: loads in one statement, 30-day counts for ties only.

`profiles.load_profiles` reads each covering agent's history and load (kept by
the database) in one statement; the offers of the last 30 days, which only break ties, are counted
by `rank_candidates` for the agents whose scores tie. The desk must route
exactly as if every count had been read.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.desk.routing.profiles import load_profiles
from referral_desk.engine.rules.eligibility import tied_agent_ids
from referral_desk.engine.rules.scoring import RankedAgent
from tests.engine.test_load_counter import counted_loads
from tests.factories import agent_row, intake


def equal_agents(desk: Desk, clock: ManualClock) -> None:
    """Two agents alike in every way routing scores once history and capacity weigh nothing."""
    for agent_id in ("P-EQ-A", "P-EQ-B"):
        desk.save_agent(agent_row(id=agent_id, name=f"Agent {agent_id}", capacity="5"), clock.now())
    desk.set_setting("weights.history", "0", clock.now())
    desk.set_setting("weights.capacity", "0", clock.now())


def declined_by_both(desk: Desk, clock: ManualClock) -> None:
    """A referral offered to A, then B (the tie goes by id): both decline it."""
    [referral] = desk.intake(intake(received_at=None), clock.now())
    assert referral.offers[-1].agent_id == "P-EQ-A"
    after = desk.respond(referral.id, "P-EQ-A", "decline", clock.now())
    assert after.offers[-1].agent_id == "P-EQ-B"
    desk.respond(referral.id, "P-EQ-B", "decline", clock.now())


def first_offer_of_new_referral(desk: Desk, clock: ManualClock) -> str:
    [referral] = desk.intake(intake(received_at=None), clock.now())
    return referral.offers[0].agent_id


def test_a_tie_goes_to_the_agent_with_fewer_offers_in_30_days(
    desk: Desk, clock: ManualClock
) -> None:
    """Equal scores: the agent offered less in the last 30 days gets the referral."""
    equal_agents(desk, clock)
    declined_by_both(desk, clock)
    declined_by_both(desk, clock)
    clock.advance(timedelta(days=1))
    # Both have two offers in 30 days and no load; the id decides: A.
    assert first_offer_of_new_referral(desk, clock) == "P-EQ-A"
    # A now has three recent offers, B two: B is next although its id comes later.
    assert first_offer_of_new_referral(desk, clock) == "P-EQ-B"


def test_offers_older_than_30_days_do_not_count(desk: Desk, clock: ManualClock) -> None:
    """An agent's offers from over 30 days ago no longer hold it back in a tie."""
    equal_agents(desk, clock)
    [held] = desk.intake(intake(received_at=None), clock.now())  # A holds it, still open
    assert held.offers[-1].agent_id == "P-EQ-A"
    clock.advance(timedelta(days=29))
    assert first_offer_of_new_referral(desk, clock) == "P-EQ-B", "A had an offer 29 days ago"
    clock.advance(timedelta(days=2))
    # 31 days after A's offer and 2 after B's: only B's still counts.
    assert first_offer_of_new_referral(desk, clock) == "P-EQ-A"


def test_loads_read_with_the_profiles_are_the_desks_loads(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """Each candidate's load is its open offers plus its referrals in an active status."""
    for _ in range(4):
        [referral] = roster_desk.intake(intake(received_at=None), clock.now())
        holder = referral.offers[0].agent_id
        roster_desk.respond(referral.id, holder, "accept", clock.now())
    roster_desk.intake(intake(received_at=None), clock.now())
    with roster_desk.store.read() as session:
        ids = [agent.id for agent in roster_desk.agents()]
        profiles = {agent.id: agent.load for agent in load_profiles(session, ids)}
    assert profiles == counted_loads(roster_desk)
    assert sum(profiles.values()) == 5


@pytest.mark.parametrize(
    ("scores", "tied"),
    [
        ((0.9, 0.8, 0.7), set()),
        ((0.9, 0.9, 0.7), {"A", "B"}),
        ((0.5, 0.5, 0.5), {"A", "B", "C"}),
        ((0.7, 0.6 + 0.1, 0.2), {"A", "B"}),  # equal once rounded, as rank compares them
    ],
)
def test_tied_agents_are_those_sharing_a_rounded_score(
    scores: tuple[float, ...], tied: set[str]
) -> None:
    """Only agents whose score another agent shares need their 30-day counts."""
    from referral_desk.engine.rules.scoring import Breakdown

    nothing = Breakdown(0, 0, 0, 0, 0)
    ranked = [RankedAgent(name, score, nothing) for name, score in zip("ABC", scores, strict=True)]
    assert tied_agent_ids(ranked) == tied
