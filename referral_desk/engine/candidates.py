"""Loading what routing needs for one referral: candidate agents as plain profiles.

Territory is filtered in SQL (the `agent_territory` index), so a 5,000-agent
roster costs only the agents who cover the market; loads, recent offers and
history come from small indexed aggregates and `agent_stats`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, and_, func, or_, select
from sqlmodel import Session, col

from . import models as m
from .queries import agent_loads
from .routing import AgentHistory, AgentProfile, ReferralProfile
from .schedule import WeeklySchedule, parse_schedule

RECENT_DAYS = 30


@lru_cache(maxsize=1024)
def _schedule(text: str) -> WeeklySchedule | None:
    return parse_schedule(text) if text else None


def _split(text: str, fold: bool = False) -> frozenset[str]:
    parts = (part.strip() for part in text.split(";"))
    return frozenset(part.casefold() if fold else part for part in parts if part)


def referral_profile(session: Session, referral: m.Referral) -> ReferralProfile:
    """The referral as routing sees it, with who already ended or holds an offer."""
    rows = session.execute(
        select(m.Offer.agent_id, m.Offer.status).where(m.Offer.referral_id == referral.id)
    ).all()
    return ReferralProfile(
        metro=referral.metro.strip().casefold(),
        zip=referral.zip,
        side=referral.side,
        price_min=referral.price_min,
        price_max=referral.price_max,
        property_type=referral.property_type,
        ended_agent_ids=frozenset(a for a, s in rows if s in ("declined", "lapsed")),
        open_agent_ids=frozenset(a for a, s in rows if s in ("offered", "interested")),
    )


def covering_agent_ids(session: Session, profile: ReferralProfile) -> list[str]:
    """Ids of agents who list the referral's ZIP or metro."""
    territory = m.AgentTerritory
    condition = and_(territory.kind == "metro", territory.value == profile.metro)
    if profile.zip:
        condition = or_(condition, and_(territory.kind == "zip", territory.value == profile.zip))
    return list(session.execute(select(territory.agent_id).where(condition).distinct()).scalars())


def load_profiles(session: Session, agent_ids: list[str], now: datetime) -> list[AgentProfile]:
    """Routing profiles of these agents, with load, recent offers and history."""
    if not agent_ids:
        return []
    agents = m.Agent.__table__
    stats = m.AgentStats.__table__
    rows = session.execute(
        select(
            agents,
            stats.c.accepted,
            stats.c.declined,
            stats.c.lapsed,
            stats.c.response_seconds_sum,
            stats.c.responses,
            stats.c.rotation_served,
        )
        .select_from(agents.outerjoin(stats, stats.c.agent_id == agents.c.id))
        .where(agents.c.id.in_(agent_ids))
    ).all()
    loads = agent_loads(session, agent_ids)
    recent = dict(
        session.execute(
            select(m.Offer.agent_id, func.count())
            .where(
                col(m.Offer.agent_id).in_(agent_ids),
                m.Offer.offered_at >= now - timedelta(days=RECENT_DAYS),
            )
            .group_by(m.Offer.agent_id)
        ).all()
    )
    return [_profile(row, loads.get(row.id, 0), recent.get(row.id, 0)) for row in rows]


def _profile(agent: Row[Any], load: int, recent: int) -> AgentProfile:
    """One agent row (columns of `agent` plus its `agent_stats` counters) as a profile."""
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
        load=load,
        offers_last_30_days=recent,
        rotation_served=agent.rotation_served or 0,
        history=AgentHistory(answered, accepted, mean),
    )


def all_agent_ids(session: Session) -> list[str]:
    """Every roster id (for preview's list of who is excluded and why)."""
    rows = session.connection().exec_driver_sql("SELECT id FROM agent ORDER BY id")
    return [agent_id for (agent_id,) in rows]
