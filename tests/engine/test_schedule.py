"""Weekly schedules and business time: parsing, membership, deadlines across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_desk.engine.rules.business_time import add_business_time, end_of_nth_business_day
from referral_desk.engine.rules.schedule import WeeklySchedule, parse_schedule

CHICAGO = ZoneInfo("America/Chicago")
BUSINESS = parse_schedule("mon-fri 08:00-18:00")
NO_HOLIDAYS: frozenset[date] = frozenset()


def chicago(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    """A desk-zone wall-clock moment, as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO, fold=fold)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# --- parsing and formatting --------------------------------------------------------


def test_parse_and_format_round_trip() -> None:
    """A schedule typed in the usual form reads back exactly as typed."""
    text = "mon-fri 09:00-17:00;sat 10:00-14:00"
    schedule = parse_schedule(text)
    assert schedule.format() == text
    assert str(schedule) == text
    assert schedule.intervals(0) == ((time(9), time(17)),)
    assert schedule.intervals(5) == ((time(10), time(14)),)
    assert schedule.intervals(6) == ()


def test_day_lists_and_single_days() -> None:
    """Days can be listed with commas, or named alone."""
    assert parse_schedule("mon,wed 08:00-12:00").format() == "mon,wed 08:00-12:00"
    assert parse_schedule("sun 12:00-16:00").format() == "sun 12:00-16:00"
    assert parse_schedule("mon,wed 08:00-12:00").has_hours(2)
    assert not parse_schedule("mon,wed 08:00-12:00").has_hours(1)


def test_loose_input_formats_canonically() -> None:
    """Case, spaces, full day names and order do not matter; the stored form is canonical."""
    schedule = parse_schedule(" Saturday 10:00 - 14:00 ; MON-fri 9:00-17:00 ")
    assert schedule.format() == "mon-fri 09:00-17:00;sat 10:00-14:00"
    assert parse_schedule(schedule.format()) == schedule


def test_overlapping_hours_merge_and_split_shifts_are_kept() -> None:
    """Overlapping hours for a day merge; a lunch break stays a break."""
    merged = parse_schedule("mon-fri 09:00-17:00;mon 16:00-20:00")
    assert merged.intervals(0) == ((time(9), time(20)),)
    assert merged.format() == "mon 09:00-20:00;tue-fri 09:00-17:00"
    split = parse_schedule("tue 13:00-17:00,09:00-12:00")
    assert split.format() == "tue 09:00-12:00,13:00-17:00"


def test_empty_text_is_an_empty_schedule() -> None:
    """Leaving the on-duty field blank means no hours at all."""
    schedule = parse_schedule("")
    assert schedule == WeeklySchedule()
    assert schedule.is_empty()
    assert schedule.format() == ""
    assert not parse_schedule("mon 09:00-10:00").is_empty()


def test_midnight_end_is_allowed() -> None:
    """A shift may run to midnight, written 24:00, and covers the last minute of the day."""
    schedule = parse_schedule("sat,sun 18:00-24:00")
    assert schedule.format() == "sat,sun 18:00-24:00"
    assert schedule.contains(datetime(2027, 1, 2, 23, 59, 59))
    assert not schedule.contains(datetime(2027, 1, 4, 0, 0))


def test_wrapping_day_range() -> None:
    """A day range that passes Sunday wraps round the week."""
    assert parse_schedule("fri-mon 10:00-12:00").format() == "mon,fri-sun 10:00-12:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mno 09:00-17:00", "unknown day 'mno'"),
        ("mon-xyz 09:00-17:00", "unknown day 'xyz'"),
        ("mon 9:00-25:00", "'9:00-25:00' is not a time range HH:MM-HH:MM"),
        ("mon 09:60-10:00", "'09:60-10:00' is not a time range HH:MM-HH:MM"),
        ("mon 9am-5pm", "'9am-5pm' is not a time range HH:MM-HH:MM"),
        ("mon 24:00-24:00", "'24:00-24:00' is not a time range HH:MM-HH:MM"),
        ("mon 17:00-09:00", "end must be after start"),
        ("mon 09:00-09:00", "end must be after start"),
        ("mon-fri", "has no time range"),
        ("09:00-17:00", "does not say which days"),
        ("mon,,tue 09:00-17:00", "empty day"),
    ],
)
def test_bad_schedules_are_refused_with_a_clear_message(text: str, message: str) -> None:
    """A typo in a schedule names the day or range to fix."""
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_schedule(text)


def test_constructor_refuses_backwards_intervals() -> None:
    """A schedule built in code is held to the same rule as a typed one."""
    days = ((time(10), time(9)),), (), (), (), (), (), ()
    with pytest.raises(ValueError, match="end must be after start"):
        WeeklySchedule(days)
    with pytest.raises(ValueError, match="7 days"):
        WeeklySchedule(((),))


