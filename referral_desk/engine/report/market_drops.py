"""Referrals received and dropped per market and side, with each drop's cause.

The coverage check sets the last 90 days beside the roster, and the simulator
says which markets drive its drops: both need, per metro and side, how many
referrals came in and why those that dropped did. One grouped statement reads
the columns the rule (`rules.drops`) needs, the period's range of `received_at`
served by its index; the rule then runs once per group, not once per referral.

Counts use the stored status: both readers ask about the present.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..rules.drops import DropCause, drop_cause
from ..storage import tables as m
from ..storage.transaction import Transaction

__all__ = ["MarketDrops", "market_drops"]

R = m.referral.c


@dataclass
class MarketDrops:
    """One metro and side over a span: referrals received, and dropped by cause."""

    metro: str
    """The metro as the first of its referrals spelt it."""
    side: str
    received: int = 0
    causes: Counter[DropCause] = field(default_factory=Counter)

    @property
    def dropped(self) -> int:
        return sum(self.causes.values())


def market_drops(
    session: Transaction, start: datetime, end: datetime
) -> dict[tuple[str, str], MarketDrops]:
    """Referrals received in [start, end), per (casefolded metro, side)."""
    accepted = R.accepted_at.is_not(None).label("accepted")
    offered = R.first_offered_at.is_not(None).label("offered")
    groups = session.execute(
        select(R.metro, R.side, R.status, R.archived_from, accepted, offered, func.count())
        .where(R.received_at >= start, R.received_at < end)
        .group_by(R.metro, R.side, R.status, R.archived_from, accepted, offered)
        .order_by(func.min(R.id))
    ).all()
    markets: dict[tuple[str, str], MarketDrops] = {}
    for metro, side, status, archived_from, was_accepted, was_offered, count in groups:
        key = (metro.casefold(), side)
        market = markets.get(key)
        if market is None:
            market = markets[key] = MarketDrops(metro, side)
        market.received += count
        cause = drop_cause(
            status, archived_from, accepted=bool(was_accepted), offered=bool(was_offered)
        )
        if cause is not None:
            market.causes[cause] += count
    return markets
