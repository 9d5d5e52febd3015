"""How well an agent fits a referral: the five dimensions, their weights, the score.

Pure functions over plain frozen dataclasses. The desk service turns database rows
into :class:`AgentProfile` and :class:`ReferralProfile`; `eligibility.rank` keeps the
agents who may be offered the referral and orders them by the score made here; each
offer stores its :class:`Breakdown`, so the desk can always say why an agent was chosen.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from .schedule import WeeklySchedule

__all__ = [
    "METRO_MATCH",
    "NEUTRAL_HISTORY",
    "ZIP_MATCH",
    "AgentHistory",
    "AgentProfile",
    "Breakdown",
    "RankedAgent",
    "ReferralProfile",
    "Weights",
    "breakdown_for",
    "capacity_value",
    "checked_weights",
    "history_value",
    "price_value",
    "score_agent",
    "score_with",
    "territory_value",
    "weighted_score",
]

ZIP_MATCH = 1.0
"""Territory value when the agent works the referral's ZIP."""
METRO_MATCH = 0.6
"""Territory value when the agent only lists the referral's metro."""
NEUTRAL_HISTORY = 0.5
"""History value of an agent with no answered offers: neither punished nor favoured."""
ACCEPT_RATE_SHARE = 0.7
"""Share of the history value taken by the smoothed accept rate (the rest is speed)."""
SPEED_HALF_SECONDS = 600.0
"""Mean response time (seconds) at which the speed factor is one half."""


@dataclass(frozen=True)
class AgentHistory:
    """How an agent has answered past offers (the history dimension's input)."""

    offers_answered: int = 0
    """Offers that ended by acceptance, decline or lapse."""
    accepted: int = 0
    """Offers the agent accepted or claimed."""
    mean_response_seconds: float | None = None
    """Mean time to accept or decline; ``None`` when the agent never responded."""


@dataclass(frozen=True)
class AgentProfile:
    """One agent on the roster, as routing sees it."""

    id: str
    """Stable roster id, e.g. ``P-ATX-01``; the last tie-breaker."""
    name: str
    """Display name."""
    kind: str
    """``partner`` (a fee is owed to us) or ``team`` (no fee)."""
    active: bool
    """Inactive agents are never offered anything."""
    metros: frozenset[str]
    """Metros covered, casefolded and stripped by the caller."""
    zips: frozenset[str]
    """ZIP codes covered; a ZIP match scores above a metro match."""
    sides: str
    """``buyer``, ``seller`` or ``both``."""
    price_min: int
    """Low end of the price sweet spot, whole dollars."""
    price_max: int
    """High end of the price sweet spot, whole dollars."""
    property_types: frozenset[str]
    """Property types the agent handles."""
    capacity: int
    """Open referrals the agent can take at once."""
    away_from: date | None
    """First day away (inclusive, desk zone); ``None`` with ``away_until`` means away now."""
    away_until: date | None
    """Last day away (inclusive, desk zone)."""
    on_duty: WeeklySchedule | None
    """On-duty hours for the on-duty mode; ``None`` means never on duty."""
    weight: int
    """Round-robin weight: an agent with weight 2 gets twice the offers of weight 1."""
    network: str | None
    """Network group for network mode, if any."""
    load: int
    """Open offers plus referrals assigned in an active status."""
    offers_last_30_days: int
    """Offers made in the last 30 days; fewer wins a tie, to spread the work."""
    rotation_served: int
    """Round-robin offers made so far, persisted by the caller across restarts."""
    history: AgentHistory
    """Past answers, for the history dimension."""


@dataclass(frozen=True)
class ReferralProfile:
    """One referral, as routing sees it."""

    metro: str
    """Target metro, casefolded."""
    zip: str | None
    """Target ZIP, if known."""
    side: str
    """``buyer`` or ``seller``."""
    price_min: int
    """Low end of the client's band, whole dollars."""
    price_max: int
    """High end of the client's band, whole dollars."""
    property_type: str
    """Property type, e.g. ``residential``."""
    ended_agent_ids: frozenset[str] = frozenset()
    """Agents who declined or lapsed on this referral: never offered it again."""
    open_agent_ids: frozenset[str] = frozenset()
    """Agents holding an open offer on it now."""