# --- contains ------------------------------------------------------------------------


def test_contains_includes_start_and_excludes_end() -> None:
    """An agent on duty 09:00-17:00 is on duty at 09:00 and off at 17:00."""
    schedule = parse_schedule("mon-fri 09:00-17:00")
    monday = date(2027, 1, 4)
    assert schedule.contains(datetime.combine(monday, time(9)))
    assert schedule.contains(datetime.combine(monday, time(16, 59, 59)))
    assert not schedule.contains(datetime.combine(monday, time(17)))
    assert not schedule.contains(datetime.combine(monday, time(8, 59)))
    assert not schedule.contains(datetime(2027, 1, 9, 12))  # Saturday


def test_contains_reads_wall_clock_of_aware_times() -> None:
    """An aware desk-zone time is judged by its wall clock, as the desk sees it."""
    schedule = parse_schedule("mon 09:00-17:00")
    assert schedule.contains(chicago(2027, 1, 4, 9))
    assert not schedule.contains(chicago(2027, 1, 4, 17))
    assert not schedule.contains(chicago(2027, 1, 4, 9).astimezone(ZoneInfo("Asia/Tokyo")))


# --- add_business_time -----------------------------------------------------------


def test_window_started_friday_evening_ends_monday_morning() -> None:
    """A 30-minute window opened at 17:50 on Friday keeps 20 minutes for Monday."""
    start = utc(chicago(2027, 1, 8, 17, 50))
    end = add_business_time(start, timedelta(minutes=30), BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 1, 11, 8, 20))
    assert end.tzinfo is UTC


def test_window_started_on_weekend_starts_counting_monday() -> None:
    """A window opened on Saturday night starts counting when the desk opens Monday."""
    start = utc(chicago(2027, 1, 9, 23))
    end = add_business_time(start, timedelta(minutes=30), BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 1, 11, 8, 30))


def test_window_inside_hours_is_plain_time() -> None:
    """During business hours a window is just wall time."""
    start = utc(chicago(2027, 1, 6, 10, 15))
    end = add_business_time(start, timedelta(minutes=30), BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert end == start + timedelta(minutes=30)


def test_window_ending_exactly_at_close_does_not_roll_over() -> None:
    """A window that fits exactly ends at closing time, not the next morning."""
    start = utc(chicago(2027, 1, 6, 17, 30))
    end = add_business_time(start, timedelta(minutes=30), BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 1, 6, 18))


def test_holiday_is_skipped_whole() -> None:
    """No time counts on a desk holiday: a Friday-evening window ends on Tuesday."""
    start = utc(chicago(2027, 1, 8, 17, 50))
    holidays = frozenset({date(2027, 1, 11)})
    end = add_business_time(start, timedelta(minutes=30), BUSINESS, CHICAGO, holidays)
    assert end == utc(chicago(2027, 1, 12, 8, 20))


def test_long_window_spans_several_days() -> None:
    """Twelve business hours from Thursday 17:00 run to Monday 09:00 (10 h per day)."""
    start = utc(chicago(2027, 1, 7, 17))
    end = add_business_time(start, timedelta(hours=12), BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 1, 11, 9))


def test_zero_duration_returns_start_and_naive_start_is_utc() -> None:
    """Zero business time ends where it starts; a naive start is read as UTC."""
    start = datetime(2027, 1, 9, 5, 0)
    assert add_business_time(start, timedelta(0), BUSINESS, CHICAGO, NO_HOLIDAYS) == start.replace(
        tzinfo=UTC
    )


def test_negative_duration_and_empty_schedule_are_refused() -> None:
    """A deadline that could never come is an error, not an endless loop."""
    start = utc(chicago(2027, 1, 6, 10))
    with pytest.raises(ValueError, match="negative"):
        add_business_time(start, timedelta(minutes=-1), BUSINESS, CHICAGO, NO_HOLIDAYS)
    with pytest.raises(ValueError, match="no hours"):
        add_business_time(start, timedelta(minutes=1), WeeklySchedule(), CHICAGO, NO_HOLIDAYS)


def test_holidays_covering_every_business_day_are_refused() -> None:
    """If holidays swallow every business day for years, the desk says so instead of hanging."""
    schedule = parse_schedule("wed 09:00-10:00")
    start = utc(chicago(2027, 1, 1, 0))
    holidays = frozenset(date(2027, 1, 1) + timedelta(days=i) for i in range(0, 1200))
    with pytest.raises(ValueError, match="check holidays"):
        add_business_time(start, timedelta(minutes=5), schedule, CHICAGO, holidays)


