"""Routing through the desk service: the modes, responses, hard filters, preview and windows.

Every test drives the real desk (its database and transactions) with a
manual clock, and checks what the VA would see: who holds the offer now, what the
offer says, what the history records, and which flags the team lead gets.
"""

from __future__ import annotations

import math
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.views import OfferView, ReferralView
from referral_desk.engine.rules.errors import DeskError, InvalidInput
from tests.factories import agent_row, intake

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
"""Monday 23 November 2026, 08:00 in Chicago (the `clock` fixture's start)."""
WINDOW = timedelta(minutes=30)
SEED_BREAKDOWN = {
    "territory": 1.0,
    "price": 1.0,
    "capacity": 1.0,
    "history": 0.5,
    "property_type": 1.0,
}


# --- helpers -----------------------------------------------------------------------


def add_agent(desk: Desk, now: datetime, agent_id: str, **cells: str) -> None:
    """Adds a roster agent: by default an Austin agent covering ZIP 78704, both sides."""
    desk.save_agent(agent_row(id=agent_id, name=f"Agent {agent_id}", **cells), now)


def metro_only(**cells: str) -> dict[str, str]:
    """Cells of an agent who lists Austin but none of its ZIPs (territory 0.6)."""
    return {"metros": "Austin", "zips": "", **cells}


def new_referral(desk: Desk, now: datetime, **changes: Any) -> ReferralView:
    """Stores one referral received now (the contract's Austin buyer by default)."""
    changes.setdefault("received_at", None)
    return desk.intake(intake(**changes), now)[0]


def open_offers(desk: Desk, referral_id: str) -> list[OfferView]:
    return list(desk.referral(referral_id).open_offers)


def only_open_offer(desk: Desk, referral_id: str) -> OfferView:
    offers = open_offers(desk, referral_id)
    assert len(offers) == 1, [(o.agent_id, o.status) for o in offers]
    return offers[0]


def offered_agents(desk: Desk, referral_id: str) -> list[str]:
    return [offer.agent_id for offer in desk.referral(referral_id).offers]


def event_kinds(desk: Desk, referral_id: str) -> list[str]:
    return [event.kind for event in desk.referral(referral_id).events]


def flag_kinds(desk: Desk, referral_id: str) -> list[str]:
    return [flag.kind for flag in desk.referral(referral_id).flags]


def weighted_mean(breakdown: dict[str, float], weights: dict[str, float]) -> float:
    return sum(weights[key] * breakdown[key] for key in weights) / sum(weights.values())


def view_weights(desk: Desk) -> dict[str, float]:
    return desk.settings().weights


def seed(desk: Desk, now: datetime) -> ReferralView:
    """The seed scenario: fallback T-HQ-01, then the contract's Denver → Austin buyer."""
    desk.set_setting("fallback_agent_id", "T-HQ-01", now)
    return desk.intake(intake(), now)[0]


def table_counts(db_path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db_path)) as connection:
        return {
            table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("referral", "offer", "event", "flag", "referring_party")
        }


def set_status_in_db(db_path: Path, referral_id: str, status: str) -> None:
    """Moves a referral's status directly (the desk has no lifecycle command yet)."""
    number = int(referral_id.removeprefix("R-"))
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute("UPDATE referral SET status = ? WHERE id = ?", (status, number))
        connection.commit()


# --- the seed scenario -------------------------------------------------------------


