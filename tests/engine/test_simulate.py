"""The simulator: the real desk under a virtual clock, seeded and reproducible.

Runs are kept small (a few days at a few referrals a day): every referral goes
through the real desk service, which is what the simulator is for.
"""

from __future__ import annotations

import pickle
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from referral_desk.engine.desk import Desk
from referral_desk.engine.report.figures import FeeFigure
from referral_desk.engine.rules.errors import InvalidInput
from referral_desk.engine.simulate.compare import run_side_by_side
from referral_desk.engine.simulate.inputs import generated_roster, referral_stream, roster_agents
from referral_desk.engine.simulate.output import (
    compare_json,
    compare_text,
    simulation_json,
    simulation_text,
)
from referral_desk.engine.simulate.run import (
    SimulationConfig,
    SimulationResult,
    run_simulation,
)
from referral_desk.engine.storage.store import SCHEMA_HEAD, stored_revision
from tests.factories import agent_row, intake, roster_csv

SMALL = SimulationConfig(days=3, per_day=4, seed=11)


def figures(config: SimulationConfig) -> dict[str, Any]:
    """A run's report and counts: everything but how long it took."""
    return result_figures(run_simulation(config))


def result_figures(result: SimulationResult) -> dict[str, Any]:
    document = simulation_json(result)
    document["run"].pop("seconds")
    document["run"].pop("ms_per_referral")
    return document


def test_same_seed_gives_the_same_figures() -> None:
    """Two runs with one seed agree on every figure; another seed gives another run."""
    first = figures(SMALL)
    assert first["report"]["received"] > 0
    assert figures(SMALL) == first
    other = figures(SimulationConfig(days=3, per_day=4, seed=12))
    assert other["report"] != first["report"]


def test_agents_who_accept_at_once_leave_no_delay_and_drop_nothing() -> None:
    """Everyone takes every offer the moment it comes: the first offer is accepted at once.

    Referrals are taken in as they arrive, so the first offer is made on receipt
    (delay 0), accepted on the spot (acceptance 0), and nothing is dropped.
    """
    result = run_simulation(
        SimulationConfig(days=3, per_day=4, seed=5, accept_probability=1.0, response_minutes=0)
    )
    document = result.report.to_json()
    assert document["received"] > 0
    assert document["assignment_delay_seconds"] == {"median": 0, "p90": 0}
    assert document["acceptance_seconds"] == {"median": 0}
    assert document["dropped_rate"] == 0.0
    assert result.counts.offers == result.counts.accepts == document["received"]
    assert result.counts.silences == result.counts.declines == 0


def test_agents_who_never_answer_drop_everything() -> None:
    """Nobody answers and nobody is routed again: every referral ends unassigned."""
    config = SimulationConfig(
        days=2, per_day=3, seed=5, accept_probability=0.0, reroute_after_hours=0
    )
    result = run_simulation(config.with_settings({"acceptance_window_minutes": "10"}))
    assert result.report.received > 0
    assert result.report.dropped_rate == 1.0
    assert result.report.acceptance_median is None


def test_a_compared_variant_sees_the_same_referrals() -> None:
    """`--compare` changes the rules, not the stream: same referrals, same sources."""
    base = run_simulation(SMALL)
    variant = run_simulation(SMALL.with_settings({"acceptance_window_minutes": "15"}))
    assert variant.settings["acceptance_window_minutes"] == 15
    assert base.settings["acceptance_window_minutes"] == 30
    for key in ("received", "by_source_type", "top_sources"):
        assert variant.report.to_json()[key] == base.report.to_json()[key]
    both = compare_json(base, variant, {"acceptance_window_minutes": "15"})
    assert set(both) == {"changes", "base", "variant"}
    text = compare_text(base, variant, {"acceptance_window_minutes": "15"})
    assert "with acceptance_window_minutes=15" in text
    assert "dropped rate" in text


