"""`preview`: the routing decision for a referral that is not stored.

The same candidates and ranking as real routing, over a read-only session,
put in the order the referral's mode would offer them (on duty now, the
round-robin rotation, the network group, the private agent; an open referral
lists every eligible agent, all offered at once), plus every agent who does not
cover the market, so the VA sees why each agent would not get it. A warm
transfer and an ISA referral go to agents the desk names, whatever the market.
"""

from __future__ import annotations

from datetime import datetime

from ...rules.eligibility import (
    Exclusion,
    RoutingDecision,
    SharedReasonExclusions,
    away_reason,
    network_group_for,
    on_duty_now,
    pick_round_robin,
)
from ...rules.scoring import AgentProfile, RankedAgent, ReferralProfile, Weights, score_agent
from ...storage.transaction import Transaction
from ...values.schemas import IntakeIn
from ...values.settings import DeskSettings
from .candidates import all_agent_ids, rank_candidates
from .profiles import covering_profiles, load_profiles


def intake_profile(data: IntakeIn) -> ReferralProfile:
    """A referral not stored yet, as routing sees it (nobody has had an offer of it)."""
    return ReferralProfile(
        metro=data.metro.strip().casefold(),
        zip=data.zip,
        side=data.side,
        price_min=data.price_min,
        price_max=data.price_max,
        property_type=data.property_type,
    )


def preview_decision(
    session: Transaction, data: IntakeIn, settings: DeskSettings, now: datetime
) -> RoutingDecision:
    """Ranked eligible agents and excluded ones with reasons, for an intake object.

    The fallback agent, when eligible, is listed last: sequential routing offers
    it only once nobody else is left, whatever its score.
    """
    profile = intake_profile(data)
    mode = data.mode or settings.default_mode
    if mode in ("warm_transfer", "isa"):
        return _named_agents_decision(session, profile, mode, settings, now)
    profiles = covering_profiles(session, profile)
    covering = [agent.id for agent in profiles]
    today = now.astimezone(settings.zone).date()
    decision = rank_candidates(session, profiles, profile, Weights(**settings.weights), today, now)
    place = f"ZIP {data.zip} or {data.metro}" if data.zip else data.metro
    elsewhere = all_agent_ids(session, besides=covering)
    ranked, by_mode = _as_the_mode_would(
        list(decision.ranked), {agent.id: agent for agent in profiles}, data, settings, now
    )
    excluded = SharedReasonExclusions(
        [*decision.excluded, *by_mode], elsewhere, f"does not cover {place}"
    )
    fallback = settings.fallback_agent_id
    in_order = [c for c in ranked if c.agent_id != fallback]
    in_order += [c for c in ranked if c.agent_id == fallback]
    return RoutingDecision(tuple(in_order), excluded)


def _named_agents_decision(
    session: Transaction,
    profile: ReferralProfile,
    mode: str,
    settings: DeskSettings,
    now: datetime,
) -> RoutingDecision:
    """The modes that go to agents the desk names, whatever market they cover: the warm
    transfer's agents and fallback (inactive or away ones skipped), or the ISA."""
    named: tuple[str, ...]
    if mode == "isa":
        named = (settings.isa_agent_id,) if settings.isa_agent_id else ()
        others = "an isa referral waits with the inside sales agent first"
    else:
        named = settings.warm_transfer_ids
        others = "not a warm-transfer agent (warm_transfer_agent_ids, fallback)"
    today = now.astimezone(settings.zone).date()
    weights = Weights(**settings.weights)
    ranked: list[RankedAgent] = []
    own: list[Exclusion] = []
    for agent in sorted(load_profiles(session, list(named)), key=lambda a: named.index(a.id)):
        reason = None
        if mode == "warm_transfer":
            reason = "inactive" if not agent.active else away_reason(agent, today)
        if reason:
            own.append(Exclusion(agent.id, reason))
        else:
            ranked.append(score_agent(agent, profile, weights))
    elsewhere = all_agent_ids(session, besides=named)
    return RoutingDecision(tuple(ranked), SharedReasonExclusions(own, elsewhere, others))


def _as_the_mode_would(
    ranked: list[RankedAgent],
    profiles: dict[str, AgentProfile],
    data: IntakeIn,
    settings: DeskSettings,
    now: datetime,
) -> tuple[list[RankedAgent], list[Exclusion]]:
    """Orders and filters the eligible agents the way the referral's mode offers them."""
    mode = data.mode or settings.default_mode
    fallback = settings.fallback_agent_id
    if mode == "on_duty":
        local_now = now.astimezone(settings.zone)
        off = [
            c
            for c in ranked
            if c.agent_id != fallback and not on_duty_now(profiles[c.agent_id], local_now)
        ]
        return [c for c in ranked if c not in off], [
            Exclusion(c.agent_id, "not on duty now") for c in off
        ]
    if mode == "round_robin":
        order = {agent.id: index for index, agent in enumerate(_rotation(profiles, ranked))}
        return sorted(ranked, key=lambda c: order[c.agent_id]), []
    if mode == "private":
        chosen = [c for c in ranked if c.agent_id == data.agent_id]
        return chosen, [
            Exclusion(c.agent_id, "private referral: offered to its chosen agent only")
            for c in ranked
            if c.agent_id != data.agent_id
        ]
    if mode == "network":
        group = data.network or network_group_for(profiles.values(), intake_profile(data))
        outside = [
            c for c in ranked if c.agent_id != fallback and profiles[c.agent_id].network != group
        ]
        return [c for c in ranked if c not in outside], [
            Exclusion(c.agent_id, f"not in network {group or '(none)'}") for c in outside
        ]
    return ranked, []


def _rotation(profiles: dict[str, AgentProfile], ranked: list[RankedAgent]) -> list[AgentProfile]:
    """The round-robin order: who the rotation picks first, second, …"""
    waiting = [profiles[c.agent_id] for c in ranked]
    order = []
    while waiting:
        chosen = pick_round_robin(waiting)
        assert chosen is not None
        order.append(chosen)
        waiting.remove(chosen)
    return order
