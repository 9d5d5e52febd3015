"""`preview`: the routing decision for a referral that is not stored.

The same candidates and ranking as real routing, over a read-only session,
plus every agent who does not cover the market, so the VA sees why each agent
on the roster would not get it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from .candidates import all_agent_ids, covering_agent_ids, load_profiles
from .routing import Exclusion, ReferralProfile, RoutingDecision, Weights, rank
from .schemas import IntakeIn
from .settings import DeskSettings


def preview_decision(
    session: Session, data: IntakeIn, settings: DeskSettings, now: datetime
) -> RoutingDecision:
    """Ranked eligible agents and excluded ones with reasons, for an intake object.

    The fallback agent, when eligible, is listed last: sequential routing offers
    it only once nobody else is left, whatever its score.
    """
    profile = ReferralProfile(
        metro=data.metro.strip().casefold(),
        zip=data.zip,
        side=data.side,
        price_min=data.price_min,
        price_max=data.price_max,
        property_type=data.property_type,
    )
    covering = covering_agent_ids(session, profile)
    profiles = load_profiles(session, covering, now)
    today = now.astimezone(settings.zone).date()
    decision = rank(profiles, profile, Weights(**settings.weights), today)
    covered = set(covering)
    place = f"ZIP {data.zip} or {data.metro}" if data.zip else data.metro
    elsewhere = [
        Exclusion(agent_id, f"does not cover {place}")
        for agent_id in all_agent_ids(session)
        if agent_id not in covered
    ]
    excluded = sorted([*decision.excluded, *elsewhere], key=lambda item: item.agent_id)
    fallback = settings.fallback_agent_id
    ranked = [c for c in decision.ranked if c.agent_id != fallback]
    ranked += [c for c in decision.ranked if c.agent_id == fallback]
    return RoutingDecision(tuple(ranked), tuple(excluded))
