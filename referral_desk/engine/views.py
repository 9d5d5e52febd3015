"""Frozen views of the desk's rows: what the CLI prints and the screens show.

Rows never leave the engine; these plain values do. Each view's `to_json()`
is the contract's shape (CONTRACT.md), so the CLI and tests share one form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Row

from .ids import format_id
from .timefmt import cents_to_text, iso

ROSTER_COLUMNS = (
    "id",
    "name",
    "kind",
    "brokerage",
    "email",
    "phone",
    "preferred_channel",
    "metros",
    "zips",
    "sides",
    "price_min",
    "price_max",
    "property_types",
    "capacity",
    "active",
    "away_from",
    "away_until",
    "on_duty",
    "weight",
    "network",
)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(";") if part)


@dataclass(frozen=True)
class AgentView:
    """An agent on the roster, with their current load."""

    id: str
    name: str
    kind: str
    brokerage: str
    email: str
    phone: str
    preferred_channel: str
    metros: tuple[str, ...]
    zips: tuple[str, ...]
    sides: str
    price_min: int
    price_max: int
    property_types: tuple[str, ...]
    capacity: int
    active: bool
    away_from: date | None
    away_until: date | None
    on_duty: str
    weight: int
    network: str | None
    load: int = 0

    @classmethod
    def of(cls, row: Row[Any], load: int = 0) -> AgentView:
        return cls(
            id=row.id,
            name=row.name,
            kind=row.kind,
            brokerage=row.brokerage,
            email=row.email,
            phone=row.phone,
            preferred_channel=row.preferred_channel,
            metros=_split(row.metros),
            zips=_split(row.zips),
            sides=row.sides,
            price_min=row.price_min,
            price_max=row.price_max,
            property_types=_split(row.property_types),
            capacity=row.capacity,
            active=row.active,
            away_from=row.away_from,
            away_until=row.away_until,
            on_duty=row.on_duty,
            weight=row.weight,
            network=row.network,
            load=load,
        )

    def is_away(self, today: date) -> bool:
        """Whether the agent is on vacation on this desk-zone day."""
        if self.away_until is None and self.away_from is None:
            return False
        starts = self.away_from or date.min
        ends = self.away_until or date.max
        return starts <= today <= ends

    def to_json(self) -> dict[str, Any]:
        """The contract's roster object (`partners list --json`), plus `load`."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "brokerage": self.brokerage,
            "email": self.email,
            "phone": self.phone,
            "preferred_channel": self.preferred_channel,
            "metros": ";".join(self.metros),
            "zips": ";".join(self.zips),
            "sides": self.sides,
            "price_min": self.price_min,
            "price_max": self.price_max,
            "property_types": ";".join(self.property_types),
            "capacity": self.capacity,
            "active": self.active,
            "away_from": self.away_from.isoformat() if self.away_from else None,
            "away_until": self.away_until.isoformat() if self.away_until else None,
            "on_duty": self.on_duty,
            "weight": self.weight,
            "network": self.network,
            "load": self.load,
        }

    def csv_row(self) -> dict[str, str]:
        """The row `partners export` writes: the import columns, as text."""
        values = self.to_json()
        row = {}
        for column in ROSTER_COLUMNS:
            value = values[column]
            if isinstance(value, bool):
                row[column] = "true" if value else "false"
            else:
                row[column] = "" if value is None else str(value)
        return row


@dataclass(frozen=True)
class SourceView:
    """A referring party and how much it has sent."""

    id: str
    name: str
    type: str
    email: str
    phone: str
    brokerage: str
    tag: str
    notes: str
    referral_count: int
    gift_policy: str
    last_referral_at: datetime | None = None

    @classmethod
    def of(cls, row: Row[Any], last: datetime | None = None) -> SourceView:
        assert row.id is not None
        return cls(
            id=format_id("source", row.id),
            name=row.name,
            type=row.type,
            email=row.email,
            phone=row.phone,
            brokerage=row.brokerage,
            tag=row.tag,
            notes=row.notes,
            referral_count=row.referral_count,
            gift_policy=row.gift_policy,
            last_referral_at=last,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "email": self.email,
            "phone": self.phone,
            "brokerage": self.brokerage,
            "tag": self.tag,
            "notes": self.notes,
            "referral_count": self.referral_count,
            "gift_policy": self.gift_policy,
            "last_referral_at": iso(self.last_referral_at),
        }


