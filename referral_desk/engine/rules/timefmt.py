"""How times and money look: ISO-8601 UTC and two-decimal fees in JSON, desk time in history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from .errors import InvalidInput, echo

CENT = Decimal("0.01")

FIRST_YEAR = 1900
LAST_YEAR = 2199
"""The years a time or a date the desk is given may fall in (1900 up to 2200).

Outside them nothing the desk records makes sense, and near year 1 or 9999 the
arithmetic itself fails (an acceptance window past 9999-12-31, a quarter's
next month): so such input is refused by name instead of failing later."""
_EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
_LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
AHEAD_ALLOWED = timedelta(days=1)
"""How far past `now` a time a user gives may lie (clocks and time zones disagree a little);
later than that it is a typo, not something that happened."""


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
    """Parses an ISO-8601 moment that must carry a zone (`Z` or an offset), 1900 to 2200."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput([f"{field}: not an ISO-8601 time ({echo(value)})"]) from None
    if moment.tzinfo is None:
        raise InvalidInput([f"{field}: must include a time zone (e.g. 2026-11-23T14:00:00Z)"])
    problem = moment_problem(moment)
    if problem:
        raise InvalidInput([f"{field}: {problem}"])
    return moment


def parse_day(value: str, field: str) -> date:
    """Parses an ISO date (`2026-12-20`) a user typed, 1900 to 2199."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput([f"{field}: not an ISO date YYYY-MM-DD ({echo(value)})"]) from None
    problem = day_problem(day)
    if problem:
        raise InvalidInput([f"{field}: {problem}"])
    return day


def moment_problem(moment: datetime) -> str | None:
    """Why a time cannot be taken (outside 1900 to 2200), or None."""
    try:
        inside = _EARLIEST <= as_utc(moment) < _LATEST
    except OverflowError:  # year 1 at +14:00 is before the calendar starts, in UTC
        inside = False
    if inside:
        return None
    return f"must lie between {FIRST_YEAR} and {LAST_YEAR + 1} (got {echo(moment.isoformat())})"


def day_problem(day: date) -> str | None:
    """Why a date cannot be taken (outside the years 1900 to 2199), or None."""
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return None
    return f"must be a date from {FIRST_YEAR} to {LAST_YEAR} (got {day.isoformat()})"


def check_not_ahead(field: str, moment: datetime | date, now: datetime, zone: tzinfo) -> None:
    """Refuses a time (or a day, in the desk's zone) that something happened which lies
    more than a day after `now`: it has not happened yet.

    Raises:
        InvalidInput: `field: is more than a day after now (…)`.
    """
    if isinstance(moment, datetime):
        late = as_utc(moment) > as_utc(now) + AHEAD_ALLOWED
    else:
        late = moment > (as_utc(now) + AHEAD_ALLOWED).astimezone(zone).date()
    if late:
        shown = iso(moment) if isinstance(moment, datetime) else moment.isoformat()
        raise InvalidInput(
            [f"{field}: {shown} is more than a day after now ({iso(now)}); it has not happened yet"]
        )
