"""Answers agents gave on offer links, newest after a given event: what the app toasts.

The desk service records an answer from a link with the detail `from the offer
link` (and the reason, if any); screens in any process poll for them after the
revision counter moves, so the VA sees "R-000041 accepted by Dana Whitfield from
the offer link" within a beat of it happening on a partner's phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select

from ..rules.ids import format_id
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.transaction import Transaction

__all__ = ["LINK_DETAIL", "LinkAnswer", "last_event_id", "link_answers_after"]

LINK_DETAIL = "from the offer link"
"""How the history says an answer came from the offer's link (then `: reason`, if any)."""
ANSWER_KINDS = ("accepted", "claimed", "interested", "declined")
SHOWN_MAX = 20
"""At most this many answers per poll: a toast each is plenty."""

_EVENT = m.event
_ANSWERS = Prepared(
    select(
        _EVENT.c.id,
        _EVENT.c.referral_id,
        _EVENT.c.agent_id,
        _EVENT.c.kind,
        _EVENT.c.at,
        m.agent.c.name,
    )
    .join(m.agent, m.agent.c.id == _EVENT.c.agent_id)
    .where(
        _EVENT.c.id > bindparam("after"),
        _EVENT.c.kind.in_(ANSWER_KINDS),
        _EVENT.c.detail.like(LINK_DETAIL + "%"),
    )
    .order_by(_EVENT.c.id)
    .limit(SHOWN_MAX)
)
_LAST_EVENT = Prepared(select(func.max(_EVENT.c.id)))


@dataclass(frozen=True)
class LinkAnswer:
    """One answer given on an offer link."""

    event_id: int
    referral_id: str
    agent_id: str
    agent_name: str
    kind: str
    """accepted, claimed, interested or declined."""
    at: datetime


def last_event_id(session: Transaction) -> int:
    """The newest event's id (0 on an empty desk)."""
    return int(session.execute(_LAST_EVENT).scalar() or 0)


def link_answers_after(session: Transaction, event_id: int) -> list[LinkAnswer]:
    """Answers from links recorded after `event_id`, oldest first."""
    return [
        LinkAnswer(
            row.id, format_id("referral", row.referral_id), row.agent_id, row.name, row.kind, row.at
        )
        for row in session.execute(_ANSWERS, {"after": event_id})
    ]
