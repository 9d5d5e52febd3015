"""What an offer link shows: the offer as its agent may see it, and what became of it.

The page is read for one offer and one agent (the pair a signed token names).
It carries what the offer message carries — market, side, band, type,
timeline, the client's first name — and the client's contact only once it has
been released to this agent: the referral is theirs (`assigned_agent_id`) and
its history holds their award (`awarded`, which a network or open referral
reaches only once the fee agreement is logged). To anyone else it carries no
client detail at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from ..rules.ids import format_id
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.transaction import Transaction

__all__ = ["ClientContact", "OfferPage", "offer_page"]

_OFFER = m.offer
_REFERRAL = m.referral
_OFFER_PAGE = Prepared(
    select(
        _OFFER.c.id.label("offer_id"),
        _OFFER.c.agent_id,
        _OFFER.c.status.label("offer_status"),
        _OFFER.c.offered_at,
        _OFFER.c.expires_at,
        _OFFER.c.responded_at,
        m.agent.c.name.label("agent_name"),
        _REFERRAL.c.id.label("referral_number"),
        _REFERRAL.c.status.label("referral_status"),
        _REFERRAL.c.mode,
        _REFERRAL.c.assigned_agent_id,
        _REFERRAL.c.client_first_name,
        _REFERRAL.c.side,
        _REFERRAL.c.metro,
        _REFERRAL.c.zip,
        _REFERRAL.c.price_min,
        _REFERRAL.c.price_max,
        _REFERRAL.c.property_type,
        _REFERRAL.c.timeline,
    )
    .join(_REFERRAL, _REFERRAL.c.id == _OFFER.c.referral_id)
    .join(m.agent, m.agent.c.id == _OFFER.c.agent_id)
    .where(_OFFER.c.id == bindparam("offer_id"), _OFFER.c.agent_id == bindparam("agent_id"))
)
_LATEST_OFFER_ID = Prepared(
    select(_OFFER.c.id)
    .where(
        _OFFER.c.referral_id == bindparam("referral_id"),
        _OFFER.c.agent_id == bindparam("agent_id"),
    )
    .order_by(_OFFER.c.id.desc())
    .limit(1)
)
_AWARDED_TO = Prepared(
    select(m.event.c.id)
    .where(
        m.event.c.referral_id == bindparam("referral_id"),
        m.event.c.kind == "awarded",
        m.event.c.agent_id == bindparam("agent_id"),
    )
    .limit(1)
)
_CONTACT = Prepared(
    select(
        _REFERRAL.c.client_first_name,
        _REFERRAL.c.client_last_name,
        _REFERRAL.c.client_email,
        _REFERRAL.c.client_phone,
        _REFERRAL.c.notes,
    ).where(_REFERRAL.c.id == bindparam("referral_id"))
)


@dataclass(frozen=True)
class ClientContact:
    """The client's details, for the agent the referral was awarded to."""

    full_name: str
    email: str
    phone: str
    notes: str


@dataclass(frozen=True)
class OfferPage:
    """One offer as its agent sees it through the link."""

    offer_id: int
    referral_id: str
    agent_id: str
    agent_name: str
    mode: str
    offer_status: str
    """offered, interested, accepted, declined, lapsed or withdrawn."""
    referral_status: str
    offered_at: datetime
    expires_at: datetime
    responded_at: datetime | None
    latest: bool
    """Whether this is the agent's latest offer of the referral (an older link answers nothing)."""
    taken_by_other: bool
    """Whether the referral went to another agent."""
    client_first_name: str
    side: str
    market: str
    price_min: int
    price_max: int
    property_type: str
    timeline: str
    contact: ClientContact | None
    """Set only once the client's contact is released to this agent."""

    def is_open(self, now: datetime) -> bool:
        """Whether an answer would be taken now (a lapsed window is closed even before
        the clock records the lapse)."""
        if not self.latest:
            return False
        if self.offer_status == "offered":
            return now < self.expires_at
        return False


def offer_page(session: Transaction, offer_id: int, agent_id: str) -> OfferPage | None:
    """The page for this offer and agent, or None when no such offer was made to them."""
    row = session.execute(_OFFER_PAGE, {"offer_id": offer_id, "agent_id": agent_id}).one_or_none()
    if row is None:
        return None
    number = row.referral_number
    latest = session.execute(
        _LATEST_OFFER_ID, {"referral_id": number, "agent_id": agent_id}
    ).scalar_one()
    assigned = row.assigned_agent_id
    released = (
        assigned == agent_id
        and session.execute(_AWARDED_TO, {"referral_id": number, "agent_id": agent_id}).first()
        is not None
    )
    return OfferPage(
        offer_id=row.offer_id,
        referral_id=format_id("referral", number),
        agent_id=row.agent_id,
        agent_name=row.agent_name,
        mode=row.mode,
        offer_status=row.offer_status,
        referral_status=row.referral_status,
        offered_at=row.offered_at,
        expires_at=row.expires_at,
        responded_at=row.responded_at,
        latest=latest == row.offer_id,
        taken_by_other=assigned is not None and assigned != agent_id,
        client_first_name=row.client_first_name,
        side=row.side,
        market=f"{row.metro} {row.zip or ''}".strip(),
        price_min=row.price_min,
        price_max=row.price_max,
        property_type=row.property_type,
        timeline=row.timeline,
        contact=_contact(session, number) if released else None,
    )


def _contact(session: Transaction, number: int) -> ClientContact:
    row: Any = session.execute(_CONTACT, {"referral_id": number}).one()
    return ClientContact(
        full_name=f"{row.client_first_name} {row.client_last_name}".strip(),
        email=row.client_email,
        phone=row.client_phone,
        notes=row.notes or "",
    )
