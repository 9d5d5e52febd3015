"""Who gets a referral: eligibility, scoring, ranking and the modes' helpers.

Pure functions over plain frozen dataclasses. The desk service turns database rows
into :class:`AgentProfile` and :class:`ReferralProfile`, asks :func:`rank` for a
decision, and stores each offer's :class:`Breakdown` so the desk can always say why
an agent was chosen. ``preview`` shows the same decision without writing anything.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from fractions import Fraction
from functools import lru_cache
from itertools import islice, repeat
from typing import NamedTuple, overload

from .schedule import WeeklySchedule

__all__ = [
    "METRO_MATCH",
    "NEUTRAL_HISTORY",
    "ZIP_MATCH",
    "AgentHistory",
    "AgentProfile",
    "Breakdown",
    "Exclusion",
    "RankedAgent",
    "ReferralProfile",
    "RoutingDecision",
    "Weights",
    "breakdown_for",
    "capacity_value",
    "covers_market",
    "exclusion_reason",
    "history_value",
    "network_group_for",
    "on_duty_now",
    "pick_round_robin",
    "price_value",
    "rank",
    "score_agent",
    "settle_ties",
    "territory_value",
    "tied_agent_ids",
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
_TIE_DIGITS = 9
"""Scores equal to this many decimals are ties, so float noise never decides an order."""


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


class Exclusion(NamedTuple):
    """An agent who cannot be offered the referral, and the reason in plain words.

    A named tuple, not a dataclass: preview lists every agent of a large roster.
    """

    agent_id: str
    """The agent's roster id."""
    reason: str
    """E.g. ``away until 2026-11-30`` or ``serves sellers only``."""


