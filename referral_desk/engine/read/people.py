"""Frozen views of the people at both ends: agents on the roster, referring parties.

Rows never leave the engine; these plain values do. `to_json()` is the
contract's shape, shared by the CLI and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row

from ..rules.ids import format_id
from ..storage.columns import split_list
from .mapping import json_of, view_of


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
        return view_of(
            cls,
            row,
            metros=split_list(row.metros),
            zips=split_list(row.zips),
            property_types=split_list(row.property_types),
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
        return json_of(
            self,
            metros=";".join(self.metros),
            zips=";".join(self.zips),
            property_types=";".join(self.property_types),
        )

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
        return view_of(cls, row, id=format_id("source", row.id), last_referral_at=last)

    def to_json(self) -> dict[str, Any]:
        return json_of(self)


ROSTER_COLUMNS = tuple(field.name for field in fields(AgentView) if field.name != "load")
"""The roster CSV's columns, in order: an agent's fields as `partners import` takes them."""