@lru_cache(maxsize=4096)
def _breakdown(text: str) -> dict[str, float]:
    """An offer's stored breakdown, decoded once per text: a referral's view is built
    after every write, each time with all its offers. Callers get a copy of it."""
    decoded: dict[str, float] = json.loads(text)
    return decoded


@dataclass(frozen=True)
class OfferView:
    """One offer of a referral to an agent, with why that agent."""

    id: int
    agent_id: str
    status: str
    offered_at: datetime
    expires_at: datetime
    responded_at: datetime | None
    reason: str | None
    score: float
    breakdown: dict[str, float]

    @classmethod
    def of(cls, row: Row[Any]) -> OfferView:
        assert row.id is not None
        return cls(
            id=row.id,
            agent_id=row.agent_id,
            status=row.status,
            offered_at=row.offered_at,
            expires_at=row.expires_at,
            responded_at=row.responded_at,
            reason=row.reason,
            score=row.score,
            breakdown=dict(_breakdown(row.breakdown or "{}")),
        )

    @property
    def is_open(self) -> bool:
        return self.status in ("offered", "interested")

    def seconds_left(self, now: datetime) -> int | None:
        """Whole seconds until the window closes (0 once past), None when answered."""
        if self.status != "offered":
            return None
        return max(0, int((self.expires_at - now).total_seconds()))

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "agent_id": self.agent_id,
            "status": self.status,
            "offered_at": iso(self.offered_at),
            "expires_at": iso(self.expires_at),
            "seconds_left": self.seconds_left(now),
            "responded_at": iso(self.responded_at),
            "reason": self.reason,
            "score": self.score,
            "breakdown": self.breakdown,
        }


