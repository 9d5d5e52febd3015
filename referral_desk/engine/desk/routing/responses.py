"""An agent's answer to an offer, and the sender's award among the interested.

Each change is a conditional update (`… WHERE status = 'offered'`) whose row
count decides who won, so two desks recording answers for the same referral at
once can never both succeed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update

from ...delivery import notify
from ...rules.errors import Refused, cut, echo
from ...rules.ids import format_id
from ...rules.timefmt import iso
from ...rules.vocabulary import OPEN_OFFER_STATUSES
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.rows import agent_contact
from . import interest, isa
from .dispatch import RoutingRun, after_offer_ended, release_contact, set_status

TAKE = ("accept", "claim")
RESPONSES = ("accept", "claim", "decline", "interest")

# Built once: every answer runs them. Offers are read and changed as Core rows;
# nothing in an answer's transaction holds an offer as an ORM object.
_OFFER = m.offer
_STATS = m.agent_stats
_LATEST_OFFER = Prepared(
    select(_OFFER)
    .where(_OFFER.c.referral_id == bindparam("referral_id"))
    .where(_OFFER.c.agent_id == bindparam("agent_id"))
    .order_by(_OFFER.c.id.desc())
    .limit(1)
)
_END_OFFER = Prepared(
    update(_OFFER)
    .where(_OFFER.c.id == bindparam("offer_id"))
    .where(_OFFER.c.status.in_(bindparam("expected", expanding=True)))
    .values(status=bindparam("new_status"), responded_at=bindparam("at"), reason=bindparam("why"))
)
_OTHER_OPEN_OFFERS = Prepared(
    select(_OFFER).where(
        _OFFER.c.referral_id == bindparam("referral_id"),
        _OFFER.c.agent_id != bindparam("winner"),
        _OFFER.c.status.in_(OPEN_OFFER_STATUSES),
    )
)
_WITHDRAW = Prepared(
    update(_OFFER)
    .where(_OFFER.c.id == bindparam("offer_id"), _OFFER.c.status.in_(OPEN_OFFER_STATUSES))
    .values(status="withdrawn", responded_at=bindparam("at"))
)
_AWARD_INTERESTED = Prepared(
    update(_OFFER)
    .where(_OFFER.c.id == bindparam("offer_id"), _OFFER.c.status == "interested")
    .values(status="accepted", responded_at=bindparam("at"))
)


def _count_response(counter: str | None) -> Any:
    """The agent's answer statistics, plus one accept or decline if that is what it was."""
    values: dict[str, Any] = {
        "response_seconds_sum": _STATS.c.response_seconds_sum + bindparam("seconds"),
        "responses": _STATS.c.responses + 1,
    }
    if counter is not None:
        values[counter] = _STATS.c[counter] + 1
    return update(_STATS).where(_STATS.c.agent_id == bindparam("answering")).values(values)


_COUNT_RESPONSE = {status: Prepared(_count_response(status)) for status in ("declined", "accepted")}
_COUNT_OTHER_RESPONSE = Prepared(_count_response(None))


def respond(
    run: RoutingRun,
    referral: Referral,
    agent_id: str,
    response: str,
    reason: str | None,
    via: str | None = None,
) -> None:
    """Records `accept`, `claim`, `decline` or `interest` from an agent; `via` says where
    the answer came from when not from the desk (`from the offer link`): the history's
    detail starts with it."""
    if response not in RESPONSES:
        raise Refused(
            f"response: must be accept, claim, decline or interest (got {echo(response)})"
        )
    offer = _latest_offer(run, referral, agent_id)
    _check_open(run, referral, offer)
    network = interest.picks_from_interested(run.session, referral)
    if response in TAKE and network:
        raise Refused(
            f"response: {referral.mode} offers take 'interest' (then `award` picks one), "
            f"not {echo(response)}"
        )
    if response == "interest" and not network:
        raise Refused(f"response: {referral.mode} offers take 'accept' or 'claim', not 'interest'")
    if response == "decline":
        _end(run, offer, "declined", reason, via=via)
        after_offer_ended(run, referral)
    elif response == "interest":
        _end(run, offer, "interested", reason, expect="offered", via=via)
        if referral.accepted_at is None:
            referral.accepted_at = run.now
        set_status(run, referral, "accepted", f"{agent_id} is interested")
    else:
        kind = "claimed" if response == "claim" else None
        _end(run, offer, "accepted", reason, kind=kind, via=via)
        _award(run, referral, agent_id, "awarded")