def test_the_table_writes_money_and_counts_as_the_filed_report_does() -> None:
    """The side-by-side table groups thousands and writes fee amounts in dollars and
    cents (`1,500 pending $1,234,567.50`), as the Markdown report does."""
    run = run_simulation(SMALL)
    fees = {
        "receivable": {"pending": FeeFigure(1500, 123456750), "paid": FeeFigure(2, 99)},
        "payable": {"pending": FeeFigure(), "paid": FeeFigure(1001, 100000000)},
    }
    busy = replace(run, report=replace(run.report, received=12480, fees=fees))
    text = compare_text(busy, run, {"broadcast_size": "3"})
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "fees receivable 1,500 pending $1,234,567.50 / 2 paid $0.99 " in " ".join(lines)
    assert "fees payable 0 pending $0.00 / 1,001 paid $1,000,000.00 " in " ".join(lines)
    assert f"referrals received 12,480 {run.report.received}" in lines


def test_a_comparison_says_what_changed() -> None:
    """The side-by-side table adds the variant's change from the base where a team lead
    reads one: dropped rate in points, delays as signed durations, counts signed."""
    base = run_simulation(SMALL)
    report = base.report
    variant = replace(
        base,
        report=replace(
            report,
            dropped_by_cause={
                **report.dropped_by_cause,
                "nobody_eligible": report.dropped_by_cause["nobody_eligible"] + 1,
            },
            acceptance_median=(report.acceptance_median or 0) + 125,
        ),
        counts=replace(base.counts, offers=base.counts.offers + 1204),
    )
    lines = [" ".join(line.split()) for line in compare_text(base, variant, {}).splitlines()]
    assert lines[2].endswith(" change")
    points = f"{100 / report.received:+.1f} pts"
    assert any(line.startswith("dropped rate") and line.endswith(points) for line in lines)
    assert any(line.endswith("+2 min 5 s") for line in lines if "accepted, median" in line)
    assert any(line.endswith("+1,204") for line in lines if line.startswith("offers made"))
    assert any(line.endswith(" same") for line in lines if "first offer, median" in line)
    received = next(line for line in lines if line.startswith("referrals received"))
    assert received == f"referrals received {report.received} {report.received}"


def test_the_table_names_where_referrals_came_from() -> None:
    """As in the report: the count by source type and the top source, for each run."""
    run = run_simulation(SMALL)
    by_type = " / ".join(str(count) for count in run.report.by_source_type.values())
    top = run.report.top_sources[0]
    lines = [" ".join(line.split()) for line in simulation_text(run).splitlines()]
    assert f"from client / sphere / agent / pro {by_type}" in lines
    assert f"top source {top.name} ({top.count})" in lines
    assert sum(run.report.by_source_type.values()) == run.report.received


def test_side_by_side_runs_give_the_figures_of_runs_one_after_the_other() -> None:
    """`--compare` runs the variant in a second process: the figures are exactly those of
    the two runs made one after the other, and the progress follows the base run."""
    variant = replace(
        SMALL.with_settings({"acceptance_window_minutes": "15"}),
        markets=MappingProxyType({"Austin": 1.0}),
    )
    days: list[int] = []
    base_run, variant_run = run_side_by_side(SMALL, variant, lambda done, _: days.append(done))
    assert result_figures(base_run) == figures(SMALL)
    assert result_figures(variant_run) == figures(variant)
    assert days == list(range(SMALL.days + 1))


def test_a_variant_its_desk_refuses_stops_the_comparison_with_the_desks_message() -> None:
    """A variant naming an agent the roster lacks fails in its process; the error comes
    back whole (field and message), not as a crash, and the base run stops too."""
    variant = SMALL.with_settings({"fallback_agent_id": "P-NOBODY"})
    days: list[int] = []
    with pytest.raises(InvalidInput, match=r"^fallback_agent_id: unknown agent 'P-NOBODY'$"):
        run_side_by_side(replace(SMALL, days=365), variant, lambda done, _: days.append(done))
    assert len(days) < 365


def test_bad_input_crosses_a_process_boundary_whole() -> None:
    """An `InvalidInput` pickled and back keeps its problems (not the letters of them)."""
    error = pickle.loads(pickle.dumps(InvalidInput(["days: too many", "seed: odd"])))
    assert error.problems == ("days: too many", "seed: odd")
    assert str(error) == "days: too many; seed: odd"


