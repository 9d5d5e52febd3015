"""Where the roster is thin: who could take a referral of each market and side now.

The coverage check answers the team lead's "where do referrals drop, and why?"
with the roster's side of it. For each metro (as an active agent names it, or as
a recent referral did) and each side, it counts the agents who could be offered
such a referral now — active, not away today, covering the metro, serving the
side, with a free slot — and their free slots, next to what that market received
and dropped lately. Fewer than `THIN_BELOW` eligible agents is thin.

Price band and property type are left out on purpose: they differ with every
referral, while a market with nobody present and free loses every one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, NamedTuple

from .eligibility import away_reason

__all__ = ["SIDES", "THIN_BELOW", "CoverageRow", "Presence", "coverage_rows", "eligible_now"]

THIN_BELOW: Final = 3
"""A market with fewer eligible agents than this is thin."""
SIDES: Final = ("buyer", "seller")
SIDE_NOUNS: Final = {"buyer": "buyers", "seller": "sellers"}


class Presence(NamedTuple):
    """What the check needs of an agent: far less than a routing profile, so a roster of
    thousands is read in one light statement."""

    active: bool
    metros: frozenset[str]
    """Casefolded, as routing compares them."""
    sides: str
    capacity: int
    load: int
    away_from: date | None
    away_until: date | None


def eligible_now(agent: Presence, metro: str, side: str, today: date) -> bool:
    """Whether the agent could be offered a referral of this metro (casefolded) and side
    today: active, not away, covering the metro, serving the side, with a free slot."""
    return (
        agent.active
        and metro in agent.metros
        and agent.sides in ("both", side)
        and agent.load < agent.capacity
        and away_reason(agent, today) is None
    )


@dataclass(frozen=True)
class CoverageRow:
    """One market and side: who could take its referrals now, and how it fared lately."""

    metro: str
    side: str
    eligible_agents: int
    free_slots: int
    received_90d: int
    dropped_90d: int

    @property
    def thin(self) -> bool:
        return self.eligible_agents < THIN_BELOW

    @property
    def reason(self) -> str:
        """`Denver sellers: 1 agent; 4 of 6 dropped` — the row as a team lead reads it."""
        agents = f"{self.eligible_agents} agent{'s' * (self.eligible_agents != 1)}"
        if not self.eligible_agents:
            agents = "nobody eligible"
        text = f"{self.metro} {SIDE_NOUNS[self.side]}: {agents}"
        if self.eligible_agents:
            text += f" ({self.free_slots} free slot{'s' * (self.free_slots != 1)})"
        if self.received_90d:
            text += f"; {self.dropped_90d} of {self.received_90d} dropped"
        else:
            text += "; none received in 90 days"
        return text

    def to_json(self) -> dict[str, Any]:
        """The contract's coverage object."""
        return {
            "metro": self.metro,
            "side": self.side,
            "eligible_agents": self.eligible_agents,
            "free_slots": self.free_slots,
            "received_90d": self.received_90d,
            "dropped_90d": self.dropped_90d,
            "thin": self.thin,
        }


def coverage_rows(
    agents: Iterable[Presence],
    metros: Mapping[str, str],
    received: Mapping[tuple[str, str], tuple[int, int]],
    today: date,
) -> list[CoverageRow]:
    """Every metro and side, worst first: thin before not, fewer eligible agents first,
    then more dropped, then by name.

    `metros` maps each casefolded metro to the name shown; `received` gives (received,
    dropped) in the last 90 days per (casefolded metro, side).
    """
    covering: dict[str, list[Presence]] = {}
    for agent in agents:
        for metro in agent.metros:
            covering.setdefault(metro, []).append(agent)
    rows = []
    for folded, shown in metros.items():
        for side in SIDES:
            eligible = [
                agent
                for agent in covering.get(folded, ())
                if eligible_now(agent, folded, side, today)
            ]
            got, dropped = received.get((folded, side), (0, 0))
            free = sum(agent.capacity - agent.load for agent in eligible)
            rows.append(CoverageRow(shown, side, len(eligible), free, got, dropped))
    rows.sort(
        key=lambda row: (
            not row.thin,
            row.eligible_agents,
            -row.dropped_90d,
            -row.received_90d,
            row.metro.casefold(),
            row.side,
        )
    )
    return rows
