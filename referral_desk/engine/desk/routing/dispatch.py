"""Routing inside a write transaction: making offers, and what follows when one ends.

`routing.py` decides (pure); this module acts on the decision: it writes the
offers with their score breakdowns and windows, moves the referral's status,
falls back, or marks the referral unassigned with a flag for the team lead.
Every step appends its events through the `Journal` the desk service passes in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, func, select, update

from ...delivery import escalation, notify
from ...delivery.links import OfferLinks
from ...rules.eligibility import network_group_for, on_duty_now, pick_round_robin
from ...rules.ids import format_id
from ...rules.scoring import AgentProfile, RankedAgent, ReferralProfile, Weights, score_agent
from ...rules.vocabulary import SEQUENTIAL_MODES
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.rows import agent_contact
from ...storage.transaction import Transaction
from ...values.settings import DeskSettings
from . import interest, isa, offers, warm
from .candidates import Standing, rank_candidates, standing
from .profiles import covering_profiles, load_profiles
from .returning import preferred

_OFFER = m.offer
_EVENT = m.event
_STATS = m.agent_stats

# Built once: every intake and every lapse runs these.
_LAST_REROUTE = Prepared(
    select(func.max(_EVENT.c.at)).where(
        _EVENT.c.referral_id == bindparam("referral_id"), _EVENT.c.kind == "rerouted"
    )
)


class Journal(Protocol):
    """Where routing appends events (the desk service)."""

    def record(
        self,
        session: Transaction,
        referral_id: int | None,
        kind: str,
        at: datetime,
        *,
        agent_id: str | None = None,
        offer_id: int | None = None,
        detail: str = "",
    ) -> None: ...


@dataclass
class RoutingRun:
    """One routing step: the transaction, the desk's settings and the moment it happens."""

    session: Transaction
    journal: Journal
    settings: DeskSettings
    now: datetime
    offered_agent_ids: list[str] = field(default_factory=list)
    """Who this step offered the referral to, in order (the clock reports them)."""
    links: OfferLinks | None = None
    """Signs the link each offer message carries (None: the desk has no `public_url`)."""

    @property
    def weights(self) -> Weights:
        return Weights(**self.settings.weights)

    def window_end(self) -> datetime:
        """When an offer made now stops taking answers (business hours only, if set)."""
        return self.settings.offer_window_end(self.now)


def set_status(run: RoutingRun, referral: Referral, status: str, detail: str = "") -> None:
    """Moves a referral to a status and records the move."""
    previous = referral.status
    if previous == status:
        return
    referral.status = status
    referral.updated_at = run.now
    text = f"{previous} → {status}" + (f": {detail}" if detail else "")
    run.journal.record(run.session, referral.id, "status", run.now, detail=text)


def start(run: RoutingRun, referral: Referral) -> None:
    """Routes a new (or unassigned) referral by its mode."""
    now_standing = standing(run.session, referral)
    if referral.mode in SEQUENTIAL_MODES:
        _offer_next_sequential(run, referral, now_standing)
    elif referral.mode == "private":
        _offer_private(run, referral, now_standing)
    elif referral.mode == "broadcast":
        _offer_broadcast(run, referral, now_standing)
    elif referral.mode == "network":
        _offer_network(run, referral, now_standing)
    elif referral.mode == "isa":
        isa.hold(run, referral)
    elif referral.mode == "warm_transfer":
        warm.offer_warm_transfer(run, referral, now_standing)
    elif referral.mode == "open":
        interest.offer_open(run, referral, now_standing)


