"""Routing: who may be offered a referral, how agents score, and the modes' helpers."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_desk.engine.rules.eligibility import (
    Exclusion,
    SharedReasonExclusions,
    exclusion_reason,
    network_group_for,
    on_duty_now,
    pick_round_robin,
    rank,
    settle_ties,
)
from referral_desk.engine.rules.schedule import parse_schedule
from referral_desk.engine.rules.scoring import (
    AgentHistory,
    AgentProfile,
    Breakdown,
    ReferralProfile,
    Weights,
    history_value,
    price_value,
    score_agent,
)

TODAY = date(2026, 11, 23)


def make_agent(**changes: Any) -> AgentProfile:
    """An eligible Austin agent with a ZIP match for the standard referral."""
    agent = AgentProfile(
        id="P-ATX-01",
        name="Dana Whitfield",
        kind="partner",
        active=True,
        metros=frozenset({"austin"}),
        zips=frozenset({"78704", "78745"}),
        sides="both",
        price_min=350_000,
        price_max=800_000,
        property_types=frozenset({"residential", "condo"}),
        capacity=4,
        away_from=None,
        away_until=None,
        on_duty=None,
        weight=1,
        network=None,
        load=1,
        offers_last_30_days=0,
        rotation_served=0,
        history=AgentHistory(),
    )
    return replace(agent, **changes)


def make_referral(**changes: Any) -> ReferralProfile:
    """A buyer referral in Austin 78704, $400k-$700k residential."""
    referral = ReferralProfile(
        metro="austin",
        zip="78704",
        side="buyer",
        price_min=400_000,
        price_max=700_000,
        property_type="residential",
        ended_agent_ids=frozenset(),
        open_agent_ids=frozenset(),
    )
    return replace(referral, **changes)


# --- eligibility -------------------------------------------------------------------


def test_eligible_agent_has_no_exclusion() -> None:
    """An active, present agent who covers the market, side and has room is eligible."""
    assert exclusion_reason(make_agent(), make_referral(), TODAY) is None


@pytest.mark.parametrize(
    ("agent_changes", "referral_changes", "reason"),
    [
        ({"active": False}, {}, "inactive"),
        (
            {"away_from": date(2026, 11, 20), "away_until": date(2026, 11, 30)},
            {},
            "away until 2026-11-30",
        ),
        ({"away_until": date(2026, 11, 23)}, {}, "away until 2026-11-23"),
        ({"away_from": date(2026, 11, 1)}, {}, "away from 2026-11-01"),
        (
            {"metros": frozenset({"dallas"}), "zips": frozenset()},
            {},
            "does not cover ZIP 78704 or austin",
        ),
        (
            {"metros": frozenset({"dallas"}), "zips": frozenset()},
            {"zip": None},
            "does not cover austin",
        ),
        ({"sides": "seller"}, {}, "serves sellers only"),
        ({"sides": "buyer"}, {"side": "seller"}, "serves buyers only"),
        ({"load": 4}, {}, "no free slot (load 4 of capacity 4)"),
        ({"load": 6, "capacity": 5}, {}, "no free slot (load 6 of capacity 5)"),
        (
            {},
            {"ended_agent_ids": frozenset({"P-ATX-01"})},
            "already declined or lapsed on this referral",
        ),
        (
            {},
            {"open_agent_ids": frozenset({"P-ATX-01"})},
            "already holds an offer on this referral",
        ),
    ],
)
def test_every_exclusion_reason(
    agent_changes: dict[str, Any], referral_changes: dict[str, Any], reason: str
) -> None:
    """Preview tells the desk, in plain words, why an agent would not get the referral."""
    agent = make_agent(**agent_changes)
    assert exclusion_reason(agent, make_referral(**referral_changes), TODAY) == reason


def test_first_failing_filter_is_reported() -> None:
    """An inactive agent who is also away and full is reported as inactive."""
    agent = make_agent(active=False, away_until=date(2026, 12, 1), load=9, sides="seller")
    assert exclusion_reason(agent, make_referral(), TODAY) == "inactive"
    agent = make_agent(away_until=date(2026, 12, 1), metros=frozenset(), zips=frozenset())
    assert exclusion_reason(agent, make_referral(), TODAY) == "away until 2026-12-01"


def test_away_dates_are_inclusive_and_past_or_future_trips_do_not_count() -> None:
    """An agent is away on both the first and last day, and back the day after."""
    trip = {"away_from": date(2026, 11, 23), "away_until": date(2026, 11, 25)}
    agent = make_agent(**trip)
    assert exclusion_reason(agent, make_referral(), date(2026, 11, 23)) is not None
    assert exclusion_reason(agent, make_referral(), date(2026, 11, 25)) is not None
    assert exclusion_reason(agent, make_referral(), date(2026, 11, 26)) is None
    assert exclusion_reason(agent, make_referral(), date(2026, 11, 22)) is None
    later = make_agent(away_from=date(2026, 12, 1))
    assert exclusion_reason(later, make_referral(), TODAY) is None


def test_zip_or_metro_coverage_is_enough() -> None:
    """An agent listing only the ZIP, or only the metro, covers the referral."""
    zip_only = make_agent(metros=frozenset(), zips=frozenset({"78704"}))
    metro_only = make_agent(zips=frozenset())
    assert exclusion_reason(zip_only, make_referral(), TODAY) is None
    assert exclusion_reason(metro_only, make_referral(), TODAY) is None


def test_team_and_partner_agents_are_filtered_alike() -> None:
    """Team members pass the same filters as partners."""
    assert exclusion_reason(make_agent(kind="team"), make_referral(), TODAY) is None


# --- scoring -----------------------------------------------------------------------


def test_contract_example_scores_0_90() -> None:
    """ZIP match, band inside, 1 of 4 slots used, new agent, right type: 0.90 with defaults."""
    ranked = score_agent(make_agent(), make_referral(), Weights())
    assert ranked.breakdown == Breakdown(1.0, 1.0, 0.75, 0.5, 1.0)
    assert ranked.score == pytest.approx(0.90)
    assert ranked.agent_id == "P-ATX-01"
    assert ranked.breakdown.as_dict() == {
        "territory": 1.0,
        "price": 1.0,
        "capacity": 0.75,
        "history": 0.5,
        "property_type": 1.0,
    }


def test_zip_match_beats_metro_match() -> None:
    """Territory is 1.0 for the referral's ZIP and 0.6 for the metro alone."""
    zip_agent = score_agent(make_agent(), make_referral(), Weights())
    metro_agent = score_agent(make_agent(zips=frozenset({"78745"})), make_referral(), Weights())
    no_zip = score_agent(make_agent(), make_referral(zip=None), Weights())
    assert zip_agent.breakdown.territory == 1.0
    assert metro_agent.breakdown.territory == 0.6
    assert no_zip.breakdown.territory == 0.6
    assert zip_agent.score > metro_agent.score


