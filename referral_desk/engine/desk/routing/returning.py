"""An existing relationship wins: a returning source's referral goes first to the agent
who took its last one (setting `prefer_previous_agent`, sequential modes).

Teams ask for it on every routing tool: a past client's friend, sent by the same
past client, expects the agent the client already knows. The agent must be
eligible now (active, not away, covering the market, with a free slot, not
already offered this referral); if not, or once they decline or let the window
lapse, routing goes on in its usual order.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ...rules.ids import format_id
from ...rules.scoring import RankedAgent
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.transaction import Transaction

__all__ = ["PreviousAgent", "preferred", "previous_agent"]

_REFERRAL = m.referral
_LAST_TAKEN = Prepared(
    select(_REFERRAL.c.id, _REFERRAL.c.assigned_agent_id)
    .where(
        _REFERRAL.c.source_id == bindparam("source_id"),
        _REFERRAL.c.assigned_agent_id.is_not(None),
        _REFERRAL.c.id < bindparam("referral_id"),
        _REFERRAL.c.status != "qualifying",  # an ISA qualifying it is no relationship yet
    )
    .order_by(_REFERRAL.c.id.desc())
    .limit(1)
)


@dataclass(frozen=True)
class PreviousAgent:
    """The agent who took the source's last referral, and which referral that was."""

    agent_id: str
    referral_id: int

    @property
    def why(self) -> str:
        """What the `offered` event and the detail screen say about the offer."""
        return f"served this source's referral {format_id('referral', self.referral_id)}"


def previous_agent(session: Transaction, referral: Referral) -> PreviousAgent | None:
    """The agent an earlier referral of the same source was awarded to, the latest one."""
    row = session.execute(
        _LAST_TAKEN, {"source_id": referral.source_id, "referral_id": referral.id}
    ).first()
    return PreviousAgent(row.assigned_agent_id, row.id) if row is not None else None


def preferred(
    session: Transaction, referral: Referral, eligible: list[RankedAgent]
) -> tuple[RankedAgent, PreviousAgent] | None:
    """The previous agent's place among the eligible, if they are among them."""
    if not eligible:
        return None
    previous = previous_agent(session, referral)
    if previous is None:
        return None
    choice = next((c for c in eligible if c.agent_id == previous.agent_id), None)
    return (choice, previous) if choice is not None else None
