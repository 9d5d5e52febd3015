"""Core look-ups the desk shares (a referral, an agent, a party by id), built once.

A prebuilt statement skips building the query on every call. The rows a write
only reads on the way (an agent's contact, a referral's offers) stay rows; the
referral a write changes is loaded as a record the transaction writes back.
Every function takes the write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row, bindparam, select

from ..rules.errors import InvalidInput, NotFound, echo
from ..rules.ids import parse_id
from . import tables as m
from .prepared import Prepared
from .records import Referral
from .transaction import Transaction

_AGENT = m.agent
_OFFER = m.offer

_REFERRAL_BY_NUMBER = Prepared(select(m.referral).where(m.referral.c.id == bindparam("number")))
_PARTY_BY_ID = Prepared(
    select(m.referring_party).where(m.referring_party.c.id == bindparam("party_id"))
)
_AGENT_BY_ID = Prepared(select(m.agent).where(m.agent.c.id == bindparam("agent_id")))
_CONTACT_COLUMNS = (
    _AGENT.c.id,
    _AGENT.c.name,
    _AGENT.c.kind,
    _AGENT.c.email,
    _AGENT.c.phone,
    _AGENT.c.preferred_channel,
)
_AGENT_CONTACT = Prepared(select(*_CONTACT_COLUMNS).where(_AGENT.c.id == bindparam("agent_id")))
_AGENT_CONTACTS = Prepared(
    select(*_CONTACT_COLUMNS).where(_AGENT.c.id.in_(bindparam("agent_ids", expanding=True)))
)


class Contact(Protocol):
    """What a message to an agent needs of them (an agent's row or contact row)."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def preferred_channel(self) -> str: ...


class OfferTerms(Protocol):
    """What a message about an offer needs of it (an offer row, or one just written)."""

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


def stored_referral(session: Transaction, number: int) -> Row[Any] | None:
    """The referral with this number as a row (to read, not to change)."""
    return session.execute(_REFERRAL_BY_NUMBER, {"number": number}).one_or_none()


def load_referral(session: Transaction, number: int) -> Referral | None:
    """The referral with this number, as the record a write changes (tracked by `session`)."""
    row = stored_referral(session, number)
    return None if row is None else session.track(Referral.of(row))


def referring_party(session: Transaction, party_id: int) -> Row[Any]:
    """A referral's referring party (every referral has one)."""
    return session.execute(_PARTY_BY_ID, {"party_id": party_id}).one()


def agent_contact(session: Transaction, agent_id: str) -> Row[Any]:
    """An agent's name, kind and how to reach them; the agent is on the roster."""
    return session.execute(_AGENT_CONTACT, {"agent_id": agent_id}).one()


def agent_contacts(session: Transaction, agent_ids: list[str]) -> dict[str, Row[Any]]:
    """`agent_contact` of several agents in one statement (an open referral reaches
    hundreds at once), by id."""
    if len(agent_ids) == 1:
        return {agent_ids[0]: agent_contact(session, agent_ids[0])}
    rows = session.execute(_AGENT_CONTACTS, {"agent_ids": agent_ids})
    return {row.id: row for row in rows}


@dataclass(frozen=True, slots=True)
class NewOffer:
    """An offer just written with Core: its values for the message and the event."""

    id: int
    agent_id: str
    referral_id: int
    offered_at: datetime
    expires_at: datetime
    status: str = "offered"


def referral_row(session: Transaction, referral_id: str) -> Referral:
    """The referral with this id (`R-000042` or `42`), or NotFound."""
    number = parse_id("referral", referral_id)
    row = load_referral(session, number)
    if row is None:
        raise NotFound(f"referral: no referral {echo(referral_id.strip())}")
    return row


def agent_row(
    session: Transaction, agent_id: str, field: str = "agent", suffix: str = ""
) -> Row[Any]:
    """The agent with this id; NotFound, or a field problem when it came from input."""
    row = session.execute(_AGENT_BY_ID, {"agent_id": agent_id.strip()}).one_or_none()
    if row is None:
        if field == "agent":
            raise NotFound(f"agent: no agent {echo(agent_id.strip(), 64)} on the roster")
        raise InvalidInput([f"{field}: unknown agent {echo(agent_id.strip(), 64)}{suffix}"])
    return row


def known_network(
    session: Transaction, network: str, field: str = "network", suffix: str = ""
) -> None:
    """Refuses a network no agent on the roster is in (active or not), naming the field.

    Routing matches the name exactly, so a referral for a network nobody is in would
    only ever go unassigned; the refusal lists the names the roster has.
    """
    member = select(_AGENT.c.id).where(_AGENT.c.network == network).limit(1)
    if session.execute(member).first() is not None:
        return
    names = (
        select(_AGENT.c.network)
        .where(_AGENT.c.network.is_not(None), _AGENT.c.network != "")
        .distinct()
        .order_by(_AGENT.c.network)
        .limit(11)
    )
    known = [str(name) for name in session.execute(names).scalars()]
    listed = ", ".join(known[:10]) + (", …" if len(known) > 10 else "") if known else "none"
    problem = f"no agent on the roster is in network {network[:100]!r} (known: {listed})"
    raise InvalidInput([f"{field}: {problem}{suffix}"])
