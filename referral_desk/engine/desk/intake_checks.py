"""What only the desk can tell about an intake list, checked before anything is written.

A long list is written in batches (`intake.py`), and a committed batch cannot be
taken back; so every item is checked first, in one read that never takes the
write lock: an `agent_id` must name an agent on the roster, and a private
referral's agent must be free to take it — eligible as the desk stands, with the
list's own earlier private referrals to that agent counted against their free
slots. Every problem is reported, each with its item, as field problems are.

What the check cannot foresee is routing: a best-fit referral earlier in the list
(or another desk, meanwhile) may take the private agent's last slot. In the first
batch, nothing is committed yet, so the write refuses the whole list then, as it
always did; in a later batch the referral is stored and routed as any private
referral whose agent cannot take it: unassigned, with a flag for the team lead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, select

from ..rules.eligibility import exclusion_reason
from ..rules.errors import InvalidInput
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.rows import known_network
from ..storage.transaction import Transaction
from ..values.schemas import IntakeIn
from ..values.settings import DeskSettings
from .routing.previews import intake_profile
from .routing.profiles import load_profiles

_KNOWN_AGENTS = Prepared(
    select(m.agent.c.id).where(m.agent.c.id.in_(bindparam("ids", expanding=True)))
)


def item_suffix(index: int, count: int) -> str:
    """How a problem names its item: ` (item 3)`, or nothing when there is one item."""
    return "" if count == 1 else f" (item {index + 1})"


def check_against_desk(
    session: Transaction, items: list[IntakeIn], settings: DeskSettings, now: datetime
) -> None:
    """Raises `InvalidInput` with every item's problem that only the desk can see."""
    problems = _unknown_networks(session, items)
    named = sorted({item.agent_id for item in items if item.agent_id is not None})
    if not named:
        if problems:
            raise InvalidInput(problems)
        return
    known = set(session.execute(_KNOWN_AGENTS, {"ids": named}).scalars())
    private = sorted(known & {item.agent_id or "" for item in items if item.mode == "private"})
    agents = {agent.id: agent for agent in load_profiles(session, private)}
    today = now.astimezone(settings.zone).date()
    taken: Counter[str] = Counter()
    """Private referrals earlier in the list, per agent: each will hold one of their slots."""
    for index, item in enumerate(items):
        agent_id = item.agent_id
        if agent_id is None:
            continue
        suffix = item_suffix(index, len(items))
        if agent_id not in known:
            problems.append(f"agent_id: unknown agent {agent_id[:64]!r}{suffix}")
            continue
        if item.mode != "private":
            continue
        agent = agents.get(agent_id)
        if agent is None:
            refusal: str | None = f"unknown agent {agent_id!r}"
        else:
            with_list = replace(agent, load=agent.load + taken[agent_id])
            refusal = exclusion_reason(with_list, intake_profile(item), today)
        if refusal is not None:
            problems.append(f"agent_id: {agent_id} is not eligible: {refusal}{suffix}")
        else:
            taken[agent_id] += 1
    if problems:
        raise InvalidInput(problems)


def _unknown_networks(session: Transaction, items: list[IntakeIn]) -> list[str]:
    """A `network` no agent on the roster is in, for each item naming one."""
    problems: list[str] = []
    for index, item in enumerate(items):
        if item.network is None:
            continue
        try:
            known_network(session, item.network, suffix=item_suffix(index, len(items)))
        except InvalidInput as refused:
            problems.extend(refused.problems)
    return problems
