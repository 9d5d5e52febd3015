"""Frozen views of a referral and its parts: what the CLI prints and the screens show.

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

from ..rules.drops import DropCause, drop_cause
from ..rules.ids import format_id
from ..rules.timefmt import cents_to_text, iso
from .mapping import json_of, view_of
from .people import SourceView


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
        return view_of(cls, row, breakdown=dict(_breakdown(row.breakdown or "{}")))

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
        return view_of(cls, row)

    def to_json(self) -> dict[str, Any]:
        return json_of(self)


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
        return view_of(cls, row, referral_id=format_id("referral", row.referral_id))

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
    agent_id: str | None = None
    """Whose task it is when it is an agent's (the ISA's `isa_followup`); None: the desk's."""

    @classmethod
    def of(cls, row: Row[Any]) -> TaskView:
        return view_of(
            cls,
            row,
            id=format_id("task", row.id),
            referral_id=format_id("referral", row.referral_id),
            source_id=format_id("source", row.source_id),
        )

    def to_json(self) -> dict[str, Any]:
        return json_of(self)


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
        return view_of(
            cls,
            row,
            id=format_id("flag", row.id),
            referral_id=format_id("referral", row.referral_id) if row.referral_id else None,
            source_id=format_id("source", row.source_id) if row.source_id else None,
        )

    def to_json(self) -> dict[str, Any]:
        return json_of(self)


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
    archived_from: str | None
    first_offered_at: datetime | None
    accepted_at: datetime | None
    offers: tuple[OfferView, ...] = ()
    events: tuple[EventView, ...] = ()
    fees: tuple[FeeView, ...] = ()
    tasks: tuple[TaskView, ...] = ()
    flags: tuple[FlagView, ...] = field(default=())

    @property
    def open_offers(self) -> tuple[OfferView, ...]:
        return tuple(offer for offer in self.offers if offer.is_open)

    @property
    def drop_cause(self) -> DropCause | None:
        """Why it was dropped (`rules.drops`), or None: it was not."""
        return drop_cause(
            self.status,
            self.archived_from,
            accepted=self.accepted_at is not None,
            offered=self.first_offered_at is not None,
        )

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
            "drop_cause": self.drop_cause,
            "offers": [offer.to_json(now) for offer in self.offers],
            "events": [event.to_json() for event in self.events],
            "fees": [fee.to_json() for fee in self.fees],
            "tasks": [task.to_json() for task in self.tasks],
            "flags": [flag.to_json() for flag in self.flags],
        }
