"""What a simulation takes from a real desk: its roster, its routing rules, and how
each of its agents has answered offers so far.

`simulate --from-desk` runs the what-if on the team's own agents as they
behave, instead of a generated roster with invented habits: an agent with
enough answered offers gets the accept and decline shares and the mean answer
time the desk has recorded; one with too few keeps habits drawn from the seed.
Nothing about clients or sources is taken: the stream is still simulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..desk import Desk
from ..desk.roster_csv import write_roster_csv
from ..read.answer_history import AgentAnswers
from ..rules.errors import InvalidInput
from .inputs import ObservedHabits

__all__ = ["MIN_ENDED_OFFERS", "ROUTING_SETTINGS", "DeskInputs", "inputs_from_desk"]

MIN_ENDED_OFFERS = 5
"""Offers an agent must have taken, declined or let lapse before their record is used."""

ROUTING_SETTINGS = (
    "timezone",
    "acceptance_window_minutes",
    "weights.territory",
    "weights.price",
    "weights.capacity",
    "weights.history",
    "weights.property_type",
    "default_mode",
    "broadcast_size",
    "fallback_agent_id",
    "card_practice",
    "holidays",
    "max_offers_before_fallback",
    "business_hours",
    "pause_outside_business_hours",
)
"""The settings that decide routing and its clock; delivery settings stay behind."""


@dataclass(frozen=True)
class DeskInputs:
    """A real desk's roster, routing settings and observed habits, ready to simulate."""

    roster_csv: str
    settings: dict[str, str]
    """Setting key → the text `settings set` takes."""
    habits: dict[str, ObservedHabits]
    agents: int
    """Agents on the roster."""


def inputs_from_desk(desk: Desk) -> DeskInputs:
    """Reads what a simulation of this desk needs; refuses a desk with nobody on its roster."""
    agents = desk.agents()
    if not agents:
        raise InvalidInput(["from_desk: the desk has no agents on its roster (import one first)"])
    contract = desk.settings().as_contract()
    settings = {key: _setting_text(contract[key]) for key in ROUTING_SETTINGS}
    habits = {
        record.agent_id: observed
        for record in desk.answer_history()
        if (observed := observed_habits(record)) is not None
    }
    return DeskInputs(write_roster_csv(agents), settings, habits, len(agents))


def observed_habits(record: AgentAnswers) -> ObservedHabits | None:
    """The agent's shares of accepted and declined offers and mean answer time, or None
    while they have answered too few offers to say."""
    ended = record.ended
    if ended < MIN_ENDED_OFFERS:
        return None
    seconds = record.mean_response_seconds
    return ObservedHabits(
        accept=record.accepted / ended,
        decline=record.declined / ended,
        minutes=0.0 if seconds is None else seconds / 60,
    )


def _setting_text(value: Any) -> str:
    """A setting's JSON value as `settings set` would take it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