def after_offer_ended(run: RoutingRun, referral: Referral) -> None:
    """What follows a decline or lapse, by mode (DESIGN.md, Routing: Modes)."""
    if referral.status not in ("offered", "accepted"):
        return
    now_standing = standing(run.session, referral)
    still_open = bool(now_standing.profile.open_agent_ids)
    if referral.mode in SEQUENTIAL_MODES:
        if not still_open:
            _offer_next_sequential(run, referral, now_standing)
    elif referral.mode == "private":
        if not interest.picks_from_interested(run.session, referral):
            unassign(run, referral, "the chosen agent did not take it (private referral)")
        elif not still_open:
            unassign(run, referral, "no invited agent took an interest in time")
    elif referral.mode == "broadcast":
        if not still_open:
            unassign(run, referral, "every broadcast offer ended unclaimed")
    elif referral.mode == "network" and not still_open:
        unassign(run, referral, "no agent of the network took an interest in time")
    elif referral.mode == "open" and not still_open:
        unassign(run, referral, "no agent took an interest in time (open referral)")
    elif referral.mode == "warm_transfer" and not still_open:
        unassign(run, referral, "nobody claimed the warm transfer in time")


def unassign(run: RoutingRun, referral: Referral, why: str) -> None:
    """Nobody can or will take it: unassigned, and a flag for the team lead."""
    set_status(run, referral, "unassigned", why)
    run.journal.record(run.session, referral.id, "unassigned", run.now, detail=why)
    escalation.raise_flag(
        run.session,
        "roster_exhausted",
        run.now,
        f"{format_id('referral', referral.id or 0)} is unassigned: {why}",
        referral_id=referral.id,
        source_id=referral.source_id,
        settings=run.settings,
    )


def candidate_decision(
    run: RoutingRun, profile: ReferralProfile
) -> tuple[dict[str, AgentProfile], list[RankedAgent]]:
    """Profiles of agents covering the market, and the eligible ones ranked."""
    profiles = {agent.id: agent for agent in covering_profiles(run.session, profile)}
    today = run.now.astimezone(run.settings.zone).date()
    decision = rank_candidates(run.session, profiles.values(), profile, run.weights, today, run.now)
    return profiles, list(decision.ranked)


def _offer_next_sequential(run: RoutingRun, referral: Referral, now_standing: Standing) -> None:
    fallback = run.settings.fallback_agent_id
    made = _offers_this_round(run.session, referral, fallback, now_standing)
    if made < run.settings.max_offers_before_fallback:
        profiles, ranked = candidate_decision(run, now_standing.profile)
        eligible = [choice for choice in ranked if choice.agent_id != fallback]
        returning = run.settings.prefer_previous_agent and preferred(
            run.session, referral, eligible
        )
        if returning:
            choice, previous = returning
            offers.make_offers(
                run, referral, [choice], now_standing, sequential=True, why=previous.why
            )
            return
        pick = _pick(run, referral.mode, eligible, profiles)
        if pick is not None:
            offers.make_offers(run, referral, [pick], now_standing, sequential=True)
            return
    _offer_fallback_or_unassign(run, referral, now_standing)


def _offers_this_round(
    session: Transaction, referral: Referral, fallback: str | None, now_standing: Standing
) -> int:
    """Offers (to anyone but the fallback) since the referral was last routed again."""
    others = [offered_at for agent, _, offered_at in now_standing.offers if agent != fallback]
    if not others:
        return 0  # when it was routed again cannot matter
    rerouted_at = session.execute(_LAST_REROUTE, {"referral_id": referral.id}).scalar()
    if rerouted_at is None:
        return len(others)
    return sum(1 for offered_at in others if offered_at >= rerouted_at)


def _pick(
    run: RoutingRun, mode: str, eligible: list[RankedAgent], profiles: dict[str, AgentProfile]
) -> RankedAgent | None:
    if mode == "round_robin":
        chosen = pick_round_robin([profiles[choice.agent_id] for choice in eligible])
        if chosen is None:
            return None
        run.session.execute(
            update(m.agent_stats)
            .where(m.agent_stats.c.agent_id == chosen.id)
            .values(rotation_served=m.agent_stats.c.rotation_served + 1)
        )
        return next(choice for choice in eligible if choice.agent_id == chosen.id)
    if mode == "on_duty":
        local_now = run.now.astimezone(run.settings.zone)
        eligible = [c for c in eligible if on_duty_now(profiles[c.agent_id], local_now)]
    return eligible[0] if eligible else None