@dataclass(frozen=True)
class Weights:
    """How much each dimension counts; need not sum to 100, must not all be zero."""

    territory: float = 40
    """Weight of the territory match."""
    price: float = 25
    """Weight of the price-band overlap."""
    capacity: float = 20
    """Weight of free capacity."""
    history: float = 10
    """Weight of past responsiveness."""
    property_type: float = 5
    """Weight of the property-type match."""

    def as_dict(self) -> dict[str, float]:
        """The weights keyed like a :class:`Breakdown`."""
        return {key: float(value) for key, value in asdict(self).items()}


_JSON_PAIR = '"{}": {}'
_TEXT_PAIR = "{} {:.2f}"


class Breakdown(NamedTuple):
    """The five dimension values, each in [0, 1]: why an agent scored as it did.

    A named tuple, not a dataclass: every eligible agent of every decision gets one,
    and a frozen dataclass costs three times as much to build.
    """

    territory: float
    """1.0 for a ZIP match, 0.6 for a metro-only match, else 0."""
    price: float
    """Share of the referral's band inside the agent's sweet spot."""
    capacity: float
    """Free slots as a share of capacity."""
    history: float
    """Smoothed accept rate blended with response speed; 0.5 for a new agent."""
    property_type: float
    """1.0 when the agent handles the property type, else 0."""

    def as_dict(self) -> dict[str, float]:
        """The values keyed by dimension, as stored on an offer and shown in JSON."""
        return self._asdict()

    def as_json(self) -> str:
        """`json.dumps(self.as_dict())`, character for character, as an offer stores it:
        written directly, as an open referral's hundreds of offers each store one
        (a number's `repr` is what `json` writes for it)."""
        return "{" + ", ".join(map(_JSON_PAIR.format, self._fields, map(repr, self))) + "}"

    def as_text(self) -> str:
        """`territory 1.00, price 0.80, …`: the values as an `offered` event says them."""
        return ", ".join(map(_TEXT_PAIR.format, self._fields, self))

    def rounded(self, digits: int = 4) -> Breakdown:
        """A copy rounded for display; scores are computed from the full values."""
        return Breakdown._make(round(value, digits) for value in self)


class RankedAgent(NamedTuple):
    """An eligible agent with its score and the breakdown behind it (a named tuple, as
    `Breakdown`)."""

    agent_id: str
    """The agent's roster id."""
    score: float
    """Weighted mean of the breakdown, in [0, 1]."""
    breakdown: Breakdown
    """The five values the score came from."""


# --- scoring -----------------------------------------------------------------------


def territory_value(agent: AgentProfile, referral: ReferralProfile) -> float:
    """A ZIP match beats a metro-only match: the agent knows the neighbourhood."""
    if referral.zip is not None and referral.zip in agent.zips:
        return ZIP_MATCH
    return METRO_MATCH if referral.metro in agent.metros else 0.0


def price_value(referral_min: int, referral_max: int, agent_min: int, agent_max: int) -> float:
    """Share of the client's price band that lies inside the agent's sweet spot.

    A band of a single price is either inside (1.0) or outside (0.0). Bands given
    backwards are read as their sorted ends, so bad data never yields a value
    outside [0, 1].
    """
    low, high = (
        (referral_min, referral_max)
        if referral_min <= referral_max
        else (referral_max, referral_min)
    )
    sweet_low, sweet_high = (
        (agent_min, agent_max) if agent_min <= agent_max else (agent_max, agent_min)
    )
    if low == high:
        return 1.0 if sweet_low <= low <= sweet_high else 0.0
    overlap = min(high, sweet_high) - max(low, sweet_low)
    return min(max(overlap / (high - low), 0.0), 1.0)


