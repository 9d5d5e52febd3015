"""How an agent reads in the roster table: its columns, its status words, and whether
it fits what the team lead typed in the filter.

Plain functions of an `AgentView` and today's date, apart from the screen, so the
table and its tests read the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..engine import AgentView

__all__ = [
    "COLUMNS",
    "STATE_WORDS",
    "WIDTHS",
    "agent_states",
    "agent_status",
    "away_text",
    "matches_filter",
    "metros_text",
]


def away_text(agent: AgentView) -> str:
    """`Dec 20–Jan 3 2027`: an agent's time away, an open end shown as `…`."""
    starts = agent.away_from.strftime("%b %-d") if agent.away_from else "…"
    ends = agent.away_until.strftime("%b %-d %Y") if agent.away_until else "…"
    return f"{starts}–{ends}"


def metros_text(agent: AgentView, shown: int = 2) -> str:
    """`Austin, Round Rock +5`: a column that stays narrow for agents covering many metros."""
    more = len(agent.metros) - shown
    return ", ".join(agent.metros[:shown]) + (f" +{more}" if more > 0 else "")


def agent_status(agent: AgentView, today: date) -> str:
    """`active`, `inactive`, `away until Jan 10 2027`, or `active · away Dec 20–…` ahead."""
    if not agent.active:
        return "inactive"
    if agent.is_away(today):
        return f"away until {agent.away_until:%b %-d %Y}" if agent.away_until else "away"
    if agent.away_from and agent.away_from > today:
        return f"active · away {away_text(agent)}"
    return "active"


STATE_WORDS = frozenset({"active", "inactive", "away", "available", "full"})
"""Filter words that name a state and match it exactly (`active` is not `inactive`)."""


def agent_states(agent: AgentView, today: date) -> set[str]:
    """The state words an agent answers to in the filter."""
    states = {"active" if agent.active else "inactive"}
    if agent.is_away(today):
        states.add("away")
    if agent.active and not agent.is_away(today):
        states.add("available")
    if agent.load >= agent.capacity:
        states.add("full")
    return states


def matches_filter(agent: AgentView, today: date, text: str) -> bool:
    """Whether every word of the filter fits the agent: state words (`active`, `away`,
    `full`…) exactly, any other word anywhere in what the roster shows of the agent."""
    sides = "buyer seller both" if agent.sides == "both" else agent.sides
    words = [
        agent.id, agent.name, agent.brokerage, agent.kind, sides, agent.network or "",
        " ".join(agent.metros), " ".join(agent.zips),
    ]  # fmt: skip
    haystack = " ".join(words).casefold()
    states = agent_states(agent, today)
    for word in text.casefold().split():
        if word in STATE_WORDS:
            if word not in states:
                return False
        elif word not in haystack:
            return False
    return True


COLUMNS: tuple[tuple[str, str, Callable[[AgentView], Any]], ...] = (
    ("id", "Id", lambda a: a.id),
    ("name", "Name", lambda a: a.name.casefold()),
    ("load", "Load", lambda a: (a.load / a.capacity if a.capacity else 1.0, a.load)),
    ("status", "Status", lambda a: (not a.active, a.away_from is not None, a.id)),
    ("sides", "Sides", lambda a: a.sides),
    ("metros", "Metros", lambda a: ";".join(a.metros).casefold()),
    ("price", "Sweet spot", lambda a: (a.price_min, a.price_max)),
    ("kind", "Kind", lambda a: a.kind),
    ("channel", "Channel", lambda a: a.preferred_channel),
)
"""Each column: key, label, and what it sorts by (numbers sort as numbers)."""

WIDTHS = {
    "id": 10,
    "name": 20,
    "load": 5,
    "status": 22,
    "sides": 6,
    "metros": 22,
    "price": 12,
    "kind": 8,
    "channel": 7,
}
"""Fixed column widths: the table never jumps as rows load or the sort changes."""