def test_seed_relocation_buyer_is_offered_first_to_the_best_fit_austin_agent(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """The Denver → Austin buyer goes first to Dana (P-ATX-01), with the why on the offer."""
    referral = seed(roster_desk, clock.now())

    assert referral.status == "offered"
    [offer] = referral.offers
    assert offer.agent_id == "P-ATX-01"
    assert offer.status == "offered"
    assert offer.breakdown == SEED_BREAKDOWN
    assert math.isclose(offer.score, weighted_mean(offer.breakdown, roster_desk.settings().weights))
    assert math.isclose(offer.score, 0.95)
    assert offer.offered_at == T0
    assert offer.expires_at == T0 + WINDOW
    kinds = event_kinds(roster_desk, referral.id)
    assert kinds[0] == "received"
    assert kinds.count("offered") == 1


def test_the_history_says_when_the_answer_is_due_in_the_desks_time(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """The offer's line in the timeline reads the deadline as the VA's clock shows it."""
    referral = seed(roster_desk, clock.now())
    [offered] = [e for e in roster_desk.referral(referral.id).events if e.kind == "offered"]
    assert offered.detail.endswith("answer by Mon Nov 23 08:30 CST")  # 14:30 UTC
    roster_desk.set_setting("timezone", "America/New_York", clock.now())
    again = seed(roster_desk, clock.now())
    [offered] = [e for e in roster_desk.referral(again.id).events if e.kind == "offered"]
    assert offered.detail.endswith("answer by Mon Nov 23 09:30 EST")


def test_seed_unanswered_offer_lapses_at_its_expiry_and_the_next_agent_gets_a_full_window(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """No answer in 30 minutes: the clock lapses it (dated at the expiry) and offers it on."""
    referral = seed(roster_desk, clock.now())
    tick_at = clock.advance(minutes=31)

    # Nothing but the clock changes state: reading the referral does not lapse it.
    assert only_open_offer(roster_desk, referral.id).agent_id == "P-ATX-01"

    lapses = roster_desk.tick(tick_at)

    assert [(lapse.agent_id, lapse.expired_at, lapse.next_agent_ids) for lapse in lapses] == [
        ("P-ATX-01", T0 + WINDOW, ("P-ATX-02",))
    ]
    view = roster_desk.referral(referral.id)
    first, second = view.offers
    assert (first.agent_id, first.status) == ("P-ATX-01", "lapsed")
    lapse_events = [event for event in view.events if event.kind == "lapsed"]
    assert [(event.at, event.agent_id) for event in lapse_events] == [(T0 + WINDOW, "P-ATX-01")]
    assert (second.agent_id, second.status) == ("P-ATX-02", "offered")
    assert second.offered_at == tick_at
    assert second.expires_at == tick_at + WINDOW
    assert math.isclose(second.score, weighted_mean(second.breakdown, view_weights(roster_desk)))
    assert view.status == "offered"
    # A second beat at the same moment has nothing left to do.
    assert roster_desk.tick(tick_at) == []


def test_desk_closed_overnight_catches_up_one_step_without_burning_the_roster(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """After an outage each due offer lapses once, and the next agent gets a fresh window."""
    referral = seed(roster_desk, clock.now())
    morning = clock.advance(hours=18)

    lapses = roster_desk.tick(morning)

    assert [lapse.agent_id for lapse in lapses] == ["P-ATX-01"]
    current = only_open_offer(roster_desk, referral.id)
    assert current.agent_id == "P-ATX-02"
    assert (current.offered_at, current.expires_at) == (morning, morning + WINDOW)


def test_seed_decline_keeps_its_reason_and_moves_to_the_next_best_agent(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """A decline is recorded with the agent's reason and the next best agent is offered."""
    referral = seed(roster_desk, clock.now())
    answered_at = clock.advance(minutes=4)

    roster_desk.respond(
        referral.id, "P-ATX-01", "decline", answered_at, reason="fully booked until January"
    )

    view = roster_desk.referral(referral.id)
    first, second = view.offers
    assert (first.status, first.reason, first.responded_at) == (
        "declined",
        "fully booked until January",
        answered_at,
    )
    declined = [event for event in view.events if event.kind == "declined"]
    assert [(event.agent_id, event.detail) for event in declined] == [
        ("P-ATX-01", "fully booked until January")
    ]
    assert (second.agent_id, second.status, second.offered_at) == (
        "P-ATX-02",
        "offered",
        answered_at,
    )
    assert second.expires_at == answered_at + WINDOW


def test_seed_roster_exhausted_goes_to_the_fallback_then_unassigned_with_a_flag(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """Every eligible Austin agent declines → the fallback (T-HQ-01) → unassigned + flag."""
    referral = seed(roster_desk, clock.now())
    roster_desk.set_setting("max_offers_before_fallback", "10", clock.now())
    expected = ["P-ATX-01", "P-ATX-02", "T-ATX-01", "T-ATX-02", "P-ATX-05", "T-HQ-01"]

    for agent_id in expected:
        assert only_open_offer(roster_desk, referral.id).agent_id == agent_id
        roster_desk.respond(referral.id, agent_id, "decline", clock.advance(minutes=2))

    view = roster_desk.referral(referral.id)
    assert offered_agents(roster_desk, referral.id) == expected
    assert view.status == "unassigned"
    assert view.assigned_agent_id is None
    assert view.open_offers == ()
    assert [flag.kind for flag in view.flags] == ["roster_exhausted"]
    kinds = [event.kind for event in view.events]
    assert kinds.count("fallback") == 1
    assert kinds.count("unassigned") == 1
    assert kinds.index("fallback") < len(kinds) - 1 - kinds[::-1].index("offered")
    assert referral.id in [item.id for item in roster_desk.queue()]


def test_max_offers_before_fallback_sends_the_third_offer_to_the_fallback(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """With max_offers_before_fallback = 2, the third offer goes to the fallback agent."""
    roster_desk.set_setting("max_offers_before_fallback", "2", clock.now())
    referral = seed(roster_desk, clock.now())

    roster_desk.respond(referral.id, "P-ATX-01", "decline", clock.advance(minutes=1))
    roster_desk.respond(referral.id, "P-ATX-02", "decline", clock.advance(minutes=1))

    assert offered_agents(roster_desk, referral.id) == ["P-ATX-01", "P-ATX-02", "T-HQ-01"]
    assert only_open_offer(roster_desk, referral.id).agent_id == "T-HQ-01"
    assert "fallback" in event_kinds(roster_desk, referral.id)


# --- one test per mode ---------------------------------------------------------------


def test_best_fit_offers_one_agent_at_a_time_in_score_order(desk: Desk, clock: ManualClock) -> None:
    """Best fit: exactly one open offer at any moment, best score first, then the next best."""
    now = clock.now()
    add_agent(desk, now, "A-ZIP")  # ZIP match, band inside: best
    add_agent(desk, now, "B-METRO", **metro_only())
    add_agent(desk, now, "C-METRO-PARTIAL", **metro_only(price_min="550000"))
    referral = new_referral(desk, now, mode="best_fit")

    seen = []
    for _ in range(3):
        offer = only_open_offer(desk, referral.id)
        assert math.isclose(offer.score, weighted_mean(offer.breakdown, desk.settings().weights))
        seen.append((offer.agent_id, offer.score))
        desk.respond(referral.id, offer.agent_id, "decline", clock.advance(minutes=1))

    assert [agent_id for agent_id, _ in seen] == ["A-ZIP", "B-METRO", "C-METRO-PARTIAL"]
    assert seen[0][1] > seen[1][1] > seen[2][1]
    assert desk.referral(referral.id).status == "unassigned"


def test_round_robin_shares_follow_the_weights(desk: Desk, clock: ManualClock) -> None:
    """Round robin: an agent with weight 2 gets twice the referrals of one with weight 1.
    Thirty sources, one referral each: a source's second referral would go first to the
    agent who took its first (`prefer_previous_agent`), not round the rotation."""
    now = clock.now()
    add_agent(desk, now, "RR-A", weight="1", capacity="100")
    add_agent(desk, now, "RR-B", weight="2", capacity="100")

    winners = []
    for number in range(30):
        referral = new_referral(
            desk,
            clock.advance(minutes=1),
            mode="round_robin",
            source__name=f"Source {number}",
            source__email=f"source{number}@example.com",
        )
        offer = only_open_offer(desk, referral.id)
        accepted = desk.respond(referral.id, offer.agent_id, "accept", clock.advance(seconds=30))
        assert accepted.status == "awarded"
        winners.append(accepted.assigned_agent_id)

    assert winners.count("RR-A") == 10
    assert winners.count("RR-B") == 20
    assert winners[:6] == ["RR-A", "RR-B", "RR-B", "RR-A", "RR-B", "RR-B"]


def test_round_robin_rotation_continues_after_the_desk_is_reopened(
    tmp_path: Path, clock: ManualClock
) -> None:
    """Closing and reopening the desk does not restart the rotation."""
    path = str(tmp_path / "rotation.db")
    first = Desk.open(path)
    add_agent(first, clock.now(), "RR-A", weight="1", capacity="100")
    add_agent(first, clock.now(), "RR-B", weight="2", capacity="100")
    before = [
        only_open_offer(first, new_referral(first, clock.advance(minutes=1), mode="round_robin").id)
        for _ in range(2)
    ]
    first.close()

    second = Desk.open(path)
    try:
        after = [
            only_open_offer(
                second, new_referral(second, clock.advance(minutes=1), mode="round_robin").id
            )
            for _ in range(4)
        ]
    finally:
        second.close()

    sequence = [offer.agent_id for offer in before + after]
    assert sequence == ["RR-A", "RR-B", "RR-B", "RR-A", "RR-B", "RR-B"]


def test_round_robin_decline_goes_to_the_next_agent_in_rotation(
    desk: Desk, clock: ManualClock
) -> None:
    """Round robin: after a decline the next eligible agent in rotation gets it, once."""
    now = clock.now()
    for agent_id in ("RR-A", "RR-B", "RR-C"):
        add_agent(desk, now, agent_id, capacity="10")
    referral = new_referral(desk, now, mode="round_robin")

    order = []
    for _ in range(3):
        offer = only_open_offer(desk, referral.id)
        order.append(offer.agent_id)
        desk.respond(referral.id, offer.agent_id, "decline", clock.advance(minutes=1))

    assert order == ["RR-A", "RR-B", "RR-C"]
    assert desk.referral(referral.id).status == "unassigned"


def on_duty_roster(desk: Desk, now: datetime) -> None:
    """D-LATE scores best but works 09-17 Chicago; D-EARLY works 08-16; F is the fallback."""
    add_agent(desk, now, "D-LATE", on_duty="mon-fri 09:00-17:00")
    add_agent(desk, now, "D-EARLY", **metro_only(on_duty="mon-fri 08:00-16:00"))
    add_agent(desk, now, "F-HQ", **metro_only(capacity="50"))
    desk.set_setting("fallback_agent_id", "F-HQ", now)


def test_on_duty_offers_only_agents_on_duty_in_the_desk_zone(
    desk: Desk, clock: ManualClock
) -> None:
    """On duty: at 08:30 Chicago only the 08:00 shift is working, though 14:30 UTC is not."""
    on_duty_roster(desk, clock.now())
    early = clock.advance(minutes=30)  # Monday 08:30 Chicago = 14:30 UTC

    referral = new_referral(desk, early, mode="on_duty")
    assert only_open_offer(desk, referral.id).agent_id == "D-EARLY"

    # Nobody else is on duty, so a decline goes to the fallback.
    desk.respond(referral.id, "D-EARLY", "decline", clock.advance(minutes=1))
    assert offered_agents(desk, referral.id) == ["D-EARLY", "F-HQ"]

    # At 09:30 Chicago both are on duty: the best of them goes first.
    later = new_referral(desk, clock.advance(hours=1), mode="on_duty")
    assert only_open_offer(desk, later.id).agent_id == "D-LATE"


def test_on_duty_with_nobody_on_duty_goes_to_the_fallback(desk: Desk, clock: ManualClock) -> None:
    """On duty: on a Sunday nobody is on duty, so the fallback agent is offered it."""
    on_duty_roster(desk, clock.now())
    sunday = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)

    referral = new_referral(desk, sunday, mode="on_duty")

    assert offered_agents(desk, referral.id) == ["F-HQ"]
    assert "fallback" in event_kinds(desk, referral.id)

    desk.set_setting("fallback_agent_id", "", sunday)
    nobody = new_referral(desk, sunday, mode="on_duty")
    assert desk.referral(nobody.id).status == "unassigned"
    assert flag_kinds(desk, nobody.id) == ["roster_exhausted"]


def broadcast_roster(desk: Desk, now: datetime) -> None:
    """Four agents with distinct scores, and a fallback; broadcasts go to the top two."""
    add_agent(desk, now, "B1")
    add_agent(desk, now, "B2", price_min="500000")
    add_agent(desk, now, "B3", **metro_only())
    add_agent(desk, now, "B4", **metro_only(price_min="500000"))
    add_agent(desk, now, "F-HQ", **metro_only(capacity="50", price_min="600000"))
    desk.set_setting("fallback_agent_id", "F-HQ", now)
    desk.set_setting("broadcast_size", "2", now)


def test_broadcast_offers_top_n_and_the_fallback_at_once_and_the_first_claim_wins(
    desk: Desk, clock: ManualClock
) -> None:
    """Broadcast: top N plus the fallback, same window; first claim wins, the rest withdrawn."""
    broadcast_roster(desk, clock.now())
    referral = new_referral(desk, clock.now(), mode="broadcast")

    offers = desk.referral(referral.id).offers
    assert sorted(offer.agent_id for offer in offers) == ["B1", "B2", "F-HQ"]
    assert {(offer.status, offer.offered_at, offer.expires_at) for offer in offers} == {
        ("offered", T0, T0 + WINDOW)
    }

    # A decline ends only that agent's offer.
    desk.respond(referral.id, "B2", "decline", clock.advance(minutes=3), reason="too far")
    view = desk.referral(referral.id)
    assert view.status == "offered"
    assert sorted(o.agent_id for o in view.open_offers) == ["B1", "F-HQ"]
    assert len(view.offers) == 3

    won = desk.respond(referral.id, "F-HQ", "claim", clock.advance(minutes=2))

    assert won.status == "awarded"
    assert won.assigned_agent_id == "F-HQ"
    assert {o.agent_id: o.status for o in won.offers} == {
        "B1": "withdrawn",
        "B2": "declined",
        "F-HQ": "accepted",
    }
    assert "claimed" in [event.kind for event in won.events]
    with pytest.raises(DeskError):
        desk.respond(referral.id, "B1", "claim", clock.advance(seconds=5))
    assert desk.referral(referral.id).assigned_agent_id == "F-HQ"


def test_broadcast_where_every_offer_lapses_is_unassigned_with_a_flag(
    desk: Desk, clock: ManualClock
) -> None:
    """Broadcast: if every offer ends unclaimed, the referral is unassigned and flagged."""
    broadcast_roster(desk, clock.now())
    referral = new_referral(desk, clock.now(), mode="broadcast")

    lapses = desk.tick(clock.advance(minutes=31))

    assert sorted(lapse.agent_id for lapse in lapses) == ["B1", "B2", "F-HQ"]
    view = desk.referral(referral.id)
    assert view.status == "unassigned"
    assert len(view.offers) == 3
    assert [event.kind for event in view.events].count("unassigned") == 1
    assert [flag.kind for flag in view.flags] == ["roster_exhausted"]


def test_network_offers_the_group_covering_the_market_and_interest_does_not_lapse(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """Network: texas-relo's eligible Austin agents are asked; interested offers wait."""
    roster_desk.set_setting("fallback_agent_id", "T-HQ-01", clock.now())
    referral = roster_desk.intake(intake(mode="network"), clock.now())[0]

    assert referral.network == "texas-relo"
    assert sorted(offer.agent_id for offer in referral.offers) == ["P-ATX-01", "P-ATX-02"]
    assert {offer.expires_at for offer in referral.offers} == {T0 + WINDOW}

    interested = roster_desk.respond(referral.id, "P-ATX-02", "interest", clock.advance(minutes=5))
    assert interested.status == "accepted"
    assert {o.agent_id: o.status for o in interested.offers}["P-ATX-02"] == "interested"

    lapses = roster_desk.tick(clock.advance(minutes=40))
    assert [lapse.agent_id for lapse in lapses] == ["P-ATX-01"]
    view = roster_desk.referral(referral.id)
    assert view.status == "accepted"
    assert {o.agent_id: o.status for o in view.offers} == {
        "P-ATX-01": "lapsed",
        "P-ATX-02": "interested",
    }

    awarded = roster_desk.award(referral.id, "P-ATX-02", clock.advance(hours=2))
    assert awarded.status == "pending"
    assert awarded.assigned_agent_id == "P-ATX-02"


def test_network_award_withdraws_the_other_interested_agents(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """Network: the sender awards one interested agent; every other offer is withdrawn."""
    referral = roster_desk.intake(intake(mode="network"), clock.now())[0]
    roster_desk.respond(referral.id, "P-ATX-01", "interest", clock.advance(minutes=1))
    roster_desk.respond(referral.id, "P-ATX-02", "interest", clock.advance(minutes=1))

    awarded = roster_desk.award(referral.id, "P-ATX-01", clock.advance(minutes=10))

    assert (awarded.status, awarded.assigned_agent_id) == ("pending", "P-ATX-01")
    assert {o.agent_id: o.status for o in awarded.offers} == {
        "P-ATX-01": "accepted",
        "P-ATX-02": "withdrawn",
    }


def test_network_named_at_intake_is_used_instead_of_the_covering_group(
    desk: Desk, clock: ManualClock
) -> None:
    """Network: a group named at intake is asked even if another group covers the market more."""
    now = clock.now()
    add_agent(desk, now, "N-ALPHA-1", network="alpha")
    add_agent(desk, now, "N-ALPHA-2", network="alpha")
    add_agent(desk, now, "N-BETA-1", network="beta", **metro_only())
    add_agent(desk, now, "N-NONE")

    default = desk.intake(intake(mode="network"), now)[0]
    named = desk.intake(intake(mode="network", network="beta"), now)[0]

    assert default.network == "alpha"
    assert sorted(o.agent_id for o in default.offers) == ["N-ALPHA-1", "N-ALPHA-2"]
    assert named.network == "beta"
    assert [o.agent_id for o in named.offers] == ["N-BETA-1"]


def test_network_without_interest_by_the_end_of_the_window_is_unassigned_with_a_flag(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """Network: nobody interested when the window ends → unassigned + roster_exhausted."""
    referral = roster_desk.intake(intake(mode="network"), clock.now())[0]

    roster_desk.tick(clock.advance(minutes=31))

    view = roster_desk.referral(referral.id)
    assert view.status == "unassigned"
    assert {o.status for o in view.offers} == {"lapsed"}
    assert [flag.kind for flag in view.flags] == ["roster_exhausted"]


@pytest.mark.parametrize(
    ("agent_id", "reason"),
    [
        ("P-ATX-04", "away until 2027-01-10"),
        ("P-DEN-01", "does not cover"),
        ("P-ATX-03", "serves sellers only"),
        ("P-ATX-06", "inactive"),
    ],
)
def test_private_to_an_ineligible_agent_is_refused_at_intake(
    roster_desk: Desk, clock: ManualClock, agent_id: str, reason: str
) -> None:
    """Private: choosing an agent who cannot take it is refused, naming why; nothing stored."""
    with pytest.raises(InvalidInput) as refused:
        roster_desk.intake(intake(mode="private", agent_id=agent_id), clock.now())

    message = str(refused.value)
    assert message.startswith("agent_id:")
    assert agent_id in message
    assert reason in message
    assert roster_desk.referrals() == []


@pytest.mark.parametrize("ending", ["decline", "lapse"])
def test_private_referral_that_the_agent_does_not_take_is_unassigned_never_rerouted(
    roster_desk: Desk, clock: ManualClock, ending: str
) -> None:
    """Private: a decline or lapse → unassigned + flag; nobody else, not even the fallback."""
    roster_desk.set_setting("fallback_agent_id", "T-HQ-01", clock.now())
    referral = roster_desk.intake(intake(mode="private", agent_id="P-ATX-02"), clock.now())[0]
    assert [o.agent_id for o in referral.offers] == ["P-ATX-02"]

    if ending == "decline":
        roster_desk.respond(referral.id, "P-ATX-02", "decline", clock.advance(minutes=5))
    else:
        roster_desk.tick(clock.advance(minutes=31))

    view = roster_desk.referral(referral.id)
    assert view.status == "unassigned"
    assert [o.agent_id for o in view.offers] == ["P-ATX-02"]
    assert [flag.kind for flag in view.flags] == ["roster_exhausted"]


# --- responses -------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["accept", "claim"])
def test_accept_and_claim_both_take_a_sequential_offer(
    roster_desk: Desk, clock: ManualClock, word: str
) -> None:
    """`accept` and `claim` mean the same on a sequential offer: the agent takes it."""
    referral = seed(roster_desk, clock.now())

    taken = roster_desk.respond(referral.id, "P-ATX-01", word, clock.advance(minutes=7))

    assert taken.status == "awarded"
    assert taken.assigned_agent_id == "P-ATX-01"
    assert [o.status for o in taken.offers] == ["accepted"]
    assert taken.offers[0].responded_at == T0 + timedelta(minutes=7)


def test_interest_on_a_sequential_offer_is_refused(roster_desk: Desk, clock: ManualClock) -> None:
    """`interest` belongs to network offers; on a best-fit offer the desk says to accept."""
    referral = seed(roster_desk, clock.now())

    with pytest.raises(DeskError) as refused:
        roster_desk.respond(referral.id, "P-ATX-01", "interest", clock.advance(minutes=1))

    assert "accept" in str(refused.value)
    assert only_open_offer(roster_desk, referral.id).status == "offered"
    assert roster_desk.referral(referral.id).status == "offered"


@pytest.mark.parametrize("word", ["accept", "claim"])
def test_accept_on_a_network_offer_is_refused_naming_interest(
    roster_desk: Desk, clock: ManualClock, word: str
) -> None:
    """On a network offer agents mark interest; `accept`/`claim` is refused and says so."""
    referral = roster_desk.intake(intake(mode="network"), clock.now())[0]

    with pytest.raises(DeskError) as refused:
        roster_desk.respond(referral.id, "P-ATX-01", word, clock.advance(minutes=1))

    assert "interest" in str(refused.value)
    view = roster_desk.referral(referral.id)
    assert view.status == "offered"
    assert view.assigned_agent_id is None
    assert {o.status for o in view.offers} == {"offered"}


@pytest.mark.parametrize("word", ["accept", "decline"])
def test_a_response_after_the_window_is_refused_even_before_the_clock_runs(
    roster_desk: Desk, clock: ManualClock, word: str
) -> None:
    """Once `expires_at` has passed the offer takes no answer, whether or not the clock ran."""
    referral = seed(roster_desk, clock.now())

    with pytest.raises(DeskError) as refused:
        roster_desk.respond(referral.id, "P-ATX-01", word, T0 + WINDOW + timedelta(seconds=1))

    assert "window" in str(refused.value)
    view = roster_desk.referral(referral.id)
    assert [(o.agent_id, o.status) for o in view.offers] == [("P-ATX-01", "offered")]
    assert view.status == "offered"


def test_a_response_just_inside_the_window_is_taken(roster_desk: Desk, clock: ManualClock) -> None:
    """One second before the window closes the agent can still accept."""
    referral = seed(roster_desk, clock.now())

    taken = roster_desk.respond(
        referral.id, "P-ATX-01", "accept", T0 + WINDOW - timedelta(seconds=1)
    )

    assert taken.status == "awarded"


def test_responding_twice_is_refused(roster_desk: Desk, clock: ManualClock) -> None:
    """An answered offer takes no second answer; the first one stands."""
    referral = seed(roster_desk, clock.now())
    roster_desk.respond(referral.id, "P-ATX-01", "accept", clock.advance(minutes=1))

    for word in ("accept", "decline"):
        with pytest.raises(DeskError):
            roster_desk.respond(referral.id, "P-ATX-01", word, clock.advance(minutes=1))

    view = roster_desk.referral(referral.id)
    assert (view.status, view.assigned_agent_id) == ("awarded", "P-ATX-01")
    assert [o.status for o in view.offers] == ["accepted"]


def test_an_agent_without_an_offer_cannot_respond(roster_desk: Desk, clock: ManualClock) -> None:
    """Only an agent who holds an offer on the referral can answer it."""
    referral = seed(roster_desk, clock.now())

    with pytest.raises(DeskError) as refused:
        roster_desk.respond(referral.id, "P-ATX-02", "accept", clock.advance(minutes=1))

    assert "P-ATX-02" in str(refused.value)
    view = roster_desk.referral(referral.id)
    assert (view.status, view.assigned_agent_id) == ("offered", None)


def test_reroute_routes_an_unassigned_referral_again(desk: Desk, clock: ManualClock) -> None:
    """From unassigned the desk can route again: a newly available agent is offered it."""
    now = clock.now()
    add_agent(desk, now, "SOLO")
    referral = new_referral(desk, now)
    desk.respond(referral.id, "SOLO", "decline", clock.advance(minutes=1))
    assert desk.referral(referral.id).status == "unassigned"
    still_offered = new_referral(desk, clock.now())
    with pytest.raises(DeskError, match="only an unassigned referral"):
        desk.reroute(still_offered.id, clock.now())

    add_agent(desk, clock.now(), "NEWCOMER", **metro_only())
    rerouted = desk.reroute(referral.id, clock.advance(minutes=5))

    assert rerouted.status == "offered"
    assert [o.agent_id for o in rerouted.open_offers] == ["NEWCOMER"]
    assert "rerouted" in [event.kind for event in rerouted.events]


def test_reroute_with_an_agent_offers_it_privately(desk: Desk, clock: ManualClock) -> None:
    """Rerouting to a named agent offers it to that agent alone; a decline leaves it unassigned."""
    now = clock.now()
    add_agent(desk, now, "FIRST")
    add_agent(desk, now, "OTHER", **metro_only())
    add_agent(desk, now, "CHOSEN", **metro_only(price_min="600000"))
    referral = new_referral(desk, now, mode="private", agent_id="FIRST")
    desk.respond(referral.id, "FIRST", "decline", clock.advance(minutes=1))

    rerouted = desk.reroute(referral.id, clock.advance(minutes=1), agent_id="CHOSEN")

    assert rerouted.mode == "private"
    assert [o.agent_id for o in rerouted.open_offers] == ["CHOSEN"]
    desk.respond(referral.id, "CHOSEN", "decline", clock.advance(minutes=1))
    view = desk.referral(referral.id)
    assert view.status == "unassigned"
    assert [o.agent_id for o in view.offers] == ["FIRST", "CHOSEN"]


def test_reroute_after_the_roster_was_exhausted_offers_an_agent_back_from_vacation(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """After exhaustion, once Rafael is back from vacation, routing again offers it to him."""
    referral = seed(roster_desk, clock.now())
    for agent_id in ["P-ATX-01", "P-ATX-02", "T-ATX-01", "T-ATX-02", "P-ATX-05", "T-HQ-01"]:
        roster_desk.respond(referral.id, agent_id, "decline", clock.advance(minutes=1))
    assert roster_desk.referral(referral.id).status == "unassigned"

    roster_desk.set_vacation("P-ATX-04", None, None, clock.now())
    rerouted = roster_desk.reroute(referral.id, clock.advance(minutes=5))

    assert [o.agent_id for o in rerouted.open_offers] == ["P-ATX-04"]


# --- hard filters ----------------------------------------------------------------------


def test_vacation_dates_are_desk_zone_days_inclusive(desk: Desk, clock: ManualClock) -> None:
    """An agent away 24–30 Nov (Chicago days) gets nothing on those days, and offers after."""
    now = clock.now()
    add_agent(desk, now, "V-AWAY", capacity="10")
    add_agent(desk, now, "O-OTHER", **metro_only(capacity="10"))
    desk.set_vacation("V-AWAY", date(2026, 11, 24), date(2026, 11, 30), now)

    def first_agent(moment: datetime) -> str:
        return new_referral(desk, moment).offers[0].agent_id

    # 03:00 UTC on the 24th is still the 23rd in Chicago.
    assert first_agent(datetime(2026, 11, 24, 3, 0, tzinfo=UTC)) == "V-AWAY"
    assert first_agent(datetime(2026, 11, 24, 7, 0, tzinfo=UTC)) == "O-OTHER"
    # 05:30 UTC on 1 Dec is 23:30 on 30 Nov in Chicago: the last day away.
    assert first_agent(datetime(2026, 12, 1, 5, 30, tzinfo=UTC)) == "O-OTHER"
    assert first_agent(datetime(2026, 12, 1, 7, 0, tzinfo=UTC)) == "V-AWAY"


def test_buyer_only_agent_never_gets_a_seller(desk: Desk, clock: ManualClock) -> None:
    """A buyer-only agent is skipped for sellers, even when nobody else is left."""
    now = clock.now()
    add_agent(desk, now, "BUYERS", sides="buyer")
    add_agent(desk, now, "ANYONE", **metro_only())

    seller = new_referral(desk, now, side="seller")
    assert offered_agents(desk, seller.id) == ["ANYONE"]
    desk.respond(seller.id, "ANYONE", "decline", clock.advance(minutes=1))
    assert offered_agents(desk, seller.id) == ["ANYONE"]
    assert desk.referral(seller.id).status == "unassigned"

    buyer = new_referral(desk, clock.now(), side="buyer")
    assert offered_agents(desk, buyer.id) == ["BUYERS"]
    broadcast = new_referral(desk, clock.now(), side="seller", mode="broadcast")
    assert offered_agents(desk, broadcast.id) == ["ANYONE"]


def test_full_capacity_agent_is_skipped_and_load_counts_offers_and_active_referrals(
    desk: Desk, clock: ManualClock, db_path: Path
) -> None:
    """Load = open offers + referrals assigned pending…in escrow; a full agent gets nothing."""
    now = clock.now()
    add_agent(desk, now, "CAP", capacity="2")
    add_agent(desk, now, "SPARE", **metro_only(capacity="20"))

    first = new_referral(desk, now)
    assert offered_agents(desk, first.id) == ["CAP"]
    assert desk.agent("CAP").load == 1  # an open offer fills a slot
    desk.respond(first.id, "CAP", "accept", clock.advance(minutes=1))
    assert desk.agent("CAP").load == 1  # so does an awarded referral

    second = new_referral(desk, clock.now())
    assert offered_agents(desk, second.id) == ["CAP"]
    assert desk.agent("CAP").load == 2
    third = new_referral(desk, clock.now())
    assert offered_agents(desk, third.id) == ["SPARE"]

    desk.respond(second.id, "CAP", "decline", clock.advance(minutes=1))
    assert desk.agent("CAP").load == 1
    for status, load in [
        ("working", 1),
        ("in_escrow", 1),
        ("pending", 1),
        ("fee_sent", 0),
        ("closed", 0),
        ("lost", 0),
    ]:
        set_status_in_db(db_path, first.id, status)
        assert desk.agent("CAP").load == load, status


def test_pending_network_award_fills_a_slot(desk: Desk, clock: ManualClock) -> None:
    """A network referral awarded (pending) counts against the agent's capacity."""
    now = clock.now()
    add_agent(desk, now, "NET-1", network="relo", capacity="1")
    add_agent(desk, now, "SPARE", **metro_only(capacity="20"))
    referral = desk.intake(intake(mode="network"), now)[0]
    desk.respond(referral.id, "NET-1", "interest", clock.advance(minutes=1))
    desk.award(referral.id, "NET-1", clock.advance(minutes=1))

    assert desk.agent("NET-1").load == 1
    later = new_referral(desk, clock.now())
    assert offered_agents(desk, later.id) == ["SPARE"]


def test_inactive_agent_gets_no_offers(desk: Desk, clock: ManualClock) -> None:
    """A deactivated agent is never offered a referral; reactivated, they are again."""
    now = clock.now()
    add_agent(desk, now, "BEST")
    add_agent(desk, now, "NEXT", **metro_only())
    desk.set_active("BEST", False, now)

    assert offered_agents(desk, new_referral(desk, now).id) == ["NEXT"]
    assert offered_agents(desk, new_referral(desk, now, mode="broadcast").id) == ["NEXT"]
    desk.set_active("BEST", True, now)
    assert offered_agents(desk, new_referral(desk, now).id) == ["BEST"]


def test_declined_or_lapsed_agents_are_never_offered_the_same_referral_again(
    desk: Desk, clock: ManualClock
) -> None:
    """Once an agent declined or let it lapse, that referral never comes back to them."""
    now = clock.now()
    add_agent(desk, now, "A")
    add_agent(desk, now, "B", **metro_only())
    desk.set_setting("fallback_agent_id", "A", now)
    referral = new_referral(desk, now)

    assert offered_agents(desk, referral.id) == ["B"]  # A is the fallback, kept for last
    desk.tick(clock.advance(minutes=31))  # B lapses → the fallback A
    desk.respond(referral.id, "A", "decline", clock.advance(minutes=1))
    assert desk.referral(referral.id).status == "unassigned"

    desk.reroute(referral.id, clock.advance(minutes=1))
    view = desk.referral(referral.id)
    assert [o.agent_id for o in view.offers] == ["B", "A"]
    assert view.status == "unassigned"


# --- preview ---------------------------------------------------------------------------


def test_preview_writes_nothing(roster_desk: Desk, clock: ManualClock, db_path: Path) -> None:
    """A dry run stores no referral, offer, event, flag or source, and bumps no revision."""
    seed(roster_desk, clock.now())
    before, revision = table_counts(db_path), roster_desk.revision()

    decision = roster_desk.preview(intake(), clock.advance(minutes=1))

    assert decision.ranked
    assert table_counts(db_path) == before
    assert roster_desk.revision() == revision


def test_preview_explains_every_agent_it_would_not_offer(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """Preview lists every other roster agent with the reason in plain words."""
    decision = roster_desk.preview(intake(), clock.now())

    reasons = {item.agent_id: item.reason for item in decision.excluded}
    ranked = [item.agent_id for item in decision.ranked]
    roster = {agent.id for agent in roster_desk.agents()}
    assert set(ranked) | set(reasons) == roster
    assert not set(ranked) & set(reasons)
    assert reasons["P-ATX-04"] == "away until 2027-01-10"
    assert reasons["P-ATX-03"] == "serves sellers only"
    assert reasons["P-ATX-06"] == "inactive"
    assert reasons["P-DEN-01"].startswith("does not cover")
    assert "78704" in reasons["P-DEN-01"]
    for item in decision.ranked:
        assert math.isclose(
            item.score, weighted_mean(item.breakdown.as_dict(), roster_desk.settings().weights)
        )


def test_preview_names_a_full_agent(desk: Desk, clock: ManualClock) -> None:
    """Preview says an agent has no free slot, with the load and capacity."""
    now = clock.now()
    add_agent(desk, now, "CAP", capacity="1")
    add_agent(desk, now, "SPARE", **metro_only())
    new_referral(desk, now)

    decision = desk.preview(intake(), now)

    assert [item.agent_id for item in decision.ranked] == ["SPARE"]
    assert {item.agent_id: item.reason for item in decision.excluded} == {
        "CAP": "no free slot (load 1 of capacity 1)"
    }


def decline_chain(desk: Desk, clock: ManualClock, referral_id: str) -> list[str]:
    """Declines every offer in turn until the referral is unassigned; the offer order."""
    order = []
    while desk.referral(referral_id).status == "offered":
        offer = only_open_offer(desk, referral_id)
        order.append(offer.agent_id)
        desk.respond(referral_id, offer.agent_id, "decline", clock.advance(minutes=1))
    return order


def test_preview_ranks_in_the_order_routing_offers(roster_desk: Desk, clock: ManualClock) -> None:
    """The preview's ranking is the order in which best fit offers the referral."""
    roster_desk.set_setting("max_offers_before_fallback", "10", clock.now())
    decision = roster_desk.preview(intake(), clock.now())
    referral = roster_desk.intake(intake(), clock.now())[0]

    assert decline_chain(roster_desk, clock, referral.id) == [
        item.agent_id for item in decision.ranked
    ]
    assert [item.agent_id for item in decision.ranked] == [
        "P-ATX-01",
        "T-HQ-01",
        "P-ATX-02",
        "T-ATX-01",
        "T-ATX-02",
        "P-ATX-05",
    ]


def test_preview_lists_the_fallback_last_because_routing_offers_it_last(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """With a fallback agent set, preview still lists agents in the order they are offered."""
    roster_desk.set_setting("max_offers_before_fallback", "10", clock.now())
    roster_desk.set_setting("fallback_agent_id", "T-HQ-01", clock.now())
    decision = roster_desk.preview(intake(), clock.now())
    referral = roster_desk.intake(intake(), clock.now())[0]

    ranked = [item.agent_id for item in decision.ranked]
    assert ranked[-1] == "T-HQ-01"
    assert decline_chain(roster_desk, clock, referral.id) == ranked


def test_preview_of_an_on_duty_referral_puts_first_who_routing_would_offer(
    desk: Desk, clock: ManualClock
) -> None:
    """Previewing an on-duty referral at 08:30 Chicago names the agent on duty then."""
    on_duty_roster(desk, clock.now())
    early = clock.advance(minutes=30)

    decision = desk.preview(intake(mode="on_duty", received_at=None), early)
    referral = new_referral(desk, early, mode="on_duty")

    assert only_open_offer(desk, referral.id).agent_id == "D-EARLY"
    assert decision.ranked[0].agent_id == "D-EARLY"


# --- business hours ----------------------------------------------------------------------


def test_window_paused_outside_business_hours_runs_on_monday_morning(
    desk: Desk, clock: ManualClock
) -> None:
    """Friday 17:50 Chicago with paused windows: 10 min Friday + 20 min Monday → Mon 08:20."""
    now = clock.now()
    add_agent(desk, now, "AGENT")
    desk.set_setting("pause_outside_business_hours", "true", now)
    friday = datetime(2026, 11, 27, 23, 50, tzinfo=UTC)  # 17:50 in Chicago

    referral = new_referral(desk, friday)

    offer = referral.offers[0]
    assert offer.offered_at == friday
    assert offer.expires_at == datetime(2026, 11, 30, 14, 20, tzinfo=UTC)  # Mon 08:20 Chicago
    assert desk.tick(datetime(2026, 11, 28, 18, 0, tzinfo=UTC)) == []  # Saturday noon
    assert desk.tick(datetime(2026, 11, 30, 14, 19, tzinfo=UTC)) == []
    assert only_open_offer(desk, referral.id).status == "offered"
    lapses = desk.tick(datetime(2026, 11, 30, 14, 20, tzinfo=UTC))
    assert [lapse.expired_at for lapse in lapses] == [offer.expires_at]


def test_a_round_robin_list_goes_round_the_rotation(roster_desk: Desk, clock: ManualClock) -> None:
    """N referrals in one intake list, N agents who could take them: N different agents,
    as N intakes one after another would give."""
    payload = [intake(mode="round_robin", received_at=None, client_first_name=f"C{i}")
               for i in range(4)]  # fmt: skip
    views = roster_desk.intake(payload, clock.now())
    first_agents = [view.open_offers[0].agent_id for view in views]
    assert len(set(first_agents)) == 4, first_agents