def capacity_value(agent: AgentProfile) -> float:
    """Free slots as a share of capacity: a nearly full agent is a worse bet."""
    if agent.capacity <= 0:
        return 0.0
    free = max(agent.capacity - agent.load, 0)
    return min(free / agent.capacity, 1.0)


def history_value(history: AgentHistory) -> float:
    """Past responsiveness, smoothed so a few offers cannot swing it far.

    The accept rate uses a Laplace prior ``(accepted + 1) / (answered + 2)``; the
    speed factor ``1 / (1 + mean / 600 s)`` is 1 for instant answers, 0.5 at ten
    minutes and falls towards 0; with no responses it is 0.5. They combine as
    ``0.7 × rate + 0.3 × speed``. An agent with no answered offers scores exactly
    0.5, so newcomers are neither punished nor favoured.
    """
    answered = max(history.offers_answered, 0)
    if answered == 0:
        return NEUTRAL_HISTORY
    accepted = min(max(history.accepted, 0), answered)
    rate = (accepted + 1) / (answered + 2)
    mean = history.mean_response_seconds
    speed = 0.5 if mean is None else 1.0 / (1.0 + max(mean, 0.0) / SPEED_HALF_SECONDS)
    value = ACCEPT_RATE_SHARE * rate + (1.0 - ACCEPT_RATE_SHARE) * speed
    return min(max(value, 0.0), 1.0)


def breakdown_for(agent: AgentProfile, referral: ReferralProfile) -> Breakdown:
    """The five dimension values for one agent and referral."""
    return Breakdown(  # in field order: territory, price, capacity, history, property type
        territory_value(agent, referral),
        price_value(referral.price_min, referral.price_max, agent.price_min, agent.price_max),
        capacity_value(agent),
        history_value(agent.history),
        1.0 if referral.property_type in agent.property_types else 0.0,
    )


def weighted_score(breakdown: Breakdown, weights: Weights) -> float:
    """``Σ weightᵢ × valueᵢ / Σ weightᵢ``: the weights need not sum to 100.

    Raises:
        ValueError: if a weight is negative or not finite, or all are zero.
    """
    return _combined(breakdown, *checked_weights(weights))


def _combined(breakdown: Breakdown, weights: tuple[float, ...], total: float) -> float:
    """`weighted_score` with the weights checked already (`checked_weights`)."""
    territory, price, capacity, history, property_type = weights
    score = (
        territory * breakdown.territory
        + price * breakdown.price
        + capacity * breakdown.capacity
        + history * breakdown.history
        + property_type * breakdown.property_type
    ) / total
    return min(max(score, 0.0), 1.0)


@lru_cache(maxsize=64)
def checked_weights(weights: Weights) -> tuple[tuple[float, ...], float]:
    """The weights in dimension order and their total, checked once per set of weights
    (every candidate of every decision is scored with the same few)."""
    values = (
        weights.territory,
        weights.price,
        weights.capacity,
        weights.history,
        weights.property_type,
    )
    if any(weight < 0 or not math.isfinite(weight) for weight in values):
        raise ValueError("weights must be finite and not negative")
    total = sum(values)
    if total == 0:
        raise ValueError("weights must not all be zero")
    return values, total


def score_agent(agent: AgentProfile, referral: ReferralProfile, weights: Weights) -> RankedAgent:
    """Score one agent for one referral, keeping the breakdown that explains it.

    Eligibility is not checked here (:func:`rank` does that), so the preview can
    score anyone.
    """
    return score_with(agent, referral, checked_weights(weights))


def score_with(
    agent: AgentProfile, referral: ReferralProfile, checked: tuple[tuple[float, ...], float]
) -> RankedAgent:
    """`score_agent` with the weights checked already (`checked_weights`)."""
    breakdown = breakdown_for(agent, referral)
    return RankedAgent(agent.id, _combined(breakdown, *checked), breakdown)
