"""How times and money look: ISO-8601 UTC and two-decimal fees in JSON, desk time in history."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from .errors import InvalidInput

CENT = Decimal("0.01")


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive moment is taken to be UTC already (as SQLite returns it)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """`2026-11-23T14:00:00Z` (seconds precision), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def desk_time(moment: datetime, zone: tzinfo) -> str:
    """`Tue Dec 01 17:37 CST`: a moment as the desk reads it, in the history's words."""
    return moment.astimezone(zone).strftime("%a %b %d %H:%M %Z")


def cents_to_text(cents: int | None) -> str | None:
    """12345 → `"123.45"`."""
    if cents is None:
        return None
    return str((Decimal(cents) / 100).quantize(CENT))


def to_cents(amount: Decimal) -> int:
    """Dollars (Decimal) → whole cents, rounding half up."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_moment(value: str, field: str = "now") -> datetime:
    """Parses an ISO-8601 moment that must carry a zone (`Z` or an offset)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput([f"{field}: not an ISO-8601 time ({value[:40]!r})"]) from None
    if moment.tzinfo is None:
        raise InvalidInput([f"{field}: must include a time zone (e.g. 2026-11-23T14:00:00Z)"])
    return moment


def parse_day(value: str, field: str) -> date:
    """Parses an ISO date (`2026-12-20`) a user typed."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput([f"{field}: not an ISO date YYYY-MM-DD ({value[:40]!r})"]) from None
