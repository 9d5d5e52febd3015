"""Weekly schedules, written the way a team lead says them: ``mon-fri 09:00-17:00;sat
10:00-14:00``.

A schedule serves agents' on-duty hours and the desk's business hours; the
business-time arithmetic that counts through them is `business_time.py`. Pure:
nothing here reads the system clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time

__all__ = ["DAY_NAMES", "MIDNIGHT_END", "Interval", "WeeklySchedule", "parse_schedule"]

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
MIDNIGHT_END = time.max
"""The end of a range that runs to midnight (24:00)."""


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
            start <= moment and (moment < end or end == MIDNIGHT_END)
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
    return "24:00" if moment == MIDNIGHT_END else f"{moment.hour:02d}:{moment.minute:02d}"


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
        end = MIDNIGHT_END
    else:
        end = time(end_hour, end_minute)
    start = time(start_hour, start_minute)
    if end <= start:
        raise ValueError(f"'{text}': end must be after start")
    return (start, end)
