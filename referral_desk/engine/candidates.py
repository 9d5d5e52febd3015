"""Loading what routing needs for one referral: candidate agents as plain profiles.

Territory is filtered in SQL (the `agent_territory` index), so a 5,000-agent
roster costs only the agents who cover the market. Each candidate's load and
history come with its profile from `agent_stats`, whose `load` the database keeps
(triggers of migration 0007); offers of the last 30 days are counted only for
agents whose scores tie (`rank_candidates`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select

from . import models as m
from .prepared import Prepared
from .records import Referral
from .routing import (
    AgentHistory,
    AgentProfile,
    ReferralProfile,
    RoutingDecision,
    Weights,
    rank,
    settle_ties,
    tied_agent_ids,
)
from .schedule import WeeklySchedule, parse_schedule
from .store import Transaction

RECENT_DAYS = 30

PROFILE_COLUMNS = (
    "id",
    "name",
    "kind",
    "active",
    "metros",
    "zips",
    "sides",
    "price_min",
    "price_max",
    "property_types",
    "capacity",
    "away_from",
    "away_until",
    "on_duty",
    "weight",
    "network",
)
"""The agent columns routing reads (contact details and timestamps it does not)."""


@lru_cache(maxsize=1024)
def _schedule(text: str) -> WeeklySchedule | None:
    return parse_schedule(text) if text else None


@lru_cache(maxsize=16384)
def _split(text: str, fold: bool = False) -> frozenset[str]:
    parts = (part.strip() for part in text.split(";"))
    return frozenset(part.casefold() if fold else part for part in parts if part)


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


_AGENT = m.agent
_STATS = m.agent_stats
_OFFER = m.offer
_TERRITORY = m.agent_territory

# Built once: routing runs these for every intake, lapse and preview, and building a
# statement costs about as much as SQLite takes to answer it.
_COVERING_METRO = Prepared(
    select(_TERRITORY.c.agent_id)
    .where(_TERRITORY.c.kind == "metro", _TERRITORY.c.value == bindparam("metro"))
    .distinct()
)
_COVERING_METRO_OR_ZIP = Prepared(
    select(_TERRITORY.c.agent_id)
    .where(
        or_(
            and_(_TERRITORY.c.kind == "metro", _TERRITORY.c.value == bindparam("metro")),
            and_(_TERRITORY.c.kind == "zip", _TERRITORY.c.value == bindparam("zip")),
        )
    )
    .distinct()
)


_PROFILE_ROWS = Prepared(
    select(
        *(_AGENT.c[name] for name in PROFILE_COLUMNS),
        _STATS.c.accepted,
        _STATS.c.declined,
        _STATS.c.lapsed,
        _STATS.c.response_seconds_sum,
        _STATS.c.responses,
        _STATS.c.rotation_served,
        _STATS.c.load,
    )
    .select_from(_AGENT.outerjoin(_STATS, _STATS.c.agent_id == _AGENT.c.id))
    .where(_AGENT.c.id.in_(bindparam("ids", expanding=True)))
)
"""Candidates with their history and load (open offers plus referrals assigned in an
active status), which the database keeps in `agent_stats` (migration 0007)."""
_RECENT_OFFERS = Prepared(
    select(_OFFER.c.agent_id, func.count())
    .where(
        _OFFER.c.agent_id.in_(bindparam("ids", expanding=True)),
        _OFFER.c.offered_at >= bindparam("since", type_=_OFFER.c.offered_at.type),
    )
    .group_by(_OFFER.c.agent_id)
)


def covering_agent_ids(session: Transaction, profile: ReferralProfile) -> list[str]:
    """Ids of agents who list the referral's ZIP or metro."""
    if profile.zip:
        rows = session.execute(_COVERING_METRO_OR_ZIP, {"metro": profile.metro, "zip": profile.zip})
    else:
        rows = session.execute(_COVERING_METRO, {"metro": profile.metro})
    return list(rows.scalars())


def load_profiles(session: Transaction, agent_ids: list[str], now: datetime) -> list[AgentProfile]:
    """Routing profiles of these agents, with load and history.

    Their offers of the last 30 days only break ties between equal scores, so
    they are counted by `rank_candidates` for the agents that tie, not here
    (`offers_last_30_days` is 0 until then).
    """
    if not agent_ids:
        return []
    return [_profile(row) for row in session.execute(_PROFILE_ROWS, {"ids": agent_ids})]


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


@lru_cache(maxsize=8192)
def _profile(agent: Any) -> AgentProfile:
    """One candidate row (`PROFILE_COLUMNS`, the `agent_stats` counters, the load).

    Kept per distinct row: an agent's row reads the same from one decision to the
    next until an offer, an answer or a roster change moves one of its values, and
    a profile (frozen) costs more to build than the row costs to hash.
    """
    accepted = agent.accepted or 0
    answered = accepted + (agent.declined or 0) + (agent.lapsed or 0)
    responses = agent.responses or 0
    mean = (agent.response_seconds_sum or 0.0) / responses if responses else None
    return AgentProfile(
        id=agent.id,
        name=agent.name,
        kind=agent.kind,
        active=agent.active,
        metros=_split(agent.metros, fold=True),
        zips=_split(agent.zips),
        sides=agent.sides,
        price_min=agent.price_min,
        price_max=agent.price_max,
        property_types=_split(agent.property_types),
        capacity=agent.capacity,
        away_from=agent.away_from,
        away_until=agent.away_until,
        on_duty=_schedule(agent.on_duty),
        weight=agent.weight,
        network=agent.network,
        load=agent.load or 0,
        offers_last_30_days=0,
        rotation_served=agent.rotation_served or 0,
        history=AgentHistory(answered, accepted, mean),
    )


_ROSTER_IDS: dict[str, tuple[tuple[Any, ...], list[str]]] = {}
"""Per database: the roster's ids in order, with the fingerprint they were read under."""


def all_agent_ids(session: Transaction, besides: Iterable[str] = ()) -> list[str]:
    """Roster ids in order, except `besides` (for preview's list of who is excluded and why).

    Agents are never deleted and their ids never change, so the roster's count and
    its first and last id tell whether the id list read earlier still holds: three
    index look-ups instead of reading 5,000 ids on every preview.
    """
    connection = session.connection
    fingerprint = tuple(
        connection.exec_driver_sql(
            "SELECT (SELECT count(*) FROM agent), (SELECT min(id) FROM agent),"
            " (SELECT max(id) FROM agent)"
        ).one()
    )
    key = str(connection.engine.url)
    cached = _ROSTER_IDS.get(key)
    if cached is None or cached[0] != fingerprint:
        cursor = connection.connection.cursor()  # the driver's own: no per-row wrapping
        try:
            cursor.execute("SELECT id FROM agent")
            # Sorted here, not by the database: PostgreSQL's collation may not order
            # ids as Python does, and preview merges this list with others.
            cached = (fingerprint, sorted(agent_id for (agent_id,) in cursor.fetchall()))
        finally:
            cursor.close()
        _ROSTER_IDS[key] = cached
    skip = set(besides)
    return [agent_id for agent_id in cached[1] if agent_id not in skip]
