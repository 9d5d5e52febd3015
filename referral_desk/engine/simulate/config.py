"""What one simulated run is: how long, how busy, which roster, rules and habits.

Kept apart from the run itself (`simulate.py`) so the options can be checked,
compared (`with_settings`) and sent to a second process without the engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType

from ..rules.errors import InvalidInput
from ..values.settings import DeskSettings, with_setting
from .inputs import ObservedHabits

__all__ = ["SimulationConfig"]


@dataclass(frozen=True)
class SimulationConfig:
    """One simulated run: how long, how busy, which roster, settings and agent habits."""

    days: int = 90
    """Days of referrals."""
    per_day: float = 20.0
    """Average referrals a day (Poisson)."""
    seed: int = 1
    """Everything random is drawn from it: the same seed, the same run."""
    roster_csv: str | None = None
    """A roster in the `partners import` format; None: generated from the seed."""
    settings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Desk settings for the run, as `settings set KEY VALUE` takes them."""
    accept_probability: float | None = None
    """Every agent accepts with this chance; None: each agent's own (0.5–0.95)."""
    response_minutes: float | None = None
    """Every agent's typical answer time; None: each agent's own (2–25 min); 0: at once."""
    start: date = date(2026, 1, 5)
    """The first day (midnight in the desk's zone)."""
    reroute_after_hours: float = 4.0
    """When the team lead routes an unassigned referral again (0: never)."""
    lifecycle: bool = True
    """Follow accepted referrals to closing (or loss), with their fees."""
    habits: Mapping[str, ObservedHabits] = field(default_factory=lambda: MappingProxyType({}))
    """Agents' habits as a real desk has seen them (agent id → habits); any other agent's
    are drawn from the seed."""
    from_desk: bool = False
    """The roster, settings and habits were read from a real desk (`--from-desk`)."""
    markets: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    """The mix of metros referrals come for (metro → weight); empty: the roster's own
    markets, as its agents cover them. A metro nobody covers shows the gap."""

    def with_settings(self, changes: Mapping[str, str]) -> SimulationConfig:
        """The same run with some settings changed (the `--compare` variant)."""
        return replace(self, settings=MappingProxyType({**self.settings, **changes}))

    def check(self) -> None:
        """Refuses a run that cannot be simulated, naming the option."""
        problems = []
        if not 1 <= self.days <= 3650:
            problems.append("days: must be from 1 to 3650")
        if not 0 < self.per_day <= 10_000:
            problems.append("per_day: must be above 0 and at most 10000")
        if self.accept_probability is not None and not 0 <= self.accept_probability <= 1:
            problems.append("accept_probability: must be from 0 to 1")
        if self.response_minutes is not None and not 0 <= self.response_minutes <= 10_000:
            problems.append("response_minutes: must be from 0 to 10000")
        if self.reroute_after_hours < 0:
            problems.append("reroute_after_hours: must not be negative")
        for metro, weight in self.markets.items():
            if not metro.strip():
                problems.append("markets: a metro must have a name")
            elif not (math.isfinite(weight) and weight > 0):
                problems.append(f"markets: {metro}: the weight must be above 0 (got {weight:g})")
        settings = DeskSettings()
        for key, text in self.settings.items():
            try:
                settings, _ = with_setting(settings, key, text)
            except InvalidInput as error:
                problems.extend(error.problems)
        if problems:
            raise InvalidInput(problems)
