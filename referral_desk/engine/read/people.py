"""Frozen views of the people at both ends: agents on the roster, referring parties.

Rows never leave the engine; these plain values do. `to_json()` is the
contract's shape, shared by the CLI and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row

from ..rules.ids import format_id
from ..rules.timefmt import iso

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
