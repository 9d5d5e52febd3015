"""`simulate --from-desk`: a real desk's roster, routing rules and agents' answer habits.

The desk's history is built through the desk service: P-ONE takes six private
referrals, each three minutes after its offer; P-TWO declines the one it got,
too little history to say how it answers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from referral_desk.engine.simulate.from_desk import MIN_ENDED_OFFERS, inputs_from_desk
from referral_desk.engine.simulate.inputs import ObservedHabits, roster_agents
from referral_desk.engine.simulate.run import SimulationConfig, run_simulation
from tests.factories import agent_row, intake, roster_csv

START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def desk_with_history(desk: Desk) -> Desk:
    roster = roster_csv(
        [
            agent_row(id="P-ONE", capacity="20"),
            agent_row(id="P-TWO", name="Marcus Okafor", email="marcus@example.com"),
        ]
    )
    desk.import_roster(roster, START)
    desk.set_setting("acceptance_window_minutes", "20", START)
    desk.set_setting("smtp_host", "mail.example.com", START)
    for day in range(MIN_ENDED_OFFERS + 1):
        received = START + timedelta(days=day)
        [referral] = desk.intake(
            intake(mode="private", agent_id="P-ONE", received_at=received.isoformat()), received
        )
        desk.respond(referral.id, "P-ONE", "accept", received + timedelta(minutes=3))
    received = START + timedelta(days=10)
    [declined] = desk.intake(
        intake(mode="private", agent_id="P-TWO", received_at=received.isoformat()), received
    )
    desk.respond(declined.id, "P-TWO", "decline", received + timedelta(minutes=1))
    return desk


def test_an_agent_with_enough_answers_keeps_the_habits_the_desk_saw(
    desk_with_history: Desk,
) -> None:
    """Six offers taken in three minutes each: accept 1.0, decline 0, 3 minutes; one
    decline is too little to go on, so that agent's habits stay drawn from the seed."""
    inputs = inputs_from_desk(desk_with_history)
    assert inputs.habits == {"P-ONE": ObservedHabits(accept=1.0, decline=0.0, minutes=3.0)}
    assert inputs.agents == 2


def test_the_routing_rules_come_along_and_delivery_settings_stay(
    desk_with_history: Desk,
) -> None:
    """The desk's window and weights are the run's; its mail server is not."""
    inputs = inputs_from_desk(desk_with_history)
    assert inputs.settings["acceptance_window_minutes"] == "20"
    assert inputs.settings["weights.territory"] == "40.0"
    assert inputs.settings["fallback_agent_id"] == ""
    assert "smtp_host" not in inputs.settings
    assert [agent.id for agent in roster_agents(inputs.roster_csv)] == ["P-ONE", "P-TWO"]


def test_observed_habits_decide_how_the_simulated_agent_answers() -> None:
    """An agent seen to take every offer at once takes every simulated offer at once,
    where the habits the seed draws for it would have it decline or miss some."""
    roster = roster_csv([agent_row(id="P-ONE", capacity="50")])
    config = SimulationConfig(days=4, per_day=5, seed=3, roster_csv=roster, lifecycle=False)
    drawn = run_simulation(config)
    assert drawn.counts.declines + drawn.counts.silences > 0
    seen = run_simulation(
        SimulationConfig(
            days=4,
            per_day=5,
            seed=3,
            roster_csv=roster,
            lifecycle=False,
            habits={"P-ONE": ObservedHabits(accept=1.0, decline=0.0, minutes=0.0)},
        )
    )
    assert seen.counts.declines == seen.counts.silences == 0
    assert seen.counts.accepts == seen.report.received == drawn.report.received
    assert seen.report.acceptance_median == 0


def test_a_desk_with_nobody_on_its_roster_is_refused(desk: Desk) -> None:
    with pytest.raises(InvalidInput, match=r"^from_desk: the desk has no agents"):
        inputs_from_desk(desk)
