"""Cheap read-only summaries for screens that glance at the whole desk.

The app's header shows four counts on every screen and refreshes them each
time the desk changes, and the command palette finds referrals by name as
the user types; both must stay fast on a desk with 100,000 referrals, so they
are single aggregate or `LIMIT`ed queries instead of loading referral views.
Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select

from ..rules.errors import NotFound
from ..rules.ids import format_id, parse_id
from ..rules.vocabulary import WAITING_STATUSES
from ..storage import tables as m
from ..storage.transaction import Transaction

__all__ = ["DeskCounts", "ReferralName", "agent_names", "desk_counts", "find_referrals"]


@dataclass(frozen=True)
class DeskCounts:
    """What a team lead checks first: how much is waiting and what needs a person."""

    waiting: int
    """Referrals the desk is waiting on (the queue: offered, accepted, pending, unassigned)."""
    unassigned: int
    """Referrals nobody took: they need the team lead now."""
    thanks_due: int
    """Acknowledgment tasks due by now and not done."""
    open_flags: int
    """Escalations not yet resolved."""


@dataclass(frozen=True)
class ReferralName:
    """Just enough of a referral to find it by its client's name."""

    id: str
    client_first_name: str
    client_last_name: str
    metro: str
    status: str


def desk_counts(session: Transaction, now: datetime) -> DeskCounts:
    """The header's four counts, in one short read (indexed on status)."""
    by_status: dict[str, int] = dict(
        session.execute(
            select(m.referral.c.status, func.count())
            .where(m.referral.c.status.in_(WAITING_STATUSES))
            .group_by(m.referral.c.status)
        ).all()
    )
    thanks_due = session.execute(
        select(func.count())
        .select_from(m.ack_task)
        .where(m.ack_task.c.done_at.is_(None), m.ack_task.c.due_at <= now)
    ).scalar_one()
    open_flags = session.execute(
        select(func.count()).select_from(m.flag).where(m.flag.c.resolved_at.is_(None))
    ).scalar_one()
    return DeskCounts(
        waiting=sum(by_status.values()),
        unassigned=by_status.get("unassigned", 0),
        thanks_due=int(thanks_due),
        open_flags=int(open_flags),
    )


def agent_names(session: Transaction) -> dict[str, str]:
    """Agent id → name for the whole roster: screens show names where routing stores ids."""
    rows = session.execute(select(m.agent.c.id, m.agent.c.name)).all()
    return {agent_id: name for agent_id, name in rows}


def find_referrals(session: Transaction, text: str, limit: int = 20) -> list[ReferralName]:
    """Referrals whose id or client name contains `text` (newest first), for the palette."""
    words = text.split()
    if not words:
        return []
    query = select(
        m.referral.c.id,
        m.referral.c.client_first_name,
        m.referral.c.client_last_name,
        m.referral.c.metro,
        m.referral.c.status,
    )
    for word in words:
        pattern = f"%{word}%"
        conditions: list[ColumnElement[bool]] = [
            m.referral.c.client_first_name.ilike(pattern),
            m.referral.c.client_last_name.ilike(pattern),
        ]
        number = _referral_number(word)
        if number is not None:
            conditions.append(m.referral.c.id == number)
        query = query.where(or_(*conditions))
    query = query.order_by(m.referral.c.id.desc()).limit(limit)
    rows = session.execute(query).all()
    return [
        ReferralName(format_id("referral", number or 0), first, last, metro, status)
        for number, first, last, metro, status in rows
    ]


def _referral_number(word: str) -> int | None:
    try:
        return parse_id("referral", word)
    except NotFound:  # not an id: the word only matches names
        return None
