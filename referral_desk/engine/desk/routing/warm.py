"""Warm transfer: the client is on the line now, and the first agent to claim takes the call.

HomeLight's model. The referral is offered at once to the agents the desk names for
it (setting `warm_transfer_agent_ids`, at most two) and its fallback agent, whatever
market they cover (an inactive or away one is skipped), with a window of
`warm_transfer_window_minutes` (two by default) from the moment of the offer. The
offers go out marked urgent, by SMS or call. The first `claim` (or `accept`) wins,
as in a broadcast; when every offer ends unclaimed the referral is unassigned and
the team lead flagged (`dispatch.after_offer_ended`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ...rules.eligibility import away_reason
from ...rules.scoring import score_agent
from ...storage.records import Referral
from . import (
    dispatch,  # routes `warm_transfer` referrals here: used at call time
    offers,  # at call time: offers and dispatch import each other
)
from .profiles import load_profiles

if TYPE_CHECKING:
    from .candidates import Standing
    from .dispatch import RoutingRun

__all__ = ["offer_warm_transfer"]


def offer_warm_transfer(run: RoutingRun, referral: Referral, now_standing: Standing) -> None:
    """Alerts the warm-transfer agents and the fallback agent at once, urgently."""
    settings = run.settings
    profile = now_standing.profile
    today = run.now.astimezone(settings.zone).date()
    taken = profile.ended_agent_ids | profile.open_agent_ids
    agents = load_profiles(run.session, [a for a in settings.warm_transfer_ids if a not in taken])
    ready = [agent for agent in agents if agent.active and away_reason(agent, today) is None]
    if not ready:
        named = ", ".join(settings.warm_transfer_ids) or "none named"
        dispatch.unassign(run, referral, f"nobody to take the warm transfer now (agents: {named})")
        return
    order = {agent_id: place for place, agent_id in enumerate(settings.warm_transfer_ids)}
    ready.sort(key=lambda agent: order[agent.id])
    choices = [score_agent(agent, profile, run.weights) for agent in ready]
    window = timedelta(minutes=settings.warm_transfer_window_minutes)
    offers.make_offers(
        run, referral, choices, now_standing, sequential=False, expires=run.now + window
    )
