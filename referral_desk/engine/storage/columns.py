"""Column types that keep time zones and money exact on every backend.

SQLite has no time zone aware timestamp and no exact decimal; PostgreSQL has
both. These decorators give the engine one behaviour on either: datetimes go in
and come out as aware UTC, decimals go in and come out as `Decimal` unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime; naive values are refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the desk stores aware UTC times only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Stored naive in UTC so that text order is time order in SQLite.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return _to_sqlite_text
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return _from_sqlite_text
        return super().result_processor(dialect, coltype)


# SQLite: one step each way instead of two. SQLAlchemy's DATETIME writes
# `YYYY-MM-DD HH:MM:SS.ffffff` with a %-format and reads it back with a regex, and
# the decorator converts before and after; the desk stores or reads a time in
# almost every statement. `isoformat` and `fromisoformat` give and take the very
# same text (tests compare both ways), at a fraction of the cost.


def _to_sqlite_text(value: datetime | None) -> str | None:
    """An aware datetime as SQLite's stored text for it: naive UTC, microseconds always."""
    if value is None:
        return None
    if value.tzinfo is UTC:
        return _utc_text(value)
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the desk stores aware UTC times only")
    return _utc_text(value.astimezone(UTC))


@lru_cache(maxsize=4096)
def _utc_text(value: datetime) -> str:
    """Kept per moment: a write stores its `now` in several rows, and this machine takes
    microseconds to format a time. Only UTC times are kept: two local times an hour
    apart in a repeated autumn hour compare equal, so they could not share a key."""
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _from_sqlite_text(value: Any) -> datetime | None:
    """Stored text (or a value SQLite hands back as is) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return _parsed_utc(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@lru_cache(maxsize=4096)
def _parsed_utc(text: str) -> datetime:
    """Kept per stored text: the same offer times are read back many times a decision."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal stored as text, so percentages and rates never pass through float."""

    impl = String(32)
    cache_ok = True

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value)


def split_list(text: str) -> tuple[str, ...]:
    """A `;`-separated list as the roster stores it (metros, ZIPs, property types)."""
    return tuple(part for part in (piece.strip() for piece in text.split(";")) if part)