def test_weekend_window_across_spring_forward() -> None:
    """Across the March 2027 clock change, Monday 08:20 is still 08:20 on the wall."""
    start = utc(chicago(2027, 3, 12, 17, 50))  # Friday, CST
    end = add_business_time(start, timedelta(minutes=30), BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 3, 15, 8, 20))  # Monday, CDT
    assert end - start == timedelta(days=2, hours=14, minutes=30) - timedelta(hours=1)


def test_weekend_window_across_fall_back() -> None:
    """Across the November 2027 clock change, Monday 08:20 is still 08:20 on the wall."""
    start = utc(chicago(2027, 11, 5, 17, 50))  # Friday, CDT
    end = add_business_time(start, timedelta(minutes=30), BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 11, 8, 8, 20))  # Monday, CST
    assert end - start == timedelta(days=2, hours=15, minutes=30)


def test_skipped_spring_hour_counts_nothing() -> None:
    """Hours 00:00-06:00 on the spring-forward Sunday hold only five real hours."""
    night = parse_schedule("sun 00:00-06:00")
    start = utc(chicago(2027, 3, 14, 1, 30))  # CST
    end = add_business_time(start, timedelta(minutes=60), night, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 3, 14, 3, 30))  # CDT: 02:00-03:00 never happened
    assert end - start == timedelta(minutes=60)
    whole = add_business_time(
        utc(chicago(2027, 3, 14, 0)), timedelta(hours=5), night, CHICAGO, NO_HOLIDAYS
    )
    assert whole == utc(chicago(2027, 3, 14, 6))


def test_repeated_fall_hour_counts_twice() -> None:
    """Hours 00:00-06:00 on the fall-back Sunday hold seven real hours."""
    night = parse_schedule("sun 00:00-06:00")
    start = utc(chicago(2027, 11, 7, 0, 30))  # CDT
    end = add_business_time(start, timedelta(minutes=120), night, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 11, 7, 1, 30, fold=1))  # the second 01:30, CST
    whole = add_business_time(
        utc(chicago(2027, 11, 7, 0)), timedelta(hours=7), night, CHICAGO, NO_HOLIDAYS
    )
    assert whole == utc(chicago(2027, 11, 7, 6))


def test_hours_starting_in_the_skipped_spring_hour_begin_when_clocks_jump() -> None:
    """Hours 02:15-03:30 on spring-forward Sunday hold only the real 03:00-03:30."""
    schedule = parse_schedule("sun 02:15-03:30")
    start = utc(chicago(2027, 3, 14, 0))
    end = add_business_time(start, timedelta(minutes=30), schedule, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 3, 14, 3, 30))
    early = add_business_time(start, timedelta(minutes=1), schedule, CHICAGO, NO_HOLIDAYS)
    assert early == utc(chicago(2027, 3, 14, 3, 1))


def test_hours_ending_in_the_repeated_fall_hour_include_both_passes() -> None:
    """Hours 01:30-02:30 on fall-back Sunday count 01:30-02:00 twice: 90 real minutes."""
    schedule = parse_schedule("sun 01:30-02:30")
    start = utc(chicago(2027, 11, 7, 0))
    first_pass_over = add_business_time(
        start, timedelta(minutes=31), schedule, CHICAGO, NO_HOLIDAYS
    )
    assert first_pass_over == utc(chicago(2027, 11, 7, 1, 31, fold=1))  # 01:00-01:30 CST idle
    end = add_business_time(start, timedelta(minutes=90), schedule, CHICAGO, NO_HOLIDAYS)
    assert end == utc(chicago(2027, 11, 7, 2, 30))


# --- end_of_nth_business_day ------------------------------------------------------