def test_the_stream_depends_on_the_seed_alone() -> None:
    """Referrals are drawn from the seed and the roster, never from the settings."""
    agents = roster_agents(generated_roster(3, 10))
    start = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    zone = ZoneInfo("America/Chicago")
    first = [a.payload for a in referral_stream(3, agents, start, 2, 10, zone)]
    again = [a.payload for a in referral_stream(3, agents, start, 2, 10, zone)]
    assert first == again
    assert all(p["metro"] in {m for a in agents for m in a.metros} for p in first)


def test_a_set_market_mix_draws_its_metros_by_weight() -> None:
    """`markets` decides which metros referrals come for, in proportion to the weights;
    a metro nobody covers still gets a band and a type, and no ZIP of another market."""
    agents = roster_agents(generated_roster(3, 10))
    covered = sorted({m for a in agents for m in a.metros})[0]
    start = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    zone = ZoneInfo("America/Chicago")
    mix = {covered: 3.0, "Nowhere": 1.0}
    stream = [a.payload for a in referral_stream(3, agents, start, 40, 50, zone, mix)]
    metros = Counter(p["metro"] for p in stream)
    assert set(metros) == {covered, "Nowhere"}
    assert 2.5 < metros[covered] / metros["Nowhere"] < 3.6
    nowhere = [p for p in stream if p["metro"] == "Nowhere"]
    assert all(p["zip"] is None and p["price_min"] < p["price_max"] for p in nowhere)
    assert any(p["zip"] for p in stream if p["metro"] == covered)


def test_a_market_nobody_covers_goes_unassigned_and_is_named() -> None:
    """Referrals for a metro no agent works, on a roster with no fallback, are never
    offered: they end unassigned however willing the agents are, and the run says why."""
    roster = roster_csv([agent_row(id="P-ONE", metros="Austin", zips="", capacity="20")])
    config = SimulationConfig(
        days=3,
        per_day=4,
        seed=2,
        roster_csv=roster,
        accept_probability=1.0,
        markets={"Houston": 1.0},
    )
    result = run_simulation(config)
    assert result.report.received > 0
    assert result.counts.offers == 0
    assert result.report.dropped_rate == 1.0
    assert result.uncovered_markets == ("Houston",)
    assert simulation_json(result)["uncovered_markets"] == ["Houston"]
    assert "Nobody on the roster covers Houston: those go unassigned" in simulation_text(result)


def test_the_run_says_what_drives_its_drops_and_where() -> None:
    """Half the referrals come for Houston (nobody covers it), half for Austin, whose one
    agent never answers: every drop has its cause, its market and its remedy."""
    roster = roster_csv([agent_row(id="P-ONE", metros="Austin", zips="", capacity="50")])
    config = SimulationConfig(
        days=4,
        per_day=6,
        seed=3,
        roster_csv=roster,
        accept_probability=0.0,
        markets={"Houston": 1.0, "Austin": 1.0},
        settings={"acceptance_window_minutes": "10"},
    )
    result = run_simulation(config)
    causes = result.report.dropped_by_cause
    houston = [m for m in result.drops if m.metro == "Houston"]
    austin = [m for m in result.drops if m.metro == "Austin"]
    assert causes["nobody_eligible"] == sum(m.received for m in houston) > 0
    assert causes["nobody_eligible"] == sum(m.causes["nobody_eligible"] for m in houston)
    assert causes["declined_or_lapsed"] == sum(m.causes["declined_or_lapsed"] for m in austin) > 0
    assert result.report.dropped == result.report.received
    text = simulation_text(result)
    assert (
        f"What drives the drops ({result.report.received} of {result.report.received} referrals):"
        in text
    )
    assert "→ recruit in those markets, or name a fallback agent who covers them" in text
    assert "→ widen the acceptance window, or offer to more agents at once" in text
    worst = result.drops[0]
    assert f"  {worst.metro} {worst.side}s: {worst.dropped} of {worst.received} dropped" in text
    document = simulation_json(result)["drops"]
    assert document["by_cause"] == causes
    assert {(m["metro"], m["side"]) for m in document["by_market"]} == {
        (m.metro, m.side) for m in result.drops
    }


