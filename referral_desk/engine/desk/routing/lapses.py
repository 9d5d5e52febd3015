"""The reassignment clock's work: every offer whose window has passed.

Each lapsed offer is handled in its own transaction by a conditional update
(`… WHERE status = 'offered'`); whoever's update changes the row handles the
offer, so two clocks on one database never handle it twice. The lapse is
recorded at the offer's real expiry; the next offer starts at the tick's `now`
with a full window, so a desk closed overnight catches up in order without
burning through the roster unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update

from ...delivery import notify
from ...delivery.links import OfferLinks
from ...rules.ids import format_id
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.rows import load_referral
from ...storage.transaction import Transaction
from ...values.settings import DeskSettings
from .dispatch import Journal, RoutingRun, after_offer_ended

_OFFERS = m.offer
_LAPSE = Prepared(
    update(_OFFERS)
    .where(
        _OFFERS.c.id == bindparam("offer_id"),
        _OFFERS.c.status == "offered",
        _OFFERS.c.expires_at <= bindparam("now", type_=_OFFERS.c.expires_at.type),
    )
    .values(status="lapsed", responded_at=_OFFERS.c.expires_at)
    .returning(_OFFERS.c.id, _OFFERS.c.referral_id, _OFFERS.c.agent_id, _OFFERS.c.expires_at)
)
"""The conditional update that decides who handles an offer, returning what it needs."""
_DUE_OFFERS = Prepared(
    select(_OFFERS.c.id)
    .where(
        _OFFERS.c.status == "offered",
        _OFFERS.c.expires_at <= bindparam("now", type_=_OFFERS.c.expires_at.type),
    )
    .order_by(_OFFERS.c.expires_at, _OFFERS.c.id)
    .limit(bindparam("limit"))
)
_STATS = m.agent_stats
_COUNT_LAPSE = Prepared(
    update(_STATS)
    .where(_STATS.c.agent_id == bindparam("lapsed_agent"))
    .values(lapsed=_STATS.c.lapsed + 1)
)

BATCH = 500
"""Lapsed offers read per pass; a long outage is worked off in several passes."""


@dataclass(frozen=True)
class Lapse:
    """One offer the clock found lapsed, and where the referral went next."""

    referral_id: str
    agent_id: str
    expired_at: datetime
    next_agent_ids: tuple[str, ...]
    referral_status: str


def due_offer_ids(session: Transaction, now: datetime, limit: int = BATCH) -> list[int]:
    """Open offers past their window, oldest expiry first (the covering index serves it)."""
    rows = session.execute(_DUE_OFFERS, {"now": now, "limit": limit})
    return list(rows.scalars())


def lapse_one(
    session: Transaction,
    journal: Journal,
    settings: DeskSettings,
    offer_id: int,
    now: datetime,
    links: OfferLinks | None = None,
) -> Lapse | None:
    """Lapses one offer if nobody else has; routes what follows. None if already handled."""
    offer = session.execute(_LAPSE, {"offer_id": offer_id, "now": now}).one_or_none()
    if offer is None:
        return None
    session.execute(_COUNT_LAPSE, {"lapsed_agent": offer.agent_id})
    journal.record(
        session,
        offer.referral_id,
        "lapsed",
        offer.expires_at,
        agent_id=offer.agent_id,
        offer_id=offer.id,
        detail="no answer within the acceptance window",
    )
    referral = load_referral(session, offer.referral_id)
    assert referral is not None
    run = RoutingRun(session, journal, settings, now, links=links)
    after_offer_ended(run, referral)
    following = tuple(run.offered_agent_ids)
    lapse = Lapse(
        referral_id=format_id("referral", referral.id or 0),
        agent_id=offer.agent_id,
        expired_at=offer.expires_at,
        next_agent_ids=following,
        referral_status=referral.status,
    )
    _tell_team_lead(session, settings, referral, lapse, now)
    return lapse


def _tell_team_lead(
    session: Transaction, settings: DeskSettings, referral: Referral, lapse: Lapse, now: datetime
) -> None:
    """The reassignment notice, when the desk has a team lead address."""
    if not settings.team_lead_email:
        return
    next_step = (
        f"offered to {', '.join(lapse.next_agent_ids)}"
        if lapse.next_agent_ids
        else f"the referral is now {lapse.referral_status}"
    )
    values = {
        "referral_id": lapse.referral_id,
        "lapsed_agent": lapse.agent_id,
        "lapsed_at": lapse.expired_at.astimezone(settings.zone).strftime("%H:%M %Z"),
        "side": referral.side,
        "market": referral.metro,
        "band": notify.band(referral),
        "next_step": next_step,
    }
    draft = notify.team_draft("reassigned", values, settings.team_lead_email, settings)
    notify.queue(session, draft, now, referral.id)


def handle_due(
    read: Callable[[], AbstractContextManager[Transaction]],
    write_one: Callable[[int], Lapse | None],
    now: datetime,
) -> list[Lapse]:
    """Handles every offer due at `now`, one transaction each, in expiry order."""
    handled: list[Lapse] = []
    while True:
        with read() as session:
            due = due_offer_ids(session, now)
        progress = False
        for offer_id in due:
            lapse = write_one(offer_id)
            if lapse is not None:
                handled.append(lapse)
                progress = True
        if len(due) < BATCH or not progress:
            return handled