def _fallback_choice(run: RoutingRun, profile: ReferralProfile) -> RankedAgent | None:
    """The fallback agent, scored for the record, unless it already had its chance."""
    fallback = run.settings.fallback_agent_id
    if fallback is None:
        return None
    if fallback in profile.ended_agent_ids or fallback in profile.open_agent_ids:
        return None
    agents = load_profiles(run.session, [fallback])
    if not agents or not agents[0].active:
        return None
    return score_agent(agents[0], profile, run.weights)


def _offer_fallback_or_unassign(
    run: RoutingRun, referral: Referral, now_standing: Standing
) -> None:
    choice = _fallback_choice(run, now_standing.profile)
    if choice is None:
        unassign(run, referral, "roster exhausted: nobody eligible is left to offer it to")
        return
    run.journal.record(
        run.session,
        referral.id,
        "fallback",
        run.now,
        agent_id=choice.agent_id,
        detail="nobody eligible left: offered to the desk's fallback agent",
    )
    offers.make_offers(run, referral, [choice], now_standing, sequential=True)


def _offer_private(run: RoutingRun, referral: Referral, now_standing: Standing) -> None:
    agent_id = referral.private_agent_id or ""
    _profiles, ranked = candidate_decision(run, now_standing.profile)
    choice = next((c for c in ranked if c.agent_id == agent_id), None)
    if choice is None:
        unassign(run, referral, f"{agent_id} cannot take it now (private referral)")
        return
    offers.make_offers(run, referral, [choice], now_standing, sequential=True)


def _offer_broadcast(run: RoutingRun, referral: Referral, now_standing: Standing) -> None:
    fallback = run.settings.fallback_agent_id
    _, ranked = candidate_decision(run, now_standing.profile)
    chosen = [c for c in ranked if c.agent_id != fallback][: run.settings.broadcast_size]
    backstop = _fallback_choice(run, now_standing.profile)
    if backstop is not None:
        chosen.append(backstop)
    if not chosen:
        unassign(run, referral, "roster exhausted: nobody eligible to broadcast to")
        return
    offers.make_offers(run, referral, chosen, now_standing, sequential=False)


def _offer_network(run: RoutingRun, referral: Referral, now_standing: Standing) -> None:
    profile = now_standing.profile
    profiles, ranked = candidate_decision(run, profile)
    group = referral.network or network_group_for(profiles.values(), profile)
    referral.network = group
    members = [c for c in ranked if group and profiles[c.agent_id].network == group]
    if not members:
        backstop = _fallback_choice(run, profile)
        if backstop is None:
            unassign(run, referral, f"no eligible agent in network {group or '(none)'}")
            return
        members = [backstop]
    offers.make_offers(run, referral, members, now_standing, sequential=False)


def release_contact(run: RoutingRun, referral: Referral) -> None:
    """Queues the award with the client's contact details to the receiving agent."""
    if referral.assigned_agent_id is None:
        return
    agent = agent_contact(run.session, referral.assigned_agent_id)
    notify.queue(
        run.session, notify.award_draft(agent, referral, run.settings), run.now, referral.id
    )


def private_refusal(run: RoutingRun, referral: Referral) -> str | None:
    """Why the chosen agent of a private referral cannot take it, or None if they can."""
    from ...rules.eligibility import exclusion_reason

    agent_id = referral.private_agent_id or ""
    agents = load_profiles(run.session, [agent_id])
    if not agents:
        return f"unknown agent {agent_id!r}"
    today = run.now.astimezone(run.settings.zone).date()
    return exclusion_reason(agents[0], standing(run.session, referral).profile, today)