@pytest.mark.parametrize(
    ("band", "sweet_spot", "expected"),
    [
        ((400_000, 700_000), (350_000, 800_000), 1.0),
        ((400_000, 700_000), (400_000, 700_000), 1.0),
        ((400_000, 700_000), (550_000, 900_000), 0.5),
        ((400_000, 700_000), (100_000, 475_000), 0.25),
        ((400_000, 700_000), (800_000, 900_000), 0.0),
        ((400_000, 700_000), (100_000, 400_000), 0.0),
        ((500_000, 500_000), (350_000, 800_000), 1.0),
        ((500_000, 500_000), (500_000, 800_000), 1.0),
        ((900_000, 900_000), (350_000, 800_000), 0.0),
    ],
)
def test_price_overlap(band: tuple[int, int], sweet_spot: tuple[int, int], expected: float) -> None:
    """Price counts the share of the client's band inside the agent's sweet spot."""
    assert price_value(*band, *sweet_spot) == pytest.approx(expected)


def test_capacity_counts_free_slots() -> None:
    """Capacity is free slots over capacity; an overloaded agent scores 0, not below."""
    referral = make_referral()
    assert score_agent(make_agent(load=0), referral, Weights()).breakdown.capacity == 1.0
    assert score_agent(make_agent(load=3), referral, Weights()).breakdown.capacity == 0.25
    assert score_agent(make_agent(load=7), referral, Weights()).breakdown.capacity == 0.0
    assert score_agent(make_agent(capacity=0, load=0), referral, Weights()).breakdown.capacity == 0