def test_third_business_day_after_a_friday() -> None:
    """A referral received Friday has its card due at close of business on Wednesday."""
    received = utc(chicago(2027, 1, 8, 16))
    due = end_of_nth_business_day(received, 3, BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert due == utc(chicago(2027, 1, 13, 18))


def test_holiday_pushes_the_business_day_count() -> None:
    """A Monday holiday does not count as a business day: the card is due Thursday."""
    received = utc(chicago(2027, 1, 8, 16))
    holidays = frozenset({date(2027, 1, 11)})
    due = end_of_nth_business_day(received, 3, BUSINESS, CHICAGO, holidays)
    assert due == utc(chicago(2027, 1, 14, 18))


def test_day_of_receipt_is_judged_in_desk_zone() -> None:
    """Friday 22:00 in Chicago is Saturday in UTC, but the count starts after Friday."""
    received = utc(chicago(2027, 1, 8, 22))
    assert received.weekday() == 5
    due = end_of_nth_business_day(received, 1, BUSINESS, CHICAGO, NO_HOLIDAYS)
    assert due == utc(chicago(2027, 1, 11, 18))


def test_business_day_ends_at_its_last_interval() -> None:
    """With a split day, the day ends when its last shift ends."""
    schedule = parse_schedule("mon-fri 08:00-12:00,13:00-17:00;sat 10:00-14:00")
    received = utc(chicago(2027, 1, 7, 9))  # Thursday
    due = end_of_nth_business_day(received, 2, schedule, CHICAGO, NO_HOLIDAYS)
    assert due == utc(chicago(2027, 1, 9, 14))  # Saturday


def test_nth_business_day_needs_positive_n_and_hours() -> None:
    """Asking for the zeroth business day or using an empty schedule is an error."""
    received = utc(chicago(2027, 1, 8, 16))
    with pytest.raises(ValueError, match="at least 1"):
        end_of_nth_business_day(received, 0, BUSINESS, CHICAGO, NO_HOLIDAYS)
    with pytest.raises(ValueError, match="no hours"):
        end_of_nth_business_day(received, 1, WeeklySchedule(), CHICAGO, NO_HOLIDAYS)


# --- properties ------------------------------------------------------------------

SCHEDULES = (
    "mon-fri 08:00-18:00",
    "mon-sun 01:00-03:00,22:00-24:00",
    # Boundaries inside the hours that DST skips or repeats in the zones below.
    "sun 00:30-01:45,02:15-02:40;sat 23:30-24:00;wed 12:00-13:00",
    "sun 01:30-02:45,03:15-05:00;tue,thu 00:00-24:00;mon,fri,sat 02:15-02:45",
)
# Each zone with days just before its 2027 DST changes (a four-day walk crosses them).
ZONE_WEEKS = (
    ("America/Chicago", date(2027, 3, 12)),
    ("America/Chicago", date(2027, 11, 5)),
    ("Europe/London", date(2027, 3, 26)),
    ("Europe/London", date(2027, 10, 29)),
    ("Australia/Lord_Howe", date(2027, 4, 1)),
    ("Australia/Lord_Howe", date(2027, 10, 1)),
    ("America/Santiago", date(2027, 4, 1)),
    ("America/Santiago", date(2027, 9, 2)),
)


def business_minutes(
    start: datetime,
    end: datetime,
    schedule: WeeklySchedule,
    tz: ZoneInfo,
    holidays: frozenset[date],
) -> int:
    """Count business minutes in [start, end) the slow, obvious way: minute by minute."""
    count = 0
    moment = start
    while moment < end:
        local = moment.astimezone(tz)
        if local.date() not in holidays and schedule.contains(local):
            count += 1
        moment += timedelta(minutes=1)
    return count


@settings(max_examples=200, deadline=None)
@given(
    zone_week=st.sampled_from(ZONE_WEEKS),
    text=st.sampled_from(SCHEDULES),
    offset_minutes=st.integers(0, 4 * 24 * 60),
    duration_minutes=st.integers(0, 240),
    holiday_offsets=st.frozensets(st.integers(0, 6), max_size=2),
)
def test_business_time_matches_a_minute_by_minute_count(
    zone_week: tuple[str, date],
    text: str,
    offset_minutes: int,
    duration_minutes: int,
    holiday_offsets: frozenset[int],
) -> None:
    """However the window falls (DST, holidays, odd hours), it holds exactly its duration."""
    zone, week = zone_week
    tz = ZoneInfo(zone)
    schedule = parse_schedule(text)
    holidays = frozenset(week + timedelta(days=offset) for offset in holiday_offsets)
    start = datetime.combine(week, time(), UTC) + timedelta(minutes=offset_minutes)
    duration = timedelta(minutes=duration_minutes)
    end = add_business_time(start, duration, schedule, tz, holidays)
    assert end >= start
    assert business_minutes(start, end, schedule, tz, holidays) == duration_minutes
    if duration_minutes:
        last = end - timedelta(minutes=1)
        assert business_minutes(last, end, schedule, tz, holidays) == 1  # no idle tail


@settings(max_examples=200, deadline=None)
@given(
    days=st.lists(
        st.lists(
            st.tuples(st.integers(0, 47), st.integers(1, 48)).map(
                lambda r: (r[0], min(r[0] + r[1], 48))
            ),
            max_size=3,
        ),
        min_size=7,
        max_size=7,
    )
)
def test_format_round_trips(days: list[list[tuple[int, int]]]) -> None:
    """Any schedule formats to text that reads back as the same schedule."""

    def half_hour(index: int) -> time:
        return time.max if index == 48 else time(index // 2, 30 * (index % 2))

    schedule = WeeklySchedule(
        tuple(tuple((half_hour(a), half_hour(b)) for a, b in day) for day in days)
    )
    assert parse_schedule(schedule.format()) == schedule
    assert parse_schedule(schedule.format()).format() == schedule.format()