def test_a_users_roster_is_routed_to() -> None:
    """With `--roster`, referrals come for the roster's markets and go to its agents."""
    roster = roster_csv(
        [
            agent_row(id="P-ONE", capacity="20"),
            agent_row(id="P-TWO", name="Marcus Okafor", email="marcus@example.com", capacity="20"),
        ]
    )
    result = run_simulation(
        SimulationConfig(days=2, per_day=3, seed=2, roster_csv=roster, accept_probability=1.0)
    )
    assert result.report.received > 0
    assert result.counts.accepts == result.report.received


def test_bad_input_is_named() -> None:
    """A bad setting, roster or option is refused before anything runs, naming it."""
    with pytest.raises(InvalidInput, match=r"^acceptance_window_minutes: "):
        run_simulation(SMALL.with_settings({"acceptance_window_minutes": "0"}))
    with pytest.raises(InvalidInput, match=r"^nope: unknown setting"):
        run_simulation(SMALL.with_settings({"nope": "1"}))
    with pytest.raises(InvalidInput, match=r"^row 2: "):
        run_simulation(SimulationConfig(roster_csv=roster_csv([agent_row(email="not an email")])))
    with pytest.raises(InvalidInput, match=r"^days: "):
        run_simulation(SimulationConfig(days=0))
    with pytest.raises(InvalidInput, match=r"accept_probability: "):
        run_simulation(SimulationConfig(accept_probability=1.5))
    with pytest.raises(InvalidInput, match=r"^markets: Austin: the weight must be above 0"):
        run_simulation(SimulationConfig(markets={"Austin": 0.0}))


def test_the_simulated_desk_lives_in_memory() -> None:
    """`Desk.open("sqlite://")` is a whole desk at the current schema, in memory."""
    desk = Desk.open("sqlite://")
    try:
        assert stored_revision(desk.store.engine) == SCHEMA_HEAD
        assert desk.settings().acceptance_window_minutes == 30
    finally:
        desk.close()


def test_simulated_windows_close_when_the_desks_do() -> None:
    """The window end the simulator reads from the settings is the one offers get, business-hours
    pause included."""
    desk = Desk.open("sqlite://")
    try:
        desk.import_roster(roster_csv([agent_row()]), datetime(2026, 1, 1, tzinfo=UTC))
        friday_evening = datetime(2026, 1, 9, 23, 45, tzinfo=UTC)  # 17:45 in Chicago
        desk.set_setting("pause_outside_business_hours", "true", friday_evening)
        offer = desk.intake(intake(received_at=None), friday_evening)[0].offers[0]
        assert desk.settings().offer_window_end(friday_evening) == offer.expires_at
        assert offer.expires_at.astimezone(UTC) == datetime(2026, 1, 12, 14, 15, tzinfo=UTC)
    finally:
        desk.close()


def test_with_an_isa_every_referral_waits_a_day_of_qualifying_before_its_first_offer() -> None:
    """The simulated ISA hands each referral off 20 hours after it came in."""
    result = run_simulation(
        replace(SMALL, accept_probability=1.0, response_minutes=0).with_settings(
            {"default_mode": "isa", "isa_agent_id": "T-SIM-HQ"}
        )
    )
    document = result.report.to_json()
    assert document["received"] > 0
    assert document["assignment_delay_seconds"] == {"median": 72000, "p90": 72000}
    assert document["dropped_rate"] == 0.0


def test_an_open_desk_is_awarded_among_the_interested() -> None:
    """Every willing agent answers interest; the sender awards one two hours on."""
    result = run_simulation(
        replace(SMALL, accept_probability=1.0, response_minutes=0).with_settings(
            {"default_mode": "open"}
        )
    )
    document = result.report.to_json()
    assert result.counts.offers > document["received"], "open: several offers each"
    assert result.counts.late == 0
    assert document["acceptance_seconds"] == {"median": 0}
    assert document["dropped_rate"] == 0.0
