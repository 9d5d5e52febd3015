"""The inside sales agent (mode `isa`, setting `isa_agent_id`, `handoff`).

An `isa` referral waits with the team's ISA, `qualifying`, with no offer and no
window; the ISA gets the client's contact to call them. `handoff` routes it by a
mode or privately; once an agent takes it, the ISA has a follow-up task 48 hours
after the award. Every refusal names its field and writes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput, NotFound, Refused
from tests.factories import intake

ISA = "T-HQ-01"
"""Priya Raman, a team member of the demo roster (covering every market)."""


@pytest.fixture
def isa_desk(roster_desk: Desk, clock: ManualClock) -> Desk:
    roster_desk.set_setting("isa_agent_id", ISA, clock.now())
    return roster_desk


def with_isa(desk: Desk, clock: ManualClock, **changes: Any) -> str:
    [referral] = desk.intake(intake(received_at=None, mode="isa", **changes), clock.now())
    return referral.id


def snapshot(desk: Desk) -> tuple[Any, ...]:
    """Everything a refused write must leave as it was."""
    return (desk.revision(), desk.queue(), desk.tasks(), desk.outbox(), desk.flags())


def test_an_isa_referral_waits_with_the_isa_who_gets_the_contact(
    isa_desk: Desk, clock: ManualClock
) -> None:
    referral = isa_desk.referral(with_isa(isa_desk, clock))
    assert (referral.status, referral.assigned_agent_id, referral.offers) == (
        "qualifying",
        ISA,
        (),
    )
    assert referral.id in [waiting.id for waiting in isa_desk.queue()]
    [message] = isa_desk.outbox()
    assert (message.kind, message.to) == ("isa", "priya.raman@example.com")
    assert "maria.lopez@example.com" in message.body and "Lopez" in message.body
    assert isa_desk.agent(ISA).load == 0, "qualifying takes none of the ISA's slots"


def test_without_an_isa_the_mode_is_refused_and_nothing_is_written(
    roster_desk: Desk, clock: ManualClock
) -> None:
    before = snapshot(roster_desk)
    with pytest.raises(InvalidInput, match=r"^mode: isa needs the setting isa_agent_id"):
        roster_desk.intake([intake(), intake(mode="isa")], clock.now())
    assert snapshot(roster_desk) == before


@pytest.mark.parametrize(
    ("agent_id", "error"),
    [("P-ATX-01", "is a partner; the ISA is a team member"), ("NOBODY", "unknown agent")],
)
def test_the_isa_is_a_team_member_on_the_roster(
    roster_desk: Desk, clock: ManualClock, agent_id: str, error: str
) -> None:
    with pytest.raises(InvalidInput, match=rf"^isa_agent_id: .*{error}"):
        roster_desk.set_setting("isa_agent_id", agent_id, clock.now())
    assert roster_desk.settings().isa_agent_id is None


def test_a_hand_off_routes_it_by_the_default_mode(isa_desk: Desk, clock: ManualClock) -> None:
    referral_id = with_isa(isa_desk, clock)
    handed = isa_desk.routing.handoff(referral_id, clock.advance(hours=3))
    assert handed.status == "offered" and handed.assigned_agent_id is None
    assert len(handed.open_offers) == 1 and handed.open_offers[0].agent_id != ISA
    assert handed.mode == "best_fit"
    handoff = next(event for event in handed.events if event.kind == "handoff")
    assert handoff.agent_id == ISA


def test_a_hand_off_by_broadcast_offers_it_to_several(isa_desk: Desk, clock: ManualClock) -> None:
    handed = isa_desk.routing.handoff(with_isa(isa_desk, clock), clock.now(), mode="broadcast")
    assert handed.mode == "broadcast" and len(handed.open_offers) > 1


def test_a_hand_off_to_one_agent_is_a_private_offer(isa_desk: Desk, clock: ManualClock) -> None:
    handed = isa_desk.routing.handoff(with_isa(isa_desk, clock), clock.now(), agent_id="P-ATX-02")
    assert handed.mode == "private"
    assert [offer.agent_id for offer in handed.open_offers] == ["P-ATX-02"]


@pytest.mark.parametrize(
    ("options", "error", "field"),
    [
        ({"agent_id": "P-DEN-01"}, InvalidInput, "agent_id: P-DEN-01 is not eligible"),
        ({"agent_id": "NOBODY"}, InvalidInput, "agent_id: unknown agent"),
        ({"mode": "isa"}, InvalidInput, "mode: hand off by one of"),
        ({"mode": "private"}, InvalidInput, "agent_id: a private hand-off names the agent"),
        ({"mode": "sideways"}, InvalidInput, "mode: hand off by one of"),
    ],
)
def test_a_hand_off_that_cannot_be_made_writes_nothing(
    isa_desk: Desk, clock: ManualClock, options: dict[str, str], error: type, field: str
) -> None:
    referral_id = with_isa(isa_desk, clock)
    before = snapshot(isa_desk)
    with pytest.raises(error, match=f"^{field}"):
        isa_desk.routing.handoff(referral_id, clock.now(), **options)
    assert snapshot(isa_desk) == before
    assert isa_desk.referral(referral_id).status == "qualifying"


def test_only_a_qualifying_referral_is_handed_off(isa_desk: Desk, clock: ManualClock) -> None:
    [offered] = isa_desk.intake(intake(received_at=None), clock.now())
    with pytest.raises(Refused, match=r"^status: R-000001 is offered, not qualifying"):
        isa_desk.routing.handoff(offered.id, clock.now())
    with pytest.raises(NotFound):
        isa_desk.routing.handoff("R-000999", clock.now())


def test_the_status_command_cannot_hand_it_off(isa_desk: Desk, clock: ManualClock) -> None:
    referral_id = with_isa(isa_desk, clock)
    with pytest.raises(Refused, match=r"the hand-off \(referral-desk handoff ID\) makes that move"):
        isa_desk.change_status(referral_id, "new", clock.now())
    lost = isa_desk.change_status(referral_id, "lost", clock.now(), reason="went with a friend")
    assert lost.status == "lost"


def test_once_an_agent_takes_it_the_isa_follows_up_48_hours_later(
    isa_desk: Desk, clock: ManualClock
) -> None:
    handed = isa_desk.routing.handoff(with_isa(isa_desk, clock), clock.advance(hours=1))
    taker = handed.open_offers[0].agent_id
    taken_at = clock.advance(minutes=5)
    isa_desk.respond(handed.id, taker, "accept", taken_at)
    [followup] = [task for task in isa_desk.tasks() if task.kind == "isa_followup"]
    assert (followup.referral_id, followup.agent_id) == (handed.id, ISA)
    assert followup.due_at == taken_at + timedelta(hours=48)
    assert "Maria" in followup.draft and taker in followup.draft
    assert "Lopez" not in followup.draft


def test_a_network_award_after_a_hand_off_gives_the_follow_up_too(
    isa_desk: Desk, clock: ManualClock
) -> None:
    handed = isa_desk.routing.handoff(with_isa(isa_desk, clock), clock.now(), mode="network")
    agent = handed.open_offers[0].agent_id
    isa_desk.respond(handed.id, agent, "interest", clock.advance(minutes=1))
    isa_desk.award(handed.id, agent, clock.advance(minutes=1))
    assert [t.agent_id for t in isa_desk.tasks() if t.kind == "isa_followup"] == [ISA]


def test_a_referral_the_isa_never_had_gets_no_follow_up(isa_desk: Desk, clock: ManualClock) -> None:
    [referral] = isa_desk.intake(intake(received_at=None), clock.now())
    isa_desk.respond(referral.id, referral.open_offers[0].agent_id, "accept", clock.now())
    assert [task.kind for task in isa_desk.tasks() if task.kind == "isa_followup"] == []


def test_with_isa_the_default_mode_every_intake_goes_to_the_isa_first(
    isa_desk: Desk, clock: ManualClock
) -> None:
    isa_desk.set_setting("default_mode", "isa", clock.now())
    payload = intake(received_at=None)
    del payload["mode"]
    [referral] = isa_desk.intake(payload, clock.now())
    assert referral.status == "qualifying"
    assert isa_desk.routing.handoff(referral.id, clock.now()).mode == "best_fit"


def test_a_hand_off_while_routing_is_off_waits_as_new(isa_desk: Desk, clock: ManualClock) -> None:
    referral_id = with_isa(isa_desk, clock)
    isa_desk.set_setting("routing_enabled", "false", clock.now())
    held = isa_desk.routing.handoff(referral_id, clock.now())
    assert (held.status, held.offers, held.assigned_agent_id) == ("new", (), None)
    isa_desk.set_setting("routing_enabled", "true", clock.advance(minutes=1))
    assert isa_desk.referral(referral_id).status == "offered"
