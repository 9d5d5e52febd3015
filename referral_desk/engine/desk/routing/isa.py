"""The inside sales agent: a referral qualified by the team before it is offered.

BoomTown's third model: every lead of mode `isa` goes first to the team's ISA
(setting `isa_agent_id`), who calls, qualifies and nurtures the client. The
referral waits `qualifying`, assigned to the ISA, with no offer and no window;
the ISA gets the client's contact in a message. `handoff` clears the assignment
and routes it by a mode (or privately to one agent). When an agent then takes
it, the ISA has a task (`isa_followup`) to check in with the client 48 hours
after the award.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import bindparam, insert, select

from ...delivery import notify
from ...rules.errors import InvalidInput, Refused
from ...rules.ids import format_id
from ...rules.vocabulary import MODES
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.rows import agent_contact, agent_row
from . import dispatch  # dispatch routes `isa` referrals here: used at call time

if TYPE_CHECKING:
    from .dispatch import RoutingRun

__all__ = ["FOLLOWUP_AFTER", "HANDOFF_MODES", "add_followup", "hand_off", "hold"]

FOLLOWUP_AFTER: Final = timedelta(hours=48)
"""When the ISA checks in with the client after an agent took the referral."""
HANDOFF_MODES: Final = tuple(mode for mode in MODES if mode != "isa")
"""The modes a hand-off routes by (not `isa` again)."""

_LAST_HANDOFF = Prepared(
    select(m.event.c.agent_id)
    .where(m.event.c.referral_id == bindparam("referral_id"), m.event.c.kind == "handoff")
    .order_by(m.event.c.id.desc())
    .limit(1)
)
_INSERT_TASK = Prepared(insert(m.ack_task))


def hold(run: RoutingRun, referral: Referral) -> None:
    """The referral waits with the ISA, qualifying; the ISA gets the client's contact."""
    isa = run.settings.isa_agent_id
    if isa is None:  # intake refuses this first; a desk whose setting was cleared since
        raise InvalidInput(["mode: isa needs the setting isa_agent_id (the inside sales agent)"])
    referral.assigned_agent_id = isa
    dispatch.set_status(run, referral, "qualifying", f"with the inside sales agent {isa}")
    agent = agent_contact(run.session, isa)
    notify.queue(run.session, notify.isa_draft(agent, referral, run.settings), run.now, referral.id)


def hand_off(run: RoutingRun, referral: Referral, mode: str, agent_id: str | None) -> None:
    """The ISA is done qualifying: the referral is routed by `mode` (or offered privately
    to `agent_id`). Refused, with nothing written, when it is not qualifying, the mode
    is not one to route by, or the agent cannot take it now."""
    number = format_id("referral", referral.id or 0)
    if referral.status != "qualifying":
        raise Refused(
            f"status: {number} is {referral.status}, not qualifying (nothing to hand off)"
        )
    if agent_id is not None:
        mode = "private"
    if mode not in HANDOFF_MODES:
        raise InvalidInput([f"mode: hand off by one of {', '.join(HANDOFF_MODES)} (got {mode})"])
    if mode == "private" and agent_id is None:
        raise InvalidInput(["agent_id: a private hand-off names the agent (--agent)"])
    isa = referral.assigned_agent_id
    referral.assigned_agent_id = None
    referral.mode = mode
    if agent_id is not None:
        agent_row(run.session, agent_id, field="agent_id")
        referral.private_agent_id = agent_id
        refusal = dispatch.private_refusal(run, referral)
        if refusal is not None:
            raise InvalidInput([f"agent_id: {agent_id} is not eligible: {refusal}"])
    run.journal.record(
        run.session,
        referral.id,
        "handoff",
        run.now,
        agent_id=isa,
        detail=f"handed off by the inside sales agent {isa} ({mode})",
    )
    dispatch.set_status(run, referral, "new", "handed off")
    if run.settings.routing_enabled:
        dispatch.start(run, referral)


def add_followup(run: RoutingRun, referral: Referral, agent_id: str) -> None:
    """An agent took a referral the ISA handed off: the ISA's check-in task, 48 h on."""
    row = run.session.execute(_LAST_HANDOFF, {"referral_id": referral.id}).first()
    if row is None or row.agent_id is None:
        return
    isa = row.agent_id
    run.session.execute(
        _INSERT_TASK,
        {
            "referral_id": referral.id or 0,
            "source_id": referral.source_id,
            "kind": "isa_followup",
            "due_at": run.now + FOLLOWUP_AFTER,
            "done_at": None,
            "draft": (
                f"Check in with {referral.client_first_name} after the transfer to {agent_id}: "
                f"connected, and happy with the agent? ({format_id('referral', referral.id or 0)})"
            ),
            "channel": "call",
            "agent_id": isa,
        },
    )