def test_new_agent_history_is_exactly_one_half() -> None:
    """A new agent is neither punished nor favoured: history 0.5 exactly."""
    assert history_value(AgentHistory()) == 0.5
    assert history_value(AgentHistory(0, 0, None)) == 0.5


def test_history_rewards_fast_accepters_and_marks_down_slow_decliners() -> None:
    """Agents who accept quickly rise above 0.5; those who decline slowly or lapse fall below."""
    fast = history_value(AgentHistory(offers_answered=10, accepted=9, mean_response_seconds=60))
    slow = history_value(AgentHistory(offers_answered=10, accepted=1, mean_response_seconds=1700))
    lapser = history_value(AgentHistory(offers_answered=5, accepted=0))
    assert 0.5 < fast <= 1.0
    assert 0.0 <= slow < 0.5
    assert 0.0 <= lapser < 0.5


def test_history_is_smoothed_for_few_offers() -> None:
    """One accepted offer does not make a perfect record."""
    one = history_value(AgentHistory(offers_answered=1, accepted=1, mean_response_seconds=600))
    many = history_value(AgentHistory(offers_answered=50, accepted=50, mean_response_seconds=600))
    assert 0.5 < one < many < 1.0


def test_property_type_is_all_or_nothing() -> None:
    """The property type either matches (1) or not (0)."""
    land = make_referral(property_type="land")
    assert score_agent(make_agent(), land, Weights()).breakdown.property_type == 0.0


def test_custom_weights_need_not_sum_to_100() -> None:
    """Only the weights' proportions matter."""
    referral = make_referral()
    agent = make_agent(zips=frozenset())
    default = score_agent(agent, referral, Weights()).score
    doubled = score_agent(agent, referral, Weights(80, 50, 40, 20, 10)).score
    territory_only = score_agent(agent, referral, Weights(1, 0, 0, 0, 0)).score
    assert doubled == pytest.approx(default)
    assert territory_only == pytest.approx(0.6)


