"""Making offers: the rows, the messages and the events, for one agent or hundreds.

Every mode ends here once it knows whom to offer a referral to. An offer is a row,
a message to the agent (by the kind the mode sends, never with the client's
contact) and an `offered` event saying why that agent and until when. An open
referral reaches hundreds of agents in one write, so the rows go in as one batch
and the agents' contacts are read in one statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select, update

from ...delivery import notify
from ...rules.scoring import RankedAgent
from ...rules.timefmt import desk_time
from ...storage import tables as m
from ...storage.prepared import Prepared
from ...storage.records import Referral
from ...storage.rows import Contact, NewOffer, agent_contacts
from ...storage.transaction import Transaction
from . import dispatch  # set_status: used at call time (dispatch imports this module)

if TYPE_CHECKING:
    from .candidates import Standing
    from .dispatch import RoutingRun

__all__ = ["OFFER_KINDS", "make_offers"]

_OFFER = m.offer
_STATS = m.agent_stats
_INSERT_OFFER = Prepared(insert(_OFFER).returning(_OFFER.c.id))
_INSERT_OFFERS = Prepared(insert(_OFFER))
_OFFER_IDS = Prepared(
    select(_OFFER.c.id, _OFFER.c.sequence).where(
        _OFFER.c.referral_id == bindparam("referral_id"), _OFFER.c.sequence >= bindparam("first")
    )
)
_COUNT_OFFER = Prepared(
    update(_STATS)
    .where(_STATS.c.agent_id == bindparam("offered_agent"))
    .values(offers_total=_STATS.c.offers_total + 1)
)


OFFER_KINDS = {
    "broadcast": "broadcast_offer",
    "network": "network_offer",
    "warm_transfer": "warm_transfer_offer",
    "open": "open_offer",
}
"""The message an offer goes out as, by mode (`offer` for the rest)."""


def make_offers(
    run: RoutingRun,
    referral: Referral,
    choices: list[RankedAgent],
    now_standing: Standing,
    sequential: bool,
    why: str = "",
    expires: datetime | None = None,
    message: str | None = None,
) -> None:
    """Offers the referral to each choice; `why` says why this agent (the event's
    detail ends with it); `expires` overrides the acceptance window's end, `message`
    the kind of message the offer goes out as (`OFFER_KINDS`)."""
    expires = expires or run.window_end()
    deadline = desk_time(expires, run.settings.zone)
    session = run.session
    sequence = len(now_standing.offers)
    contacts = agent_contacts(session, [choice.agent_id for choice in choices])
    rows: list[dict[str, Any]] = []
    for choice in choices:
        sequence += 1
        rows.append(
            {
                "referral_id": referral.id or 0,
                "agent_id": choice.agent_id,
                "sequence": sequence,
                "offered_at": run.now,
                "expires_at": expires,
                "status": "offered",
                "score": choice.score,
                "breakdown": choice.breakdown.as_json(),
            }
        )
    offer_ids = _inserted_offers(session, rows)
    offers = [
        NewOffer(offer_id, choice.agent_id, referral.id or 0, run.now, expires)
        for choice, offer_id in zip(choices, offer_ids, strict=True)
    ]
    _announce_offers(run, referral, offers, contacts, message)
    for choice, offer in zip(choices, offers, strict=True):
        run.offered_agent_ids.append(choice.agent_id)
        run.journal.record(
            run.session,
            referral.id,
            "offered",
            run.now,
            agent_id=choice.agent_id,
            offer_id=offer.id,
            detail=f"score {choice.score:.2f} ({choice.breakdown.as_text()}); answer by {deadline}"
            + (f"; {why}" if why else ""),
        )
    session.execute(_COUNT_OFFER, [{"offered_agent": choice.agent_id} for choice in choices])
    if referral.first_offered_at is None:
        referral.first_offered_at = run.now
    if referral.status != "offered":
        mode_word = "offered" if sequential else f"offered to {len(choices)} agents"
        dispatch.set_status(run, referral, "offered", mode_word if not sequential else "")


def _inserted_offers(session: Transaction, rows: list[dict[str, Any]]) -> list[int]:
    """Inserts the offers and returns their ids in order: one statement for one offer,
    a batch and one read of the ids for many (an open referral's hundreds)."""
    if len(rows) == 1:
        return [session.execute(_INSERT_OFFER, rows[0]).scalar_one()]
    session.execute(_INSERT_OFFERS, rows)
    found = session.execute(
        _OFFER_IDS, {"referral_id": rows[0]["referral_id"], "first": rows[0]["sequence"]}
    )
    by_sequence = {sequence: offer_id for offer_id, sequence in found}
    return [by_sequence[row["sequence"]] for row in rows]


def _announce_offers(
    run: RoutingRun,
    referral: Referral,
    offers: list[NewOffer],
    contacts: Mapping[str, Contact],
    kind: str | None = None,
) -> None:
    """Queues each offer to its agent, by their channel (no client contact details)."""
    kind = kind or OFFER_KINDS.get(referral.mode, "offer")
    links = run.links
    receivers = [
        (contacts[offer.agent_id], links.url(offer.id, offer.agent_id) if links else None)
        for offer in offers
    ]
    urgent = referral.mode == "warm_transfer"
    drafts = notify.offer_drafts(receivers, referral, offers[0], run.settings, kind, urgent=urgent)
    for draft in drafts:
        notify.queue(run.session, draft, run.now, referral.id)
