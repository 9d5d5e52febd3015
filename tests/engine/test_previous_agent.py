"""An existing relationship wins (`prefer_previous_agent`, on by default).

A returning source's next referral is offered first to the agent who took its
last one, when that agent is eligible now, in the sequential modes; the
`offered` event says so. Otherwise, and once that agent has had their chance,
routing goes on in its usual order.
"""

from __future__ import annotations

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.views import ReferralView
from tests.factories import intake


def first_taken_by_second_choice(desk: Desk, clock: ManualClock) -> tuple[ReferralView, str, str]:
    """The source's first referral: the top agent declines, the next accepts.
    Returns the referral, the top agent and the agent who took it."""
    [first] = desk.intake(intake(received_at=None, client_first_name="Ana"), clock.now())
    top = first.open_offers[0].agent_id
    desk.respond(first.id, top, "decline", clock.advance(minutes=1))
    taker = desk.referral(first.id).open_offers[0].agent_id
    desk.respond(first.id, taker, "accept", clock.advance(minutes=1))
    assert desk.referral(first.id).assigned_agent_id == taker
    return first, top, taker


def offered_event_detail(desk: Desk, referral_id: str) -> str:
    return next(e.detail for e in desk.referral(referral_id).events if e.kind == "offered")


@pytest.mark.parametrize("mode", ["best_fit", "round_robin", "on_duty"])
def test_the_source_s_next_referral_goes_first_to_the_agent_who_took_its_last(
    roster_desk: Desk, clock: ManualClock, mode: str
) -> None:
    first, top, taker = first_taken_by_second_choice(roster_desk, clock)
    [second] = roster_desk.intake(
        intake(received_at=None, client_first_name="Bo", mode=mode), clock.advance(days=3)
    )
    assert [offer.agent_id for offer in second.open_offers] == [taker] != [top]
    assert offered_event_detail(roster_desk, second.id).endswith(
        f"served this source's referral {first.id}"
    )


def test_switched_off_the_usual_order_is_kept(roster_desk: Desk, clock: ManualClock) -> None:
    roster_desk.set_setting("prefer_previous_agent", "false", clock.now())
    _first, top, taker = first_taken_by_second_choice(roster_desk, clock)
    [second] = roster_desk.intake(intake(received_at=None), clock.advance(days=3))
    assert [offer.agent_id for offer in second.open_offers] == [top] != [taker]
    assert "served this source" not in offered_event_detail(roster_desk, second.id)


def test_a_previous_agent_who_cannot_take_it_now_is_passed_over(
    roster_desk: Desk, clock: ManualClock
) -> None:
    _first, top, taker = first_taken_by_second_choice(roster_desk, clock)
    roster_desk.set_active(taker, False, clock.advance(minutes=1))
    [second] = roster_desk.intake(intake(received_at=None), clock.advance(days=3))
    assert [offer.agent_id for offer in second.open_offers] == [top]
    assert "served this source" not in offered_event_detail(roster_desk, second.id)


def test_after_the_previous_agent_declines_routing_goes_on_in_order(
    roster_desk: Desk, clock: ManualClock
) -> None:
    _first, top, taker = first_taken_by_second_choice(roster_desk, clock)
    [second] = roster_desk.intake(intake(received_at=None), clock.advance(days=3))
    roster_desk.respond(second.id, taker, "decline", clock.advance(minutes=1))
    assert [o.agent_id for o in roster_desk.referral(second.id).open_offers] == [top]


def test_another_source_is_routed_as_usual(roster_desk: Desk, clock: ManualClock) -> None:
    _first, top, _taker = first_taken_by_second_choice(roster_desk, clock)
    [other] = roster_desk.intake(
        intake(
            received_at=None,
            source__name="Someone Else",
            source__email="someone@else.example",
        ),
        clock.advance(days=3),
    )
    assert [offer.agent_id for offer in other.open_offers] == [top]


def test_a_broadcast_is_not_narrowed_to_the_previous_agent(
    roster_desk: Desk, clock: ManualClock
) -> None:
    _first, _top, _taker = first_taken_by_second_choice(roster_desk, clock)
    [second] = roster_desk.intake(intake(received_at=None, mode="broadcast"), clock.advance(days=3))
    assert len(second.open_offers) > 1
