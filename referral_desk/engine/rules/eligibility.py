"""Who may be offered a referral, and in what order: the hard filters, the ranking
they feed, and the picks of the modes that do not simply take the best.

An excluded agent always comes with the reason in plain words (`preview` shows it);
ranked agents come best first, ties settled the same way every time.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from itertools import islice, repeat
from typing import NamedTuple, Protocol, overload

from .scoring import (
    AgentProfile,
    RankedAgent,
    ReferralProfile,
    Weights,
    checked_weights,
    score_with,
)

__all__ = [
    "Exclusion",
    "RoutingDecision",
    "SharedReasonExclusions",
    "away_reason",
    "covers_market",
    "exclusion_reason",
    "network_group_for",
    "on_duty_now",
    "pick_round_robin",
    "rank",
    "settle_ties",
    "tied_agent_ids",
]

_TIE_DIGITS = 9
"""Scores equal to this many decimals are ties, so float noise never decides an order."""


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


class AwayDates(Protocol):
    """What `away_reason` reads of an agent (a routing profile, or the coverage check's
    lighter view of the roster)."""

    @property
    def away_from(self) -> date | None: ...
    @property
    def away_until(self) -> date | None: ...


def away_reason(agent: AwayDates, today_local: date) -> str | None:
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
        away_reason(agent, today_local)
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
    checked = checked_weights(weights)
    scored: list[tuple[AgentProfile, RankedAgent]] = []
    excluded: list[Exclusion] = []
    for agent in agents:
        reason = exclusion_reason(agent, referral, today_local)
        if reason is None:
            scored.append((agent, score_with(agent, referral, checked)))
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
