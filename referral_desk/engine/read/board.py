"""The team lead's board, read in three statements however long the queue is.

The board shows every referral the desk is waiting on with its open offers and
how many flags it has open: no history, no fees, no scores, and no client
contact (a first name and an initial). Reading the queue's full views for it
cost a quarter of a second with 2,000 live offers; these rows cost a few
milliseconds, so a board can be redrawn each time the desk changes. Lines and
offers are named tuples: thousands are made for each look at the board, and a
frozen dataclass took several times as long to make.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from ..rules.ids import format_id
from ..rules.vocabulary import OPEN_OFFER_STATUSES, WAITING_STATUSES
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.transaction import Transaction

__all__ = ["BoardLine", "BoardOffer", "board_lines"]

_REFERRAL, _OFFER, _FLAG = m.referral, m.offer, m.flag
_WAITING = Prepared(
    select(
        _REFERRAL.c.id,
        _REFERRAL.c.status,
        _REFERRAL.c.mode,
        _REFERRAL.c.client_first_name,
        _REFERRAL.c.client_last_name,
        _REFERRAL.c.metro,
        _REFERRAL.c.zip,
    )
    .where(_REFERRAL.c.status.in_(WAITING_STATUSES))
    .order_by(_REFERRAL.c.id)
)
_OPEN_OFFERS = Prepared(
    select(_OFFER.c.referral_id, _OFFER.c.agent_id, _OFFER.c.status, _OFFER.c.expires_at)
    .join(_REFERRAL, _REFERRAL.c.id == _OFFER.c.referral_id)
    .where(_REFERRAL.c.status.in_(WAITING_STATUSES), _OFFER.c.status.in_(OPEN_OFFER_STATUSES))
    .order_by(_OFFER.c.id)
)
_OPEN_FLAGS = Prepared(
    select(_FLAG.c.referral_id, func.count())
    .where(_FLAG.c.resolved_at.is_(None), _FLAG.c.referral_id.is_not(None))
    .group_by(_FLAG.c.referral_id)
)


class BoardOffer(NamedTuple):
    """An open offer: who holds it and, while it is offered, until when."""

    agent_id: str
    status: str
    expires_at: datetime


class BoardLine(NamedTuple):
    """One referral the desk is waiting on, as the board shows it."""

    referral_id: str
    status: str
    mode: str
    client: str
    """First name and initial (`Tanya I.`): never contact."""
    market: str
    offers: tuple[BoardOffer, ...]
    open_flags: int


def board_lines(session: Transaction) -> list[BoardLine]:
    """The queue as board lines, oldest referral first."""
    offers: dict[int, list[BoardOffer]] = {}
    for row in session.execute(_OPEN_OFFERS):
        offers.setdefault(row.referral_id, []).append(
            BoardOffer(row.agent_id, row.status, row.expires_at)
        )
    flags = {row[0]: int(row[1]) for row in session.execute(_OPEN_FLAGS)}
    return [
        BoardLine(
            referral_id=format_id("referral", row.id),
            status=row.status,
            mode=row.mode,
            client=f"{row.client_first_name} {row.client_last_name[0]}."
            if row.client_last_name
            else row.client_first_name,
            market=f"{row.metro} {row.zip or ''}".strip(),
            offers=tuple(offers.get(row.id, ())),
            open_flags=flags.get(row.id, 0),
        )
        for row in session.execute(_WAITING)
    ]