class SharedReasonExclusions(Sequence[Exclusion]):
    """Exclusions in agent-id order: a few with reasons of their own, and many agents
    (on a large roster, thousands outside the market) sharing one reason.

    Merged only as far as it is read: the intake screen shows the first few and a
    count, so a preview need not build an object for every agent on the roster.
    """

    def __init__(self, own: Iterable[Exclusion], shared: Sequence[str], reason: str) -> None:
        self._own = sorted(own)
        self._shared = shared
        """Agent ids in order, none of them among `own`."""
        self._reason = reason
        self._all: tuple[Exclusion, ...] | None = None

    def __len__(self) -> int:
        return len(self._own) + len(self._shared)

    def __iter__(self) -> Iterator[Exclusion]:
        if self._all is not None:
            return iter(self._all)
        return heapq.merge(self._own, map(Exclusion, self._shared, repeat(self._reason)))

    @overload
    def __getitem__(self, index: int) -> Exclusion: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Exclusion]: ...
    def __getitem__(self, index: int | slice) -> Exclusion | Sequence[Exclusion]:
        head = (
            isinstance(index, slice)
            and index.start is None
            and index.step is None
            and index.stop is not None
            and index.stop >= 0
        )
        if head:  # merged only that far
            assert isinstance(index, slice)
            return tuple(islice(self, index.stop))
        if self._all is None:
            self._all = tuple(self)
        return self._all[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SharedReasonExclusions({len(self)} agents)"


@dataclass(frozen=True)
class RoutingDecision:
    """Everyone on the roster, either ranked (best first) or excluded with a reason."""

    ranked: tuple[RankedAgent, ...]
    """Eligible agents, best first, ties settled deterministically."""
    excluded: Sequence[Exclusion]
    """Every other agent, by id."""


# --- eligibility -------------------------------------------------------------------


def covers_market(agent: AgentProfile, referral: ReferralProfile) -> bool:
    """Whether the agent works the referral's ZIP or its metro."""
    zip_match = referral.zip is not None and referral.zip in agent.zips
    return zip_match or referral.metro in agent.metros


def _away_reason(agent: AgentProfile, today_local: date) -> str | None:
    """An away period is inclusive at both ends; an open start means "already away"."""
    if agent.away_from is None and agent.away_until is None:
        return None
    if agent.away_until is None:
        assert agent.away_from is not None
        return (
            f"away from {agent.away_from.isoformat()}" if today_local >= agent.away_from else None
        )
    started = agent.away_from is None or agent.away_from <= today_local
    if started and today_local <= agent.away_until:
        return f"away until {agent.away_until.isoformat()}"
    return None


def _coverage_reason(agent: AgentProfile, referral: ReferralProfile) -> str | None:
    if covers_market(agent, referral):
        return None
    if referral.zip:
        return f"does not cover ZIP {referral.zip} or {referral.metro}"
    return f"does not cover {referral.metro}"


def _side_reason(agent: AgentProfile, referral: ReferralProfile) -> str | None:
    if agent.sides in ("both", referral.side):
        return None
    return "serves sellers only" if agent.sides == "seller" else "serves buyers only"


def exclusion_reason(
    agent: AgentProfile, referral: ReferralProfile, today_local: date
) -> str | None:
    """Why this agent may not be offered this referral, or ``None`` if eligible.

    The hard filters run in a fixed order and the first that fails is reported, so
    ``preview`` always names the most basic obstacle (an inactive agent is
    "inactive", not "no free slot").

    Args:
        agent: the roster entry.
        referral: the referral being routed.
        today_local: today's date in the desk's zone (away dates are desk dates).
    """
    if not agent.active:
        return "inactive"
    reason = (
        _away_reason(agent, today_local)
        or _coverage_reason(agent, referral)
        or _side_reason(agent, referral)
    )
    if reason:
        return reason
    if agent.load >= agent.capacity:
        return f"no free slot (load {agent.load} of capacity {agent.capacity})"
    if agent.id in referral.ended_agent_ids:
        return "already declined or lapsed on this referral"
    if agent.id in referral.open_agent_ids:
        return "already holds an offer on this referral"
    return None


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
    return _combined(breakdown, *_checked_weights(weights))


def _combined(breakdown: Breakdown, weights: tuple[float, ...], total: float) -> float:
    """`weighted_score` with the weights checked already (`_checked_weights`)."""
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
def _checked_weights(weights: Weights) -> tuple[tuple[float, ...], float]:
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
    return _scored(agent, referral, _checked_weights(weights))


def _scored(
    agent: AgentProfile, referral: ReferralProfile, checked: tuple[tuple[float, ...], float]
) -> RankedAgent:
    """`score_agent` with the weights checked already (`_checked_weights`)."""
    breakdown = breakdown_for(agent, referral)
    return RankedAgent(agent.id, _combined(breakdown, *checked), breakdown)


# --- ranking and modes -------------------------------------------------------------


def rank(
    agents: Iterable[AgentProfile],
    referral: ReferralProfile,
    weights: Weights,
    today_local: date,
) -> RoutingDecision:
    """Split the roster into ranked eligible agents and excluded ones.

    Ranked agents come best first; equal scores go to the agent with fewer offers
    in the last 30 days (spreading the work), then to the lower id, so the same
    roster always routes the same way. Excluded agents are listed by id.
    """
    checked = _checked_weights(weights)
    scored: list[tuple[AgentProfile, RankedAgent]] = []
    excluded: list[Exclusion] = []
    for agent in agents:
        reason = exclusion_reason(agent, referral, today_local)
        if reason is None:
            scored.append((agent, _scored(agent, referral, checked)))
        else:
            excluded.append(Exclusion(agent.id, reason))
    scored.sort(key=lambda pair: _order(pair[1], pair[0].offers_last_30_days))
    excluded.sort(key=lambda exclusion: exclusion.agent_id)
    return RoutingDecision(tuple(ranked for _, ranked in scored), tuple(excluded))


def _order(choice: RankedAgent, offers_last_30_days: int) -> tuple[float, int, str]:
    """Best score first; equal scores to fewer recent offers, then to the lower id."""
    return (-round(choice.score, _TIE_DIGITS), offers_last_30_days, choice.agent_id)


def settle_ties(
    decision: RoutingDecision, offers_last_30_days: Mapping[str, int]
) -> RoutingDecision:
    """The decision `rank` makes once each agent's offers of the last 30 days are known.

    The counts only order equal scores, so the ranked agents are sorted again
    rather than scored again; who is excluded, and why, cannot change.
    """
    ranked = sorted(
        decision.ranked,
        key=lambda choice: _order(choice, offers_last_30_days.get(choice.agent_id, 0)),
    )
    return RoutingDecision(tuple(ranked), decision.excluded)


def tied_agent_ids(ranked: Sequence[RankedAgent]) -> frozenset[str]:
    """Agents whose rounded score equals another ranked agent's: the ties `rank` breaks."""
    seen: dict[float, list[str]] = {}
    for choice in ranked:
        seen.setdefault(round(choice.score, _TIE_DIGITS), []).append(choice.agent_id)
    return frozenset(agent for agents in seen.values() if len(agents) > 1 for agent in agents)


def _rotation_key(agent: AgentProfile) -> tuple[Fraction | float, int, str]:
    share: Fraction | float = (
        Fraction(agent.rotation_served, agent.weight) if agent.weight > 0 else math.inf
    )
    return (share, agent.rotation_served, agent.id)


def pick_round_robin(ranked_eligible: Sequence[AgentProfile]) -> AgentProfile | None:
    """The next agent in the weighted rotation, or ``None`` if nobody is eligible.

    Picks the lowest ``rotation_served / weight`` (exact fractions; ties by fewest
    served, then id), so over many offers each agent's share follows its weight.
    The caller increments ``rotation_served`` after each offer and stores it, which
    is what lets the rotation survive restarts. A newcomer starting at 0 catches up
    with a burst of offers; seed its count if that is not wanted. Agents with a
    weight of 0 or less come last.
    """
    if not ranked_eligible:
        return None
    return min(ranked_eligible, key=_rotation_key)


def on_duty_now(agent: AgentProfile, local_now: datetime) -> bool:
    """Whether the agent is on duty at this desk-zone moment; no schedule means never."""
    return agent.on_duty is not None and agent.on_duty.contains(local_now)


def network_group_for(agents: Iterable[AgentProfile], referral: ReferralProfile) -> str | None:
    """The network group whose active agents cover the referral's market best.

    The group with the most active covering agents wins, ties by name; ``None``
    when no active covering agent belongs to a group. Inactive agents are not
    counted, so a group is never chosen for members who cannot take the offer.
    """
    counts = Counter(
        agent.network
        for agent in agents
        if agent.network and agent.active and covers_market(agent, referral)
    )
    if not counts:
        return None
    return min(counts, key=lambda group: (-counts[group], group))