def test_all_zero_or_negative_weights_are_refused() -> None:
    """A score that would divide by zero is an error naming the rule."""
    with pytest.raises(ValueError, match="not all be zero"):
        score_agent(make_agent(), make_referral(), Weights(0, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="not negative"):
        score_agent(make_agent(), make_referral(), Weights(territory=-1))


def test_breakdown_rounds_for_display_only() -> None:
    """Display rounding leaves the stored values untouched."""
    breakdown = Breakdown(1 / 3, 1.0, 0.75, 0.5, 0.0)
    assert breakdown.rounded().territory == 0.3333
    assert breakdown.territory == 1 / 3


# --- ranking -----------------------------------------------------------------------


def test_rank_orders_best_first_and_explains_the_rest() -> None:
    """Preview lists eligible agents best first and every other agent by id with a reason."""
    agents = [
        make_agent(id="C-metro", zips=frozenset()),
        make_agent(id="B-zip"),
        make_agent(id="A-away", away_until=date(2026, 11, 30)),
        make_agent(id="D-seller", sides="seller"),
    ]
    decision = rank(agents, make_referral(), Weights(), TODAY)
    assert [ranked.agent_id for ranked in decision.ranked] == ["B-zip", "C-metro"]
    assert [(ex.agent_id, ex.reason) for ex in decision.excluded] == [
        ("A-away", "away until 2026-11-30"),
        ("D-seller", "serves sellers only"),
    ]


def test_ties_go_to_fewest_recent_offers_then_id() -> None:
    """Equal scores go first to the agent offered least in 30 days, then by id."""
    agents = [
        make_agent(id="P-3", offers_last_30_days=2),
        make_agent(id="P-2", offers_last_30_days=5),
        make_agent(id="P-1", offers_last_30_days=2),
        make_agent(id="P-0", offers_last_30_days=0, zips=frozenset()),
    ]
    decision = rank(agents, make_referral(), Weights(), TODAY)
    assert [ranked.agent_id for ranked in decision.ranked] == ["P-1", "P-3", "P-2", "P-0"]
    assert rank(list(reversed(agents)), make_referral(), Weights(), TODAY) == decision


def test_empty_roster_ranks_nobody() -> None:
    """With nobody on the roster the decision is empty, not an error."""
    decision = rank([], make_referral(), Weights(), TODAY)
    assert decision.ranked == ()
    assert decision.excluded == ()


# --- round robin, on duty, network ------------------------------------------------


def test_round_robin_shares_follow_weights_over_1000_picks() -> None:
    """Over many offers, an agent with weight 3 gets three times the offers of weight 1."""
    roster = {
        agent.id: agent
        for agent in (
            make_agent(id="A", weight=1),
            make_agent(id="B", weight=2),
            make_agent(id="C", weight=3),
            make_agent(id="D", weight=4),
        )
    }
    picks: Counter[str] = Counter()
    for _ in range(1000):
        chosen = pick_round_robin(list(roster.values()))
        assert chosen is not None
        picks[chosen.id] += 1
        roster[chosen.id] = replace(chosen, rotation_served=chosen.rotation_served + 1)
    total_weight = sum(agent.weight for agent in roster.values())
    for agent in roster.values():
        assert abs(picks[agent.id] / 1000 - agent.weight / total_weight) <= 0.02


def test_round_robin_resumes_from_persisted_counts() -> None:
    """After a restart the rotation continues where the stored counts left it."""
    agents = [
        make_agent(id="A", weight=1, rotation_served=5),
        make_agent(id="B", weight=2, rotation_served=8),
        make_agent(id="C", weight=1, rotation_served=5),
    ]
    chosen = pick_round_robin(agents)
    assert chosen is not None and chosen.id == "B"  # 8/2 = 4 is behind 5/1


def test_round_robin_ties_and_empty() -> None:
    """Equal turns go to the lower id; nobody eligible means nobody picked."""
    agents = [make_agent(id="B"), make_agent(id="A")]
    chosen = pick_round_robin(agents)
    assert chosen is not None and chosen.id == "A"
    assert pick_round_robin([]) is None


def test_on_duty_follows_the_agents_schedule() -> None:
    """An agent is on duty only inside their hours; no schedule means never on duty."""
    agent = make_agent(on_duty=parse_schedule("mon-fri 09:00-17:00"))
    assert on_duty_now(agent, datetime(2026, 11, 23, 10, 0))
    assert not on_duty_now(agent, datetime(2026, 11, 23, 18, 0))
    assert not on_duty_now(agent, datetime(2026, 11, 28, 10, 0))
    assert not on_duty_now(make_agent(), datetime(2026, 11, 23, 10, 0))


def test_network_group_is_the_one_covering_the_market_best() -> None:
    """The group with the most agents covering the market is chosen, ties by name."""
    agents = [
        make_agent(id="1", network="texas-relo"),
        make_agent(id="2", network="texas-relo", zips=frozenset()),
        make_agent(id="3", network="lux-homes"),
        make_agent(id="4", network="lux-homes", metros=frozenset({"dallas"}), zips=frozenset()),
        make_agent(id="5", network="lux-homes", metros=frozenset({"dallas"}), zips=frozenset()),
        make_agent(id="6", network=None),
    ]
    assert network_group_for(agents, make_referral()) == "texas-relo"
    assert network_group_for(agents[1:], make_referral()) == "lux-homes"  # 1 vs 1: by name
    assert network_group_for(agents[5:], make_referral()) is None
    dallas = make_referral(metro="dallas", zip=None)
    assert network_group_for(agents, dallas) == "lux-homes"
    inactive = [make_agent(network="texas-relo", active=False)]
    assert network_group_for(inactive, make_referral()) is None


# --- properties ------------------------------------------------------------------

METROS = ("austin", "dallas", "houston")
ZIPS = ("78704", "78745", "75201")
TYPES = ("residential", "condo", "land")
prices = st.integers(0, 3_000_000)

histories = st.builds(
    AgentHistory,
    offers_answered=st.integers(0, 200),
    accepted=st.integers(0, 200),
    mean_response_seconds=st.none() | st.floats(0, 1e7, allow_nan=False),
)
agents = st.builds(
    AgentProfile,
    id=st.text(alphabet="ABC123-", min_size=1, max_size=5),
    name=st.just("Agent"),
    kind=st.sampled_from(("partner", "team")),
    active=st.booleans(),
    metros=st.frozensets(st.sampled_from(METROS), max_size=3),
    zips=st.frozensets(st.sampled_from(ZIPS), max_size=3),
    sides=st.sampled_from(("buyer", "seller", "both")),
    price_min=prices,
    price_max=prices,
    property_types=st.frozensets(st.sampled_from(TYPES), max_size=3),
    capacity=st.integers(0, 8),
    away_from=st.none() | st.dates(date(2026, 11, 1), date(2026, 12, 31)),
    away_until=st.none() | st.dates(date(2026, 11, 1), date(2026, 12, 31)),
    on_duty=st.none(),
    weight=st.integers(1, 5),
    network=st.none() | st.sampled_from(("north", "south")),
    load=st.integers(0, 10),
    offers_last_30_days=st.integers(0, 30),
    rotation_served=st.integers(0, 100),
    history=histories,
)
referrals = st.builds(
    ReferralProfile,
    metro=st.sampled_from(METROS),
    zip=st.none() | st.sampled_from(ZIPS),
    side=st.sampled_from(("buyer", "seller")),
    price_min=prices,
    price_max=prices,
    property_type=st.sampled_from(TYPES),
    ended_agent_ids=st.frozensets(st.sampled_from(("A", "B", "C1")), max_size=2),
    open_agent_ids=st.frozensets(st.sampled_from(("A", "B", "C1")), max_size=2),
)
weight_values = st.floats(0, 100, allow_nan=False).map(lambda value: round(value, 3))
weight_sets = st.builds(
    Weights,
    territory=weight_values,
    price=weight_values,
    capacity=weight_values,
    history=weight_values,
    property_type=weight_values,
).filter(lambda weights: sum(weights.as_dict().values()) > 0)


@settings(max_examples=200, deadline=None)
@given(agent=agents, referral=referrals, weights=weight_sets)
def test_score_is_the_weighted_mean_of_its_breakdown(
    agent: AgentProfile, referral: ReferralProfile, weights: Weights
) -> None:
    """Whatever the roster holds, the score is the weighted mean of five values in [0, 1]."""
    ranked = score_agent(agent, referral, weights)
    values = ranked.breakdown.as_dict()
    weight_of = weights.as_dict()
    assert all(0.0 <= value <= 1.0 for value in values.values())
    expected = sum(weight_of[key] * values[key] for key in values) / sum(weight_of.values())
    assert math.isclose(ranked.score, expected, rel_tol=1e-9, abs_tol=1e-12)
    assert 0.0 <= ranked.score <= 1.0


@settings(max_examples=200, deadline=None)
@given(history=histories)
def test_history_value_stays_in_range(history: AgentHistory) -> None:
    """History is always a value in [0, 1], however odd the counts."""
    assert 0.0 <= history_value(history) <= 1.0


@settings(max_examples=200, deadline=None)
@given(
    roster=st.lists(agents, max_size=6, unique_by=lambda agent: agent.id),
    referral=referrals,
    today=st.dates(date(2026, 11, 1), date(2026, 12, 31)),
)
def test_rank_splits_the_roster_exactly(
    roster: list[AgentProfile], referral: ReferralProfile, today: date
) -> None:
    """Every agent appears once: ranked if eligible, otherwise excluded with a reason."""
    decision = rank(roster, referral, Weights(), today)
    ranked_ids = [ranked.agent_id for ranked in decision.ranked]
    excluded_ids = [exclusion.agent_id for exclusion in decision.excluded]
    assert sorted(ranked_ids + excluded_ids) == sorted(agent.id for agent in roster)
    assert not set(ranked_ids) & set(excluded_ids)
    assert excluded_ids == sorted(excluded_ids)
    scores = [round(ranked.score, 9) for ranked in decision.ranked]
    assert scores == sorted(scores, reverse=True)
    by_id = {agent.id: agent for agent in roster}
    for exclusion in decision.excluded:
        reason = exclusion_reason(by_id[exclusion.agent_id], referral, today)
        assert exclusion.reason == reason


@settings(max_examples=200, deadline=None)
@given(
    roster=st.lists(agents, max_size=5, unique_by=lambda agent: agent.id),
    twin=agents,
    twin_offers=st.lists(st.integers(0, 30), min_size=2, max_size=4),
    referral=referrals,
)
def test_settling_ties_afterwards_ranks_as_knowing_the_counts_from_the_start(
    roster: list[AgentProfile],
    twin: AgentProfile,
    twin_offers: list[int],
    referral: ReferralProfile,
) -> None:
    """Routing counts recent offers only for tied agents and sorts again: same order.

    Twins (one profile under several ids, with different recent offers) make sure
    equal scores occur in every example.
    """
    twins = [
        replace(twin, id=f"Z{index}", offers_last_30_days=count)
        for index, count in enumerate(twin_offers)
    ]
    everyone = roster + twins
    knowing = rank(everyone, referral, Weights(), TODAY)
    blind = rank([replace(a, offers_last_30_days=0) for a in everyone], referral, Weights(), TODAY)
    counts = {agent.id: agent.offers_last_30_days for agent in everyone}
    assert settle_ties(blind, counts) == knowing


@given(
    ids=st.lists(
        st.text(alphabet="ABP-0123456789", min_size=1, max_size=6), unique=True, max_size=60
    ),
    own_share=st.floats(min_value=0, max_value=1),
    head=st.integers(min_value=0, max_value=80),
)
def test_exclusions_sharing_a_reason_read_as_one_sorted_list(
    ids: list[str], own_share: float, head: int
) -> None:
    """A preview's exclusions: every agent once, by id, whether read whole or only its head."""
    cut = int(len(ids) * own_share)
    own = [Exclusion(agent_id, f"own reason {agent_id}") for agent_id in ids[:cut]]
    shared = sorted(ids[cut:])
    merged = SharedReasonExclusions(own, shared, "does not cover Austin")
    expected = sorted(
        [*own, *(Exclusion(agent_id, "does not cover Austin") for agent_id in shared)]
    )
    assert len(merged) == len(ids)
    assert list(merged) == expected
    assert list(merged[:head]) == expected[:head]
    assert merged == expected
    if expected:
        assert merged[-1] == expected[-1]


dimension = st.one_of(
    st.floats(min_value=0, max_value=1), st.sampled_from([0, 1, 1 / 3, 0.1 + 0.2])
)


@given(values=st.tuples(dimension, dimension, dimension, dimension, dimension))
def test_a_breakdown_is_stored_and_said_as_json_and_the_formats_would(
    values: tuple[float, float, float, float, float],
) -> None:
    """An offer's stored breakdown reads back as the same numbers JSON would write, and
    the `offered` event's wording is the one the history has always shown."""
    breakdown = Breakdown(*values)
    assert breakdown.as_json() == json.dumps(breakdown.as_dict())
    assert json.loads(breakdown.as_json()) == breakdown.as_dict()
    assert breakdown.as_text() == ", ".join(f"{k} {v:.2f}" for k, v in breakdown.as_dict().items())
