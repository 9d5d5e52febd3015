"""`simulate --tune`: a seeded, repeatable search that reports only what it ran."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from referral_desk.engine.simulate.config import SimulationConfig
from referral_desk.engine.simulate.run import run_simulation
from referral_desk.engine.simulate.tune import SPACE, TuneResult, candidates, tune
from referral_desk.engine.simulate.tune_output import tune_json, tune_text

BAD_START = SimulationConfig(
    days=9,
    per_day=5,
    seed=4,
    accept_probability=0.5,
    response_minutes=25,
    lifecycle=False,
    settings={"acceptance_window_minutes": "10", "max_offers_before_fallback": "2"},
)
"""Agents who answer in 25 minutes on average, given 10: most offers lapse."""

TODAY = {"acceptance_window_minutes": "30", "default_mode": "best_fit"}


def test_candidates_are_seeded_distinct_and_start_with_today() -> None:
    drawn = candidates(TODAY, seed=7, count=30)
    assert drawn[0] == {}
    assert candidates(TODAY, seed=7, count=30) == drawn
    assert candidates(TODAY, seed=8, count=30) != drawn
    assert len(drawn) == 30
    assert all(changes for changes in drawn[1:])  # none is today's again
    assert len({tuple(sorted(changes.items())) for changes in drawn}) == 30
    for changes in drawn:
        for key, value in changes.items():
            assert value in SPACE[key]
            assert TODAY.get(key) != value


@pytest.fixture(scope="module")
def found() -> TuneResult:
    return tune(BAD_START, count=8, keep=3, workers=2)


def test_tuning_a_bad_start_finds_settings_that_drop_fewer(found: TuneResult) -> None:
    today = found.today.result.report
    assert found.today.changes == {}
    assert today.dropped > 0
    assert found.best
    best = found.best[0].result.report
    assert best.dropped_rate < today.dropped_rate
    assert [t.key for t in found.best] == sorted(t.key for t in found.best)
    assert (found.tried, found.finalists, found.short_days) == (8, 3, 3)


def test_every_reported_figure_is_a_whole_run_the_search_made(found: TuneResult) -> None:
    """Each row's figures are those of a run of its settings on the whole stream."""
    for tuned in (found.today, *found.best):
        again = run_simulation(BAD_START.with_settings(tuned.changes))
        assert again.report.to_json() == tuned.result.report.to_json()
        assert tuned.result.config.days == BAD_START.days


def test_the_same_search_gives_the_same_answer(found: TuneResult) -> None:
    again = tune(BAD_START, count=8, keep=3, workers=1)
    assert [t.changes for t in again.best] == [t.changes for t in found.best]
    assert [t.result.report.to_json() for t in again.best] == [
        t.result.report.to_json() for t in found.best
    ]


def test_the_answer_reads_as_a_ranked_table_and_as_json(found: TuneResult) -> None:
    text = tune_text(found)
    lines = text.splitlines()
    assert lines[0].startswith(f"Tuning on {found.today.result.report.received} referrals")
    assert "8 settings tried on the first 3 days, the best 2 and today's run on every day" in text
    today_row = next(line for line in lines if line.startswith("today"))
    assert today_row.endswith("(today's settings)")
    first = next(line for line in lines if line.startswith("1 "))
    assert all(f"{k}={v}" in first for k, v in found.best[0].changes.items())
    document = tune_json(found)
    assert document["today"]["changes"] == {}
    assert [row["rank"] for row in document["best"]] == list(range(1, len(found.best) + 1))
    assert document["best"][0]["dropped_rate"] == found.best[0].result.report.dropped_rate


def test_a_start_the_desk_would_refuse_is_named_before_any_run() -> None:
    bad = replace(BAD_START, settings={"acceptance_window_minutes": "0"})
    with pytest.raises(InvalidInput) as refused:
        tune(bad, count=4, workers=1)
    assert refused.value.problems[0].startswith("acceptance_window_minutes")


def test_several_settings_are_written_together_or_not_at_all(roster_desk: Desk) -> None:
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput) as refused:
        roster_desk.set_settings(
            {"acceptance_window_minutes": "45", "fallback_agent_id": "NOPE"}, now
        )
    assert "fallback_agent_id" in refused.value.problems[0]
    assert roster_desk.settings().acceptance_window_minutes == 30
    updated = roster_desk.set_settings(
        {"acceptance_window_minutes": "45", "default_mode": "broadcast", "broadcast_size": "3"},
        now,
    )
    assert (updated.acceptance_window_minutes, updated.default_mode, updated.broadcast_size) == (
        45,
        "broadcast",
        3,
    )