def award(run: RoutingRun, referral: Referral, agent_id: str) -> None:
    """The sender picks the receiver among interested agents: the referral is pending."""
    if not interest.picks_from_interested(run.session, referral):
        raise Refused(
            f"award: only network referrals are awarded, and open and invited ones "
            f"({format_id('referral', referral.id or 0)} is {referral.mode}; the agent accepts it)"
        )
    offer = _latest_offer(run, referral, agent_id)
    if offer.status != "interested":
        raise Refused(f"award: {agent_id} has not shown interest (their offer is {offer.status})")
    if referral.status != "accepted":
        raise Refused(f"award: the referral is {referral.status}, not accepted")
    _check_after(run, offer, offer.responded_at or offer.offered_at, "showed interest")
    changed = run.session.execute(_AWARD_INTERESTED, {"offer_id": offer.id, "at": run.now}).rowcount
    if changed != 1:
        raise Refused("award: another desk changed this offer first; reload and try again")
    run.journal.record(
        run.session,
        referral.id,
        "accepted",
        run.now,
        agent_id=agent_id,
        offer_id=offer.id,
        detail="chosen among interested agents",
    )
    _award(run, referral, agent_id, "pending")


def _award(run: RoutingRun, referral: Referral, agent_id: str, status: str) -> None:
    referral.assigned_agent_id = agent_id
    isa.add_followup(run, referral, agent_id)
    if referral.accepted_at is None:
        referral.accepted_at = run.now
    _withdraw_others(run, referral, agent_id)
    kind = "awarded" if status == "awarded" else "pending"
    if status == "awarded":
        release_contact(run, referral)
    set_status(run, referral, status, f"to {agent_id}")
    run.journal.record(
        run.session, referral.id, kind, run.now, agent_id=agent_id, detail=f"{status} to {agent_id}"
    )


def _withdraw_others(run: RoutingRun, referral: Referral, winner: str) -> None:
    session = run.session
    others = session.execute(
        _OTHER_OPEN_OFFERS, {"referral_id": referral.id, "winner": winner}
    ).all()
    for offer in others:
        changed = session.execute(_WITHDRAW, {"offer_id": offer.id, "at": run.now}).rowcount
        if changed:
            agent = agent_contact(run.session, offer.agent_id)
            draft = notify.withdrawn_draft(agent, referral, offer, run.settings)
            notify.queue(run.session, draft, run.now, referral.id)
            run.journal.record(
                run.session,
                referral.id,
                "withdrawn",
                run.now,
                agent_id=offer.agent_id,
                offer_id=offer.id,
                detail=f"taken by {winner}",
            )


def _latest_offer(run: RoutingRun, referral: Referral, agent_id: str) -> Row[Any]:
    offer = run.session.execute(
        _LATEST_OFFER, {"referral_id": referral.id, "agent_id": agent_id}
    ).one_or_none()
    if offer is None:
        raise Refused(
            f"agent: {cut(agent_id)} has no offer on {format_id('referral', referral.id or 0)}"
        )
    return offer


def _check_after(run: RoutingRun, offer: Row[Any], moment: datetime, what: str) -> None:
    """Refuses an answer dated before what it answers: it would enter the history out of
    order and give the report a negative time from first offer to acceptance."""
    if run.now < moment:
        raise Refused(
            f"now: {iso(run.now)} is before {offer.agent_id} {what} ({iso(moment)}); "
            "an answer cannot come before it"
        )


def _check_open(run: RoutingRun, referral: Referral, offer: Row[Any]) -> None:
    if offer.status not in ("offered", "interested"):
        raise Refused(
            f"offer: the offer to {offer.agent_id} is already {offer.status}; it takes no response"
        )
    _check_after(run, offer, offer.offered_at, "was offered the referral")
    if offer.status == "offered" and offer.expires_at <= run.now:
        raise Refused(
            f"offer: the window for {offer.agent_id} closed at {iso(offer.expires_at)}; "
            "it takes no response"
        )


def _end(
    run: RoutingRun,
    offer: Row[Any],
    status: str,
    reason: str | None,
    *,
    expect: str | None = None,
    kind: str | None = None,
    via: str | None = None,
) -> None:
    """Ends (or marks) an offer if it is still as we read it; otherwise someone else won."""
    expected = [expect] if expect else list(OPEN_OFFER_STATUSES)
    session = run.session
    changed = session.execute(
        _END_OFFER,
        {
            "offer_id": offer.id,
            "expected": expected,
            "new_status": status,
            "at": run.now,
            "why": reason,
        },
    ).rowcount
    if changed != 1:
        raise Refused(
            f"offer: the offer to {offer.agent_id} was answered or withdrawn a moment ago; "
            "it takes no response"
        )
    seconds = max(0.0, (run.now - offer.offered_at).total_seconds())
    counted = _COUNT_RESPONSE.get(status, _COUNT_OTHER_RESPONSE)
    session.execute(counted, {"answering": offer.agent_id, "seconds": seconds})
    run.journal.record(
        run.session,
        offer.referral_id,
        kind or status,
        run.now,
        agent_id=offer.agent_id,
        offer_id=offer.id,
        detail=": ".join(part for part in (via or "", reason or "") if part),
    )
