"""Business time, in the desk's time zone: what counts when windows pause outside
business hours, and the "third business day" on which a thank-you card is due.

Pure: callers pass the moments, the schedule (`schedule.py`), the zone and the
holidays; nothing reads the system clock. Wall-clock times are mapped to UTC
through zoneinfo day by day, so windows stay correct across daylight-saving changes.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .schedule import MIDNIGHT_END, WeeklySchedule
from .timefmt import as_utc

__all__ = ["add_business_time", "end_of_nth_business_day"]

_DAY_SCAN_LIMIT = 800
"""How many days the business-time walkers look ahead before giving up."""

# --- wall clock to UTC ------------------------------------------------------------


def _offset_at(instant: datetime, tz: ZoneInfo) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None  # a ZoneInfo always has an offset
    return offset


def _transition(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """The first second in ``(low, high]`` that has ``high``'s UTC offset."""
    target = _offset_at(high, tz)
    low_s, high_s = int(low.timestamp()), int(high.timestamp())
    while high_s - low_s > 1:
        middle = (low_s + high_s) // 2
        if _offset_at(datetime.fromtimestamp(middle, UTC), tz) == target:
            high_s = middle
        else:
            low_s = middle
    return datetime.fromtimestamp(high_s, UTC)


def _offset_segments(day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime, timedelta]]:
    """UTC stretches of constant offset covering every instant whose wall date is ``day``.

    Wall date ``day`` lies within a day either side of its UTC midnight, so a
    three-day window holds it; at most one offset change is expected inside it.
    """
    low = datetime.combine(day, time(), UTC) - timedelta(days=1)
    high = low + timedelta(days=3)
    low_offset, high_offset = _offset_at(low, tz), _offset_at(high, tz)
    if low_offset == high_offset:
        return [(low, high, low_offset)]
    change = _transition(low, high, tz)
    return [(low, change, low_offset), (change, high, high_offset)]


def _wall(day: date, moment: time) -> datetime:
    """A wall-clock moment as if it were UTC, ready to have the offset subtracted."""
    if moment == MIDNIGHT_END:
        return datetime.combine(day + timedelta(days=1), time(), UTC)
    return datetime.combine(day, moment, UTC)


def _day_spans(
    day: date, schedule: WeeklySchedule, tz: ZoneInfo, holidays: frozenset[date]
) -> list[tuple[datetime, datetime]]:
    """The UTC spans whose wall-clock time is inside the day's hours.

    A range that meets a DST change is split exactly: the hour skipped in spring
    counts nothing, the hour repeated in autumn counts twice, as real time does.
    """
    intervals = schedule.intervals(day.weekday())
    if not intervals or day in holidays:
        return []
    spans: list[tuple[datetime, datetime]] = []
    segments = _offset_segments(day, tz)
    for start, end in intervals:
        for low, high, offset in segments:
            span_start = max(_wall(day, start) - offset, low)
            span_end = min(_wall(day, end) - offset, high)
            if span_start >= span_end:
                continue
            if spans and spans[-1][1] == span_start:
                spans[-1] = (spans[-1][0], span_end)
            else:
                spans.append((span_start, span_end))
    return spans


def _business_spans(
    first_day: date, schedule: WeeklySchedule, tz: ZoneInfo, holidays: frozenset[date]
) -> Iterator[tuple[datetime, datetime]]:
    """Business spans from ``first_day`` on, in UTC order.

    Days are generated in wall order, but a span is released only once no later
    day can start before it, so even odd zone changes keep time order.

    Raises:
        ValueError: when no business time turns up within the scan limit.
    """
    if schedule.is_empty():
        raise ValueError("the schedule has no hours, so business time never passes")
    pending: list[tuple[datetime, datetime]] = []
    empty_days = 0
    day = first_day
    while empty_days < _DAY_SCAN_LIMIT:
        horizon = datetime.combine(day, time(), UTC) - timedelta(days=1)
        while pending and pending[0][0] < horizon:
            yield heapq.heappop(pending)
        spans = _day_spans(day, schedule, tz, holidays)
        empty_days = 0 if spans else empty_days + 1
        for span in spans:
            heapq.heappush(pending, span)
        day += timedelta(days=1)
    raise ValueError(f"no business hours in {_DAY_SCAN_LIMIT} days (check holidays)")


def add_business_time(
    start_utc: datetime,
    duration: timedelta,
    schedule: WeeklySchedule,
    tz: ZoneInfo,
    holidays: frozenset[date] = frozenset(),
) -> datetime:
    """The UTC moment when ``duration`` of business time has passed since ``start_utc``.

    Only time inside the schedule, in the desk's zone and off holidays, counts: an
    acceptance window that starts Friday evening keeps running on Monday morning
    instead of lapsing over the weekend.

    Args:
        start_utc: when the window opens (naive values are taken as UTC).
        duration: business time to let pass; zero returns the start.
        schedule: the desk's business hours.
        tz: the desk's time zone.
        holidays: whole desk-zone dates on which no time counts.

    Returns:
        An aware UTC datetime, never before ``start_utc``.

    Raises:
        ValueError: for a negative duration or a schedule with no hours.
    """
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    if schedule.is_empty():
        raise ValueError("the schedule has no hours, so business time never passes")
    current = as_utc(start_utc)
    remaining = duration
    if not remaining:
        return current
    first_day = current.astimezone(tz).date() - timedelta(days=1)
    for span_start, span_end in _business_spans(first_day, schedule, tz, holidays):
        if span_end <= current:
            continue
        begin = max(span_start, current)
        if span_end - begin >= remaining:
            return begin + remaining
        remaining -= span_end - begin
        current = span_end
    raise AssertionError("unreachable: _business_spans never ends quietly")  # pragma: no cover


def end_of_nth_business_day(
    received_utc: datetime,
    n: int,
    schedule: WeeklySchedule,
    tz: ZoneInfo,
    holidays: frozenset[date] = frozenset(),
) -> datetime:
    """The close of business on the ``n``-th business day after the day of receipt.

    A business day is a desk-zone date whose weekday has hours and that is not a
    holiday; the day of receipt never counts, whatever the hour. This is when a
    handwritten card is due ("within three business days").

    Returns:
        The end of that day's last business hours, as an aware UTC datetime.

    Raises:
        ValueError: if ``n`` is below 1 or the schedule has no hours.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if schedule.is_empty():
        raise ValueError("the schedule has no hours, so there are no business days")
    day = as_utc(received_utc).astimezone(tz).date()
    found = 0
    for _ in range(n * 7 + len(holidays) + _DAY_SCAN_LIMIT):
        day += timedelta(days=1)
        spans = _day_spans(day, schedule, tz, holidays)
        if spans:
            found += 1
            if found == n:
                return max(end for _, end in spans)
    raise ValueError(f"no {n} business days found (check holidays)")
