"""How times and money look in JSON: ISO-8601 UTC with `Z`, fees as two-decimal strings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def iso(moment: datetime | None) -> str | None:
    """`2026-11-23T14:00:00Z` (seconds precision), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cents_to_text(cents: int | None) -> str | None:
    """12345 → `"123.45"`."""
    if cents is None:
        return None
    return str((Decimal(cents) / 100).quantize(CENT))


def to_cents(amount: Decimal) -> int:
    """Dollars (Decimal) → whole cents, rounding half up."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
