"""Core look-ups the write path shares, built once.

The desk writes through the ORM where it changes a referral, but the rows it
only reads on the way (an agent's contact, a referral's offers) cost less as
Core rows: a prebuilt statement skips building the query, and a row skips the
unit of work. Even the referral itself, an ORM object, loads faster by a
prebuilt statement than by `session.get`. Every function takes the write
transaction's session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row, bindparam, select
from sqlmodel import Session

from . import models as m

_AGENT = m.Agent.__table__
_OFFER = m.Offer.__table__

_REFERRAL_BY_NUMBER = select(m.Referral).where(m.Referral.id == bindparam("number"))
_AGENT_CONTACT = select(
    _AGENT.c.id,
    _AGENT.c.name,
    _AGENT.c.kind,
    _AGENT.c.email,
    _AGENT.c.phone,
    _AGENT.c.preferred_channel,
).where(_AGENT.c.id == bindparam("agent_id"))


class Contact(Protocol):
    """What a message to an agent needs of them (an `Agent` or a contact row)."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def preferred_channel(self) -> str: ...


class OfferTerms(Protocol):
    """What a message about an offer needs of it (an `Offer` or an offer row)."""

    @property
    def id(self) -> int | None: ...
    @property
    def agent_id(self) -> str: ...
    @property
    def referral_id(self) -> int: ...
    @property
    def offered_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


def load_referral(session: Session, number: int) -> m.Referral | None:
    """The referral with this number, as the ORM object a write changes."""
    return session.execute(_REFERRAL_BY_NUMBER, {"number": number}).scalar_one_or_none()


def agent_contact(session: Session, agent_id: str) -> Row[Any]:
    """An agent's name, kind and how to reach them; the agent is on the roster."""
    return session.connection().execute(_AGENT_CONTACT, {"agent_id": agent_id}).one()


@dataclass(frozen=True, slots=True)
class NewOffer:
    """An offer just written with Core: its values for the message and the event."""

    id: int
    agent_id: str
    referral_id: int
    offered_at: datetime
    expires_at: datetime
    status: str = "offered"
