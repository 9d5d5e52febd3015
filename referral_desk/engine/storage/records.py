"""Rows a write changes field by field: a referral, its fee agreements.

Routing and the lifecycle read a referral, decide, and set a few of its fields
(`referral.status = "offered"`), the way they would on an object. A record is
that object without an ORM: a plain dataclass loaded from a Core row, which
remembers which fields were set. The transaction it was loaded in
(`transaction.Transaction`) writes exactly those columns back with one `UPDATE`
before its next statement and before it commits, so a read in the same write
always sees what the write did.

A record's fields are its table's columns (`tables.py`, the one statement of
the shape). The annotations on `Referral` and `FeeAgreement` exist for the type
checker only; a test holds them to the table's columns and their Python types.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

from sqlalchemy import Table

from . import tables as m

__all__ = ["FeeAgreement", "Record", "Referral"]


class Record:
    """A row's columns as attributes, with the ones set since loading remembered."""

    table: ClassVar[Table]
    columns: ClassVar[frozenset[str]]
    """The table's column names: the record's fields."""
    id: int
    """Every record's table has an integer primary key, `id`."""
    _changed: set[str]
    _pending: list[Record] | None
    """Where the record puts itself when a field is first set (its transaction's list of
    records to write back), once a transaction tracks it."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.columns = frozenset(column.key for column in cls.table.c)

    @classmethod
    def of(cls, row: Any) -> Self:
        """The record of a row holding every column of the record's table.

        Filled in one step rather than field by field, which would send each of a
        referral's 31 columns through `__setattr__` below: every write loads its
        referral, and that was most of what loading it cost.
        """
        record = cls.__new__(cls)
        fields = record.__dict__
        fields.update(row._asdict())
        names = cls.columns
        if fields.keys() != names:
            wanted = ", ".join(sorted(names ^ fields.keys()))
            raise TypeError(f"{cls.__name__}: the row's columns differ from its fields ({wanted})")
        fields["_changed"] = set()
        fields["_pending"] = None
        return record

    def __setattr__(self, name: str, value: Any) -> None:
        fields = self.__dict__
        changed: set[str] | None = fields.get("_changed")
        if changed is not None and fields.get(name) != value:
            if not changed and fields["_pending"] is not None:
                fields["_pending"].append(self)
            changed.add(name)
        object.__setattr__(self, name, value)

    def report_changes_to(self, pending: list[Record]) -> None:
        """From now on the record adds itself to `pending` whenever a field is set while
        none was pending (and at once, if one is): a transaction then writes back the
        records in that list instead of asking every record it holds whether it changed."""
        self.__dict__["_pending"] = pending
        if self._changed:
            pending.append(self)

    @property
    def changed(self) -> bool:
        """Whether a field was set since loading (or since the last `take_changes`)."""
        return bool(self._changed)

    def __repr__(self) -> str:
        shown = ", ".join(f"{column.key}={self.__dict__[column.key]!r}" for column in self.table.c)
        return f"{type(self).__name__}({shown})"

    def take_changes(self) -> dict[str, Any]:
        """The columns set since loading (or since the last call), with their values."""
        changes = {name: self.__dict__[name] for name in self._changed}
        self._changed.clear()
        return changes


class Referral(Record):
    """A referral as a write changes it (every column of `referral`)."""

    table: ClassVar[Table] = m.referral

    id: int
    received_at: datetime
    client_first_name: str
    client_last_name: str
    client_email: str
    client_phone: str
    side: str
    metro: str
    zip: str | None
    price_min: int
    price_max: int
    property_type: str
    timeline: str
    notes: str
    source_id: int
    lead_source: str
    mode: str
    network: str | None
    private_agent_id: str | None
    status: str
    assigned_agent_id: str | None
    sale_price: int | None
    commission_rate: Decimal | None
    closing_date: date | None
    lost_reason: str | None
    archived_from: str | None
    first_offered_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class FeeAgreement(Record):
    """A fee agreement as logging, closing and payments change it."""

    table: ClassVar[Table] = m.fee_agreement

    id: int
    referral_id: int
    direction: str
    counterparty: str
    percent: Decimal
    agreed_by: str
    agreed_on: date
    expected_cents: int | None
    due_on: date | None
    paid_cents: int | None
    paid_on: date | None
    created_at: datetime
