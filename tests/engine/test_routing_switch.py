"""Routing switched off (`routing_enabled` false) and back on, every setting kept.

With routing off, referrals are taken in and wait as `new`: no offer, no message.
Turning it back on routes every one of them, oldest first, in that same command.
"""

from __future__ import annotations

from datetime import timedelta

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from tests.factories import intake


def test_referrals_wait_while_routing_is_off_and_route_oldest_first_when_it_is_on(
    roster_desk: Desk, clock: ManualClock
) -> None:
    desk = roster_desk
    desk.set_setting("acceptance_window_minutes", "45", clock.now())
    desk.set_setting("routing_enabled", "false", clock.now())
    assert desk.settings().acceptance_window_minutes == 45
    later = desk.intake(intake(received_at=None, client_first_name="Later"), clock.now())[0]
    earlier = desk.intake(
        intake(
            received_at=(clock.now() - timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
            client_first_name="Earlier",
        ),
        clock.now(),
    )[0]
    for held in (later, earlier):
        stored = desk.referral(held.id)
        assert (stored.status, stored.offers) == ("new", ())
    assert [m for m in desk.outbox() if m.kind == "offer"] == []

    clock.advance(minutes=5)
    desk.set_setting("routing_enabled", "true", clock.now())
    routed = [desk.referral(earlier.id), desk.referral(later.id)]
    assert [r.status for r in routed] == ["offered", "offered"]
    first_offers = [r.offers[0] for r in routed]
    assert [o.offered_at for o in first_offers] == [clock.now(), clock.now()]
    assert first_offers[0].id < first_offers[1].id, "the oldest referral is routed first"
    assert all(o.expires_at - o.offered_at == timedelta(minutes=45) for o in first_offers)
    assert len([m for m in desk.outbox() if m.kind == "offer"]) == 2


def test_turning_routing_on_when_it_is_on_changes_nothing(
    roster_desk: Desk, clock: ManualClock
) -> None:
    desk = roster_desk
    [referral] = desk.intake(intake(received_at=None), clock.now())
    offers = desk.referral(referral.id).offers
    desk.set_setting("routing_enabled", "true", clock.advance(minutes=1))
    assert desk.referral(referral.id).offers == offers
