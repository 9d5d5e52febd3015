"""What routing reads besides its candidates' profiles (`profiles.py`).

The referral's standing (its offers so far), the 30-day offer counts that
break ties — read only for the agents whose scores tie (`rank_candidates`) —
and the roster's ids for a preview's list of who is excluded and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select

from ...rules.eligibility import RoutingDecision, rank, settle_ties, tied_agent_ids
from ...rules.scoring import AgentProfile, ReferralProfile, Weights
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.transaction import Transaction
from .profiles import roster_ids

RECENT_DAYS = 30

_OFFERS_OF = Prepared(
    select(m.offer.c.agent_id, m.offer.c.status, m.offer.c.offered_at)
    .where(m.offer.c.referral_id == bindparam("referral_id"))
    .order_by(m.offer.c.id)
)


@dataclass(frozen=True)
class Standing:
    """A referral about to be routed: as routing scores it, and the offers it has had.

    Read once per routing step: the offers say who may not be offered it again, how
    many offers this round has made, and the next offer's sequence number, which
    were three more statements when each was counted by the database.
    """

    profile: ReferralProfile
    offers: tuple[Any, ...]
    """(agent_id, status, offered_at) of each offer so far, oldest first."""


def standing(session: Transaction, referral: Referral) -> Standing:
    """The referral as routing sees it, with who already ended or holds an offer."""
    rows = tuple(session.execute(_OFFERS_OF, {"referral_id": referral.id}))
    profile = ReferralProfile(
        metro=referral.metro.strip().casefold(),
        zip=referral.zip,
        side=referral.side,
        price_min=referral.price_min,
        price_max=referral.price_max,
        property_type=referral.property_type,
        ended_agent_ids=frozenset(a for a, s, _ in rows if s in ("declined", "lapsed")),
        open_agent_ids=frozenset(a for a, s, _ in rows if s in ("offered", "interested")),
    )
    return Standing(profile, rows)


_OFFER = m.offer

_RECENT_OFFERS = Prepared(
    select(_OFFER.c.agent_id, func.count())
    .where(
        _OFFER.c.agent_id.in_(bindparam("ids", expanding=True)),
        _OFFER.c.offered_at >= bindparam("since", type_=_OFFER.c.offered_at.type),
    )
    .group_by(_OFFER.c.agent_id)
)


def rank_candidates(
    session: Transaction,
    profiles: Iterable[AgentProfile],
    referral: ReferralProfile,
    weights: Weights,
    today_local: date,
    now: datetime,
) -> RoutingDecision:
    """`routing.rank`, with the 30-day offer counts read for the agents whose scores tie.

    The counts decide only the order of equal scores, so reading them for the tied
    agents alone gives exactly the order reading them for all would
    (`routing.settle_ties` sorts again; the profiles keep `offers_last_30_days` 0).
    """
    decision = rank(profiles, referral, weights, today_local)
    tied = tied_agent_ids(decision.ranked)
    if not tied:
        return decision
    since = now - timedelta(days=RECENT_DAYS)
    wanted = {"ids": sorted(tied), "since": since}
    return settle_ties(decision, dict(session.execute(_RECENT_OFFERS, wanted).all()))


def all_agent_ids(session: Transaction, besides: Iterable[str] = ()) -> list[str]:
    """Roster ids in order, except `besides` (for preview's list of who is excluded and why).

    The id list is kept per roster version (`profiles.roster_ids`), so a preview
    reads one integer instead of 5,000 ids.
    """
    skip = set(besides)
    return [agent_id for agent_id in roster_ids(session) if agent_id not in skip]
