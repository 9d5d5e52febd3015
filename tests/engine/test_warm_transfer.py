"""Warm transfer (mode `warm_transfer`): the client is on the line now.

Offered at once to the agents of `warm_transfer_agent_ids` (at most two) and the
fallback agent, whatever market they cover, skipping inactive and away ones, with
`warm_transfer_window_minutes` (2) from the offer; sent urgent by SMS or call; the
first claim wins; nobody in time → unassigned and flagged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from tests.factories import intake

DENVER = "P-DEN-01"
"""A Denver partner: does not cover the Austin referral, and is alerted anyway."""
AWAY = "P-ATX-04"
"""Away until January 2027 in the demo roster."""
FALLBACK = "T-HQ-01"
"""Priya Raman; prefers email, so her urgent alert shows the SMS rule."""


@pytest.fixture
def warm_desk(roster_desk: Desk, clock: ManualClock) -> Desk:
    roster_desk.set_setting("warm_transfer_agent_ids", f"{DENVER};{AWAY}", clock.now())
    roster_desk.set_setting("fallback_agent_id", FALLBACK, clock.now())
    return roster_desk


def on_the_line(desk: Desk, clock: ManualClock, **changes: Any) -> str:
    [referral] = desk.intake(intake(received_at=None, mode="warm_transfer", **changes), clock.now())
    return referral.id


def test_the_named_agents_and_the_fallback_are_alerted_at_once_for_two_minutes(
    warm_desk: Desk, clock: ManualClock
) -> None:
    referral = warm_desk.referral(on_the_line(warm_desk, clock))
    assert referral.status == "offered"
    assert [o.agent_id for o in referral.open_offers] == [DENVER, FALLBACK]
    assert {o.expires_at - o.offered_at for o in referral.open_offers} == {timedelta(minutes=2)}
    alerts = [m for m in warm_desk.outbox() if m.kind == "warm_transfer_offer"]
    assert sorted(m.channel for m in alerts) == ["sms", "sms"]  # Priya's usual is email
    for alert in alerts:
        assert alert.subject.startswith("URGENT")
        assert "Lopez" not in alert.body and "maria.lopez" not in alert.body
        assert "555 0142" not in alert.body and "5550142" not in alert.body


def test_the_window_is_the_setting(warm_desk: Desk, clock: ManualClock) -> None:
    warm_desk.set_setting("warm_transfer_window_minutes", "5", clock.now())
    referral = warm_desk.referral(on_the_line(warm_desk, clock))
    assert {o.expires_at - o.offered_at for o in referral.open_offers} == {timedelta(minutes=5)}


def test_the_first_claim_takes_the_call_and_the_others_are_withdrawn(
    warm_desk: Desk, clock: ManualClock
) -> None:
    referral_id = on_the_line(warm_desk, clock)
    claimed = warm_desk.respond(referral_id, FALLBACK, "claim", clock.advance(seconds=40))
    assert (claimed.status, claimed.assigned_agent_id) == ("awarded", FALLBACK)
    denver = next(o for o in claimed.offers if o.agent_id == DENVER)
    assert denver.status == "withdrawn"


def test_nobody_in_time_leaves_it_unassigned_and_flagged(
    warm_desk: Desk, clock: ManualClock
) -> None:
    referral_id = on_the_line(warm_desk, clock)
    warm_desk.respond(referral_id, DENVER, "decline", clock.advance(seconds=30))
    lapses = warm_desk.tick(clock.advance(minutes=2))
    assert [(lapse.agent_id, lapse.referral_status) for lapse in lapses] == [
        (FALLBACK, "unassigned")
    ]
    [flag] = [f for f in warm_desk.flags() if f.referral_id == referral_id]
    assert flag.kind == "roster_exhausted" and "warm transfer" in flag.detail


def test_with_nobody_ready_it_is_unassigned_at_once(roster_desk: Desk, clock: ManualClock) -> None:
    roster_desk.set_setting("warm_transfer_agent_ids", AWAY, clock.now())
    referral = roster_desk.referral(on_the_line(roster_desk, clock))
    assert referral.status == "unassigned" and referral.offers == ()


def test_a_third_named_agent_or_an_unknown_one_is_refused(
    warm_desk: Desk, clock: ManualClock
) -> None:
    with pytest.raises(InvalidInput, match=r"^warm_transfer_agent_ids: at most 2 agents"):
        warm_desk.set_setting("warm_transfer_agent_ids", "P-DEN-01;P-ATX-01;P-PHX-01", clock.now())
    with pytest.raises(InvalidInput, match=r"^warm_transfer_agent_ids: unknown agent 'NOBODY'"):
        warm_desk.set_setting("warm_transfer_agent_ids", "P-DEN-01;NOBODY", clock.now())
    assert warm_desk.settings().warm_transfer_agent_ids == f"{DENVER};{AWAY}"


def test_a_warm_transfer_is_no_default_mode(warm_desk: Desk, clock: ManualClock) -> None:
    with pytest.raises(InvalidInput, match=r"^default_mode: must be"):
        warm_desk.set_setting("default_mode", "warm_transfer", clock.now())


def test_the_isa_can_hand_off_as_a_warm_transfer(warm_desk: Desk, clock: ManualClock) -> None:
    warm_desk.set_setting("isa_agent_id", FALLBACK, clock.now())
    [held] = warm_desk.intake(intake(received_at=None, mode="isa"), clock.now())
    handed = warm_desk.routing.handoff(held.id, clock.now(), mode="warm_transfer")
    assert handed.mode == "warm_transfer"
    assert [o.agent_id for o in handed.open_offers] == [DENVER, FALLBACK]


def test_preview_lists_who_a_warm_transfer_would_alert(warm_desk: Desk, clock: ManualClock) -> None:
    decision = warm_desk.preview(intake(mode="warm_transfer"), clock.now())
    assert [choice.agent_id for choice in decision.ranked] == [DENVER, FALLBACK]
    reasons = {exclusion.agent_id: exclusion.reason for exclusion in decision.excluded}
    assert reasons[AWAY].startswith("away until")
    assert reasons["P-ATX-01"].startswith("not a warm-transfer agent")
    assert len(decision.ranked) + len(decision.excluded) == len(warm_desk.agents())


def test_preview_of_an_isa_referral_names_the_isa(warm_desk: Desk, clock: ManualClock) -> None:
    warm_desk.set_setting("isa_agent_id", FALLBACK, clock.now())
    decision = warm_desk.preview(intake(mode="isa"), clock.now())
    assert [choice.agent_id for choice in decision.ranked] == [FALLBACK]
    assert len(decision.excluded) == len(warm_desk.agents()) - 1
