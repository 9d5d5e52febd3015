"""Weekly schedules and business time, in the desk's time zone.

A schedule is written the way a team lead says it: ``mon-fri 09:00-17:00;sat
10:00-14:00``. It serves agents' on-duty hours and the desk's business hours, and
it drives two deadlines: acceptance windows that only count business time, and the
"third business day" on which a thank-you card is due.

Everything here is pure: callers pass the moments and the zone, nothing reads the
system clock. Wall-clock times are mapped to UTC through zoneinfo day by day, so
windows stay correct across daylight-saving changes.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "DAY_NAMES",
    "Interval",
    "WeeklySchedule",
    "add_business_time",
    "end_of_nth_business_day",
    "parse_schedule",
]

Interval = tuple[time, time]
"""A half-open wall-clock range ``[start, end)``; ``time.max`` as end means 24:00."""

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Canonical day names, Monday first (index = ``date.weekday()``)."""

_DAY_ALIASES: dict[str, int] = {
    **{name: index for index, name in enumerate(DAY_NAMES)},
    **{
        name: index
        for index, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}

_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_MIDNIGHT_END = time.max
_DAY_SCAN_LIMIT = 800
"""How many days the business-time walkers look ahead before giving up."""


def _merge(intervals: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Sort and merge overlapping or touching intervals, so equal schedules compare equal."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _empty_week() -> tuple[tuple[Interval, ...], ...]:
    return ((),) * 7


@dataclass(frozen=True)
class WeeklySchedule:
    """Opening hours for each weekday, in the desk's wall-clock time.

    Intervals are normalized on construction (sorted, overlaps merged), so two
    schedules that mean the same hours are equal and format the same way.
    """

    days: tuple[tuple[Interval, ...], ...] = field(default_factory=_empty_week)
    """Seven tuples of ``(start, end)`` intervals, Monday first."""

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError(f"a weekly schedule needs 7 days, got {len(self.days)}")
        for intervals in self.days:
            for start, end in intervals:
                if end <= start:
                    raise ValueError(f"{_format_range((start, end))}: end must be after start")
        object.__setattr__(self, "days", tuple(_merge(tuple(day)) for day in self.days))

    def is_empty(self) -> bool:
        """True when no day has hours: such a schedule can never reach a deadline."""
        return not any(self.days)

    def intervals(self, weekday: int) -> tuple[Interval, ...]:
        """The intervals of one weekday (0 = Monday), earliest first."""
        return self.days[weekday]

    def has_hours(self, weekday: int) -> bool:
        """Whether this weekday has any hours (a candidate business day)."""
        return bool(self.days[weekday])

    def contains(self, local_dt: datetime) -> bool:
        """Whether a desk-zone moment falls inside the schedule.

        Only the wall-clock fields are read, so a naive or an aware datetime in the
        desk's zone both work; start is included and end excluded.
        """
        moment = local_dt.time().replace(tzinfo=None)
        return any(
            start <= moment and (moment < end or end == _MIDNIGHT_END)
            for start, end in self.days[local_dt.weekday()]
        )

    def format(self) -> str:
        """The canonical text: days with equal hours grouped, Monday first."""
        groups: dict[tuple[Interval, ...], list[int]] = {}
        for weekday, intervals in enumerate(self.days):
            if intervals:
                groups.setdefault(intervals, []).append(weekday)
        return ";".join(
            f"{_format_days(weekdays)} {','.join(_format_range(r) for r in intervals)}"
            for intervals, weekdays in groups.items()
        )

    def __str__(self) -> str:
        return self.format()


def _format_time(moment: time) -> str:
    return "24:00" if moment == _MIDNIGHT_END else f"{moment.hour:02d}:{moment.minute:02d}"


def _format_range(interval: Interval) -> str:
    return f"{_format_time(interval[0])}-{_format_time(interval[1])}"


def _format_days(weekdays: list[int]) -> str:
    """``mon-fri`` for runs of three or more days, commas otherwise (``sat,sun``)."""
    runs: list[list[int]] = []
    for weekday in weekdays:
        if runs and runs[-1][-1] == weekday - 1:
            runs[-1].append(weekday)
        else:
            runs.append([weekday])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[weekday] for weekday in run)
    return ",".join(parts)


def parse_schedule(text: str) -> WeeklySchedule:
    """Read a schedule such as ``mon-fri 09:00-17:00;sat 10:00-14:00``.

    Segments are separated by ``;``; each names days (``mon``, ``mon,wed``,
    ``mon-fri``) and one or more comma-separated ranges. ``24:00`` may end a range.
    Empty text is an empty schedule (an agent who is never on duty).

    Raises:
        ValueError: naming the day or range that could not be read, so the user
            knows what to fix.
    """
    week: list[list[Interval]] = [[] for _ in range(7)]
    for segment in (part.strip() for part in text.split(";")):
        if not segment:
            continue
        weekdays, intervals = _parse_segment(segment)
        for weekday in weekdays:
            week[weekday].extend(intervals)
    return WeeklySchedule(tuple(tuple(day) for day in week))


def _parse_segment(segment: str) -> tuple[list[int], list[Interval]]:
    first_digit = next((i for i, char in enumerate(segment) if char.isdigit()), None)
    if first_digit is None:
        raise ValueError(f"'{segment}' has no time range HH:MM-HH:MM")
    days_text = segment[:first_digit].replace(" ", "")
    if not days_text:
        raise ValueError(f"'{segment}' does not say which days")
    ranges_text = re.sub(r"\s+", "", segment[first_digit:])
    return _parse_days(days_text), [_parse_range(part) for part in ranges_text.split(",")]


def _parse_day(name: str) -> int:
    try:
        return _DAY_ALIASES[name.casefold()]
    except KeyError:
        raise ValueError(f"unknown day '{name}'") from None


def _parse_days(text: str) -> list[int]:
    """Days as listed; a range that passes Sunday (``fri-mon``) wraps round the week."""
    weekdays: list[int] = []
    for item in text.split(","):
        if not item:
            raise ValueError(f"empty day in '{text}'")
        first, _, last = item.partition("-")
        start = _parse_day(first)
        stop = _parse_day(last) if last else start
        span = (stop - start) % 7
        weekdays.extend((start + offset) % 7 for offset in range(span + 1))
    return weekdays


def _parse_range(text: str) -> Interval:
    match = _RANGE.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a time range HH:MM-HH:MM")
    start_hour, start_minute, end_hour, end_minute = (int(group) for group in match.groups())
    if start_hour > 23 or start_minute > 59 or end_minute > 59 or end_hour > 24:
        raise ValueError(f"'{text}' is not a time range HH:MM-HH:MM")
    if end_hour == 24:
        if end_minute:
            raise ValueError(f"'{text}' is not a time range HH:MM-HH:MM")
        end = _MIDNIGHT_END
    else:
        end = time(end_hour, end_minute)
    start = time(start_hour, start_minute)
    if end <= start:
        raise ValueError(f"'{text}': end must be after start")
    return (start, end)


# --- wall clock to UTC ------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive moment is taken to be UTC already (as SQLite returns it)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


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
    if moment == _MIDNIGHT_END:
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
    current = _as_utc(start_utc)
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
    day = _as_utc(received_utc).astimezone(tz).date()
    found = 0
    for _ in range(n * 7 + len(holidays) + _DAY_SCAN_LIMIT):
        day += timedelta(days=1)
        spans = _day_spans(day, schedule, tz, holidays)
        if spans:
            found += 1
            if found == n:
                return max(end for _, end in spans)
    raise ValueError(f"no {n} business days found (check holidays)")
