"""Picking among the interested beyond the network: an open referral, and receivers invited
to a private one.

An `open` referral goes at once to every eligible agent covering the market,
whatever their network group; agents answer `interest`, the sender `award`s one;
nobody interested by the end of the window → unassigned and flagged. `invite`
adds eligible receivers to a private referral, which from then on is picked among
the interested the same way.
"""

from __future__ import annotations

from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput, NotFound, Refused
from tests.factories import intake


def snapshot(desk: Desk) -> tuple[Any, ...]:
    return (desk.revision(), desk.queue(), desk.outbox(), desk.flags())


def test_an_open_referral_goes_to_every_eligible_agent_of_the_market_at_once(
    roster_desk: Desk, clock: ManualClock
) -> None:
    preview = roster_desk.preview(intake(mode="open"), clock.now())
    [referral] = roster_desk.intake(intake(received_at=None, mode="open"), clock.now())
    offered = [offer.agent_id for offer in referral.open_offers]
    assert offered == [choice.agent_id for choice in preview.ranked]
    assert len(offered) > 3
    networks = {roster_desk.agent(agent).network for agent in offered}
    assert len(networks) > 1, "every group of the market, not one network"
    messages = [m for m in roster_desk.outbox() if m.kind == "open_offer"]
    assert len(messages) == len(offered)
    assert all("Lopez" not in m.body and "maria.lopez" not in m.body for m in messages)


def test_an_open_referral_takes_interest_and_the_sender_awards_one(
    roster_desk: Desk, clock: ManualClock
) -> None:
    [referral] = roster_desk.intake(intake(received_at=None, mode="open"), clock.now())
    first, second = (offer.agent_id for offer in referral.open_offers[:2])
    with pytest.raises(Refused, match=r"^response: open offers take 'interest'"):
        roster_desk.respond(referral.id, first, "accept", clock.advance(minutes=1))
    roster_desk.respond(referral.id, first, "interest", clock.advance(minutes=1))
    roster_desk.respond(referral.id, second, "interest", clock.advance(minutes=1))
    awarded = roster_desk.award(referral.id, second, clock.advance(minutes=1))
    assert (awarded.status, awarded.assigned_agent_id) == ("pending", second)
    assert all(o.status in ("accepted", "withdrawn") for o in awarded.offers)


def test_an_open_referral_nobody_wants_is_unassigned_and_flagged(
    roster_desk: Desk, clock: ManualClock
) -> None:
    [referral] = roster_desk.intake(intake(received_at=None, mode="open"), clock.now())
    roster_desk.tick(clock.advance(hours=1))
    assert roster_desk.referral(referral.id).status == "unassigned"
    [flag] = [f for f in roster_desk.flags() if f.referral_id == referral.id]
    assert "no agent took an interest in time (open referral)" in flag.detail


@pytest.fixture
def private(roster_desk: Desk, clock: ManualClock) -> str:
    [referral] = roster_desk.intake(
        intake(received_at=None, mode="private", agent_id="P-ATX-02"), clock.now()
    )
    return referral.id


def test_invited_receivers_get_offers_and_the_sender_awards_among_the_interested(
    roster_desk: Desk, clock: ManualClock, private: str
) -> None:
    invited = roster_desk.routing.invite(private, ["P-ATX-05", "T-ATX-01"], clock.now())
    assert invited.mode == "private"
    assert [o.agent_id for o in invited.open_offers] == ["P-ATX-02", "P-ATX-05", "T-ATX-01"]
    assert [m.kind for m in roster_desk.outbox()].count("invite_offer") == 2
    with pytest.raises(Refused, match=r"^response: private offers take 'interest'"):
        roster_desk.respond(private, "P-ATX-02", "accept", clock.advance(minutes=1))
    roster_desk.respond(private, "P-ATX-02", "interest", clock.advance(minutes=1))
    roster_desk.respond(private, "P-ATX-05", "interest", clock.advance(minutes=1))
    awarded = roster_desk.award(private, "P-ATX-05", clock.advance(minutes=1))
    assert (awarded.status, awarded.assigned_agent_id) == ("pending", "P-ATX-05")


def test_invited_nobody_interested_in_time_is_unassigned(
    roster_desk: Desk, clock: ManualClock, private: str
) -> None:
    roster_desk.routing.invite(private, ["P-ATX-05"], clock.now())
    roster_desk.respond(private, "P-ATX-02", "decline", clock.advance(minutes=1))
    assert roster_desk.referral(private).status == "offered", "P-ATX-05 may still be interested"
    roster_desk.tick(clock.advance(hours=1))
    assert roster_desk.referral(private).status == "unassigned"


@pytest.mark.parametrize(
    ("agents", "line"),
    [
        (["P-DEN-01"], "agent_id: P-DEN-01 is not eligible: does not cover"),
        (["P-ATX-03"], "agent_id: P-ATX-03 is not eligible: serves sellers only"),
        (["P-ATX-05", "NOBODY"], "agent_id: unknown agent 'NOBODY'"),
        (["P-ATX-02"], "agent_id: P-ATX-02 is not eligible: already holds an offer"),
        ([" "], "agent_id: name at least one agent"),
    ],
)
def test_an_invite_to_an_agent_who_cannot_take_it_writes_nothing(
    roster_desk: Desk, clock: ManualClock, private: str, agents: list[str], line: str
) -> None:
    before = snapshot(roster_desk)
    with pytest.raises(InvalidInput, match=f"^{line}"):
        roster_desk.routing.invite(private, agents, clock.now())
    assert snapshot(roster_desk) == before


def test_only_a_private_referral_takes_invites(roster_desk: Desk, clock: ManualClock) -> None:
    [referral] = roster_desk.intake(intake(received_at=None), clock.now())
    before = snapshot(roster_desk)
    with pytest.raises(Refused, match=r"^mode: only a private referral takes more receivers"):
        roster_desk.routing.invite(referral.id, ["P-ATX-05"], clock.now())
    with pytest.raises(NotFound):
        roster_desk.routing.invite("R-000999", ["P-ATX-05"], clock.now())
    assert snapshot(roster_desk) == before


@pytest.mark.parametrize("typed", ["x" * 5000, "P-ATX-05\x1b[2J", "P-ATX-05\u202e"])
def test_a_hostile_agent_id_is_quoted_short_and_as_text(
    roster_desk: Desk, clock: ManualClock, private: str, typed: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        roster_desk.routing.invite(private, [typed], clock.now())
    [line] = refused.value.problems
    assert line.startswith("agent_id: unknown agent '") and len(line) < 120
    assert line.isprintable()
