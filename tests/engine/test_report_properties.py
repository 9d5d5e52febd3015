"""The report's figures agree with each other on any desk the simulator can make.

Each example is a small seeded run through the real desk service (a few days,
a few referrals a day) under drawn rules and agent habits; whatever happened
on it, the report over its span must add up: every referral counted once by
source type and once by outcome, drops and closings within what was received,
the 90th percentile no shorter than the median, and the top sources best first.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.engine.simulate.run import SimulationConfig, run_simulation

runs = st.builds(
    SimulationConfig,
    days=st.integers(1, 4),
    per_day=st.floats(1, 6),
    seed=st.integers(0, 10_000),
    accept_probability=st.none() | st.floats(0, 1),
    response_minutes=st.none() | st.sampled_from([0.0, 5.0, 45.0]),
    settings=st.fixed_dictionaries(
        {
            "acceptance_window_minutes": st.sampled_from(["10", "30", "120"]),
            "default_mode": st.sampled_from(["best_fit", "round_robin", "broadcast"]),
            "max_offers_before_fallback": st.sampled_from(["1", "5"]),
        }
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs)
def test_every_figure_of_a_simulated_desk_adds_up(config: SimulationConfig) -> None:
    result = run_simulation(config)
    report = result.report
    received = report.received
    assert received == result.counts.referrals
    assert sum(report.by_source_type.values()) == received
    assert sum(report.outcomes.values()) == received
    assert 0 <= report.dropped <= received
    # the report's causes (counted in SQL) and the markets' (the rule, group by group)
    by_market = Counter()
    for market in result.drops:
        by_market.update(market.causes)
    assert {cause: by_market[cause] for cause in report.dropped_by_cause} == report.dropped_by_cause
    assert sum(market.received for market in result.drops) == received
    assert report.offered <= received
    assert report.accepted <= report.offered
    if report.assignment_delay_median is not None:
        assert 0 <= report.assignment_delay_median <= (report.assignment_delay_p90 or 0)
    counts = [source.count for source in report.top_sources]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) <= received
    assert all(0 <= cohort.closed <= cohort.received for cohort in report.cohorts)
    assert sum(cohort.received for cohort in report.cohorts) == received
    for states in report.fees.values():
        assert all(figure.count >= 0 and figure.cents >= 0 for figure in states.values())
    _contract_shapes(report.to_json())


def _contract_shapes(document: dict[str, Any]) -> None:
    """The JSON keeps CONTRACT.md's shapes whatever the run: shares in [0, 1], amounts as
    two-decimal strings."""
    rate = document["dropped_rate"]
    assert rate is None or 0 <= rate <= 1
    assert all(0 <= share <= 1 for share in document["closing_rate_by_cohort"].values())
    for direction in ("receivable", "payable"):
        for state in ("pending", "paid"):
            amount = document["fees"][direction][state]["amount"]
            assert amount.count(".") == 1 and len(amount.split(".")[1]) == 2