@dataclass(frozen=True)
class EventView:
    """One line of a referral's history."""

    at: datetime
    kind: str
    actor: str
    agent_id: str | None
    detail: str

    @classmethod
    def of(cls, row: Row[Any]) -> EventView:
        return cls(row.at, row.kind, row.actor, row.agent_id, row.detail)

    def to_json(self) -> dict[str, Any]:
        return {
            "at": iso(self.at),
            "kind": self.kind,
            "actor": self.actor,
            "agent_id": self.agent_id,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class FeeView:
    """A fee agreement and what has been paid on it."""

    id: int
    referral_id: str
    direction: str
    counterparty: str
    percent: Decimal
    agreed_by: str
    agreed_on: date
    expected_cents: int | None
    due_on: date | None
    paid_cents: int | None
    paid_on: date | None

    @classmethod
    def of(cls, row: Row[Any]) -> FeeView:
        assert row.id is not None
        return cls(
            id=row.id,
            referral_id=format_id("referral", row.referral_id),
            direction=row.direction,
            counterparty=row.counterparty,
            percent=row.percent,
            agreed_by=row.agreed_by,
            agreed_on=row.agreed_on,
            expected_cents=row.expected_cents,
            due_on=row.due_on,
            paid_cents=row.paid_cents,
            paid_on=row.paid_on,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "referral_id": self.referral_id,
            "direction": self.direction,
            "counterparty": self.counterparty,
            "percent": str(self.percent),
            "agreed_by": self.agreed_by,
            "agreed_on": self.agreed_on.isoformat(),
            "expected_amount": cents_to_text(self.expected_cents),
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "paid_amount": cents_to_text(self.paid_cents),
            "paid_on": self.paid_on.isoformat() if self.paid_on else None,
        }


@dataclass(frozen=True)
class TaskView:
    """An acknowledgment the desk prompts for."""

    id: str
    referral_id: str
    source_id: str
    kind: str
    due_at: datetime
    done_at: datetime | None
    draft: str
    channel: str

    @classmethod
    def of(cls, row: Row[Any]) -> TaskView:
        assert row.id is not None
        return cls(
            id=format_id("task", row.id),
            referral_id=format_id("referral", row.referral_id),
            source_id=format_id("source", row.source_id),
            kind=row.kind,
            due_at=row.due_at,
            done_at=row.done_at,
            draft=row.draft,
            channel=row.channel,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "referral_id": self.referral_id,
            "source_id": self.source_id,
            "kind": self.kind,
            "due_at": iso(self.due_at),
            "done_at": iso(self.done_at),
            "draft": self.draft,
            "channel": self.channel,
        }


@dataclass(frozen=True)
class FlagView:
    """An escalation for the team lead."""

    id: str
    kind: str
    referral_id: str | None
    source_id: str | None
    raised_at: datetime
    detail: str
    resolved_at: datetime | None
    resolution_note: str | None

    @classmethod
    def of(cls, row: Row[Any]) -> FlagView:
        assert row.id is not None
        return cls(
            id=format_id("flag", row.id),
            kind=row.kind,
            referral_id=format_id("referral", row.referral_id) if row.referral_id else None,
            source_id=format_id("source", row.source_id) if row.source_id else None,
            raised_at=row.raised_at,
            detail=row.detail,
            resolved_at=row.resolved_at,
            resolution_note=row.resolution_note,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "referral_id": self.referral_id,
            "source_id": self.source_id,
            "raised_at": iso(self.raised_at),
            "detail": self.detail,
            "resolved_at": iso(self.resolved_at),
            "resolution_note": self.resolution_note,
        }


@dataclass(frozen=True)
class ReferralView:
    """A referral with its client, source, offers, history, fees and tasks."""

    id: str
    status: str
    received_at: datetime
    mode: str
    side: str
    metro: str
    zip: str | None
    price_min: int
    price_max: int
    property_type: str
    timeline: str
    notes: str
    client_first_name: str
    client_last_name: str
    client_email: str
    client_phone: str
    source: SourceView
    lead_source: str
    network: str | None
    assigned_agent_id: str | None
    sale_price: int | None
    commission_rate: Decimal | None
    closing_date: date | None
    lost_reason: str | None
    offers: tuple[OfferView, ...] = ()
    events: tuple[EventView, ...] = ()
    fees: tuple[FeeView, ...] = ()
    tasks: tuple[TaskView, ...] = ()
    flags: tuple[FlagView, ...] = field(default=())

    @property
    def open_offers(self) -> tuple[OfferView, ...]:
        return tuple(offer for offer in self.offers if offer.is_open)

    def to_json(self, now: datetime) -> dict[str, Any]:
        """The contract's referral object (`show ID --json`)."""
        return {
            "id": self.id,
            "status": self.status,
            "received_at": iso(self.received_at),
            "mode": self.mode,
            "side": self.side,
            "metro": self.metro,
            "zip": self.zip,
            "price_min": self.price_min,
            "price_max": self.price_max,
            "property_type": self.property_type,
            "timeline": self.timeline,
            "notes": self.notes,
            "client": {
                "first_name": self.client_first_name,
                "last_name": self.client_last_name,
                "email": self.client_email,
                "phone": self.client_phone,
            },
            "source": {"id": self.source.id, "name": self.source.name, "type": self.source.type},
            "lead_source": self.lead_source,
            "network": self.network,
            "assigned_agent_id": self.assigned_agent_id,
            "sale_price": self.sale_price,
            "commission_rate": str(self.commission_rate) if self.commission_rate else None,
            "closing_date": self.closing_date.isoformat() if self.closing_date else None,
            "lost_reason": self.lost_reason,
            "offers": [offer.to_json(now) for offer in self.offers],
            "events": [event.to_json() for event in self.events],
            "fees": [fee.to_json() for fee in self.fees],
            "tasks": [task.to_json() for task in self.tasks],
            "flags": [flag.to_json() for flag in self.flags],
        }


@dataclass(frozen=True)
class MessageView:
    """A message in the outbox: queued, being sent, sent, failed, or a call to make."""

    id: str
    kind: str
    channel: str
    to: str
    subject: str
    body: str
    referral_id: str | None
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, row: Row[Any]) -> MessageView:
        assert row.id is not None
        return cls(
            id=format_id("message", row.id),
            kind=row.kind,
            channel=row.channel,
            to=row.recipient,
            subject=row.subject,
            body=row.body,
            referral_id=format_id("referral", row.referral_id) if row.referral_id else None,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            sent_at=row.sent_at,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
        )

    def to_json(self) -> dict[str, Any]:
        """The contract's outbox object, plus delivery details."""
        return {
            "id": self.id,
            "kind": self.kind,
            "channel": self.channel,
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "referral_id": self.referral_id,
            "status": self.status,
            "attempts": self.attempts,
            "created_at": iso(self.created_at),
            "sent_at": iso(self.sent_at),
            "next_attempt_at": iso(self.next_attempt_at),
            "last_error": self.last_error,
        }
