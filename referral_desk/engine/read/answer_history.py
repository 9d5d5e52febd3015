"""How each agent has answered the desk's offers so far, from the running statistics.

Read from `agent_stats` (kept current with every offer and answer), so it
costs one small query however long the desk's history is. The simulator uses
it to give each agent of a real desk the habits the desk has seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..storage import tables as m
from ..storage.transaction import Transaction

__all__ = ["AgentAnswers", "answer_history"]


@dataclass(frozen=True)
class AgentAnswers:
    """One agent's record of answering offers."""

    agent_id: str
    offers: int
    """Offers made to the agent (answered, lapsed, withdrawn or still open)."""
    accepted: int
    declined: int
    lapsed: int
    """Offers whose window ran out unanswered."""
    responses: int
    """Answers with a response time (accepts, declines, interest)."""
    response_seconds_sum: float

    @property
    def ended(self) -> int:
        """Offers the agent took, refused or let lapse: the ones that say how they answer."""
        return self.accepted + self.declined + self.lapsed

    @property
    def mean_response_seconds(self) -> float | None:
        return self.response_seconds_sum / self.responses if self.responses else None


def answer_history(session: Transaction) -> list[AgentAnswers]:
    """Every agent's record, by agent id."""
    stats = m.agent_stats.c
    rows = session.execute(
        select(
            stats.agent_id,
            stats.offers_total,
            stats.accepted,
            stats.declined,
            stats.lapsed,
            stats.responses,
            stats.response_seconds_sum,
        ).order_by(stats.agent_id)
    )
    return [AgentAnswers(*row) for row in rows]
