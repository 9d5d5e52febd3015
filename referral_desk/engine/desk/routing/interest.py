"""Referrals the sender awards among the interested: network, open, and invited private ones.

The referral network's two models beside its private referral: an **open** referral
goes at once to every eligible agent who covers the market, whatever their network
group; and a **private referral with receivers added later** (`invite`) checks the
interest of more agents. Either way the open offers then take `interest`, and the
sender `award`s one of the interested; when every offer has ended without interest,
the referral is unassigned and the team lead flagged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import bindparam, func, select

from ...rules.eligibility import exclusion_reason
from ...rules.errors import InvalidInput, Refused, echo
from ...rules.ids import format_id
from ...rules.scoring import AgentProfile, RankedAgent
from ...rules.vocabulary import INTEREST_MODES
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.transaction import Transaction
from . import (
    dispatch,  # routes `open` referrals here: used at call time
    offers,  # at call time: offers and dispatch import each other
)
from .candidates import standing
from .profiles import load_profiles

if TYPE_CHECKING:
    from .candidates import Standing
    from .dispatch import RoutingRun

__all__ = ["invite", "offer_open", "picks_from_interested"]

INVITED: Final = "invited"
"""The event that turns a private referral into one picked among the interested."""

_INVITED = Prepared(
    select(func.count())
    .select_from(m.event)
    .where(m.event.c.referral_id == bindparam("referral_id"), m.event.c.kind == INVITED)
)


def picks_from_interested(session: Transaction, referral: Referral) -> bool:
    """Whether the referral's offers take `interest` and the sender awards one."""
    if referral.mode in INTEREST_MODES:
        return True
    if referral.mode != "private":
        return False
    return bool(session.execute(_INVITED, {"referral_id": referral.id}).scalar())


def offer_open(run: RoutingRun, referral: Referral, now_standing: Standing) -> None:
    """Offers an open referral to every eligible agent covering the market at once."""
    _, ranked = dispatch.candidate_decision(run, now_standing.profile)
    if not ranked:
        dispatch.unassign(run, referral, "nobody eligible covers the market (open referral)")
        return
    offers.make_offers(run, referral, ranked, now_standing, sequential=False)


def invite(run: RoutingRun, referral: Referral, agent_ids: list[str]) -> None:
    """Adds receivers to a private referral to check their interest: an offer to each
    (eligible now); from then on the referral is picked among the interested.
    Refused, nothing written, for any other referral or any agent who cannot take it."""
    number = format_id("referral", referral.id or 0)
    if referral.mode != "private":
        raise Refused(
            f"mode: only a private referral takes more receivers ({number} is {referral.mode})"
        )
    if referral.status not in ("offered", "accepted"):
        raise Refused(f"status: {number} is {referral.status}; invite while its offer is open")
    wanted = list(dict.fromkeys(agent.strip() for agent in agent_ids if agent.strip()))
    if not wanted:
        raise InvalidInput(["agent_id: name at least one agent to invite (--agent)"])
    now_standing = standing(run.session, referral)
    known = {agent.id: agent for agent in load_profiles(run.session, wanted)}
    _, ranked = dispatch.candidate_decision(run, now_standing.profile)
    eligible = {choice.agent_id: choice for choice in ranked}
    problems = [_refusal(agent_id, known, eligible, run, now_standing) for agent_id in wanted]
    if any(problems):
        raise InvalidInput([problem for problem in problems if problem])
    run.journal.record(
        run.session,
        referral.id,
        INVITED,
        run.now,
        detail=f"receivers added to check their interest: {', '.join(wanted)}",
    )
    chosen = [eligible[agent_id] for agent_id in wanted]
    offers.make_offers(
        run, referral, chosen, now_standing, sequential=False, message="invite_offer"
    )


def _refusal(
    agent_id: str,
    known: dict[str, AgentProfile],
    eligible: dict[str, RankedAgent],
    run: RoutingRun,
    now_standing: Standing,
) -> str | None:
    """Why this agent cannot be invited (the field's problem), or None if they can."""
    if agent_id not in known:
        return f"agent_id: unknown agent {echo(agent_id, 64)}"
    if agent_id in eligible:
        return None
    today = run.now.astimezone(run.settings.zone).date()
    reason = exclusion_reason(known[agent_id], now_standing.profile, today)
    return f"agent_id: {agent_id} is not eligible: {reason or 'cannot take it now'}"
