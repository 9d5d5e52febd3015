"""Times on SQLite: the desk's one-step conversions write and read SQLAlchemy's own text.

SQLite compares stored times as text, so the text must be exactly what SQLAlchemy's
DATETIME writes (`YYYY-MM-DD HH:MM:SS.ffffff`, naive UTC): a desk written before
the fast conversions, or by a script through SQLAlchemy, must sort and compare
the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from referral_desk.engine.storage.columns import UTCDateTime

DIALECT = sqlite.dialect()
STOCK = DateTime().dialect_impl(DIALECT)
ZONES = st.builds(
    lambda minutes: UTC if minutes == 0 else timezone(timedelta(minutes=minutes)),
    st.integers(-14 * 60, 14 * 60),
)
MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=ZONES
)


def desk_bind() -> object:
    processor = UTCDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)
    assert processor is not None
    return processor


def desk_result() -> object:
    processor = UTCDateTime().dialect_impl(DIALECT).result_processor(DIALECT, None)
    assert processor is not None
    return processor


@given(moment=MOMENTS)
def test_a_time_is_stored_as_sqlalchemys_text_for_it(moment: datetime) -> None:
    """Whatever the zone, the stored text is SQLAlchemy's for the same instant in UTC."""
    expected = STOCK.bind_processor(DIALECT)(moment.astimezone(UTC).replace(tzinfo=None))
    assert desk_bind()(moment) == expected  # type: ignore[operator]


@given(moment=MOMENTS)
def test_stored_text_reads_back_as_the_same_instant_in_utc(moment: datetime) -> None:
    """Read back: the same instant, aware, in UTC, as SQLAlchemy's own reading gives it."""
    text = desk_bind()(moment)  # type: ignore[operator]
    read = desk_result()(text)  # type: ignore[operator]
    assert read == moment and read.tzinfo is UTC
    assert read == STOCK.result_processor(DIALECT, None)(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01 15:00:00", datetime(2026, 10, 1, 15, tzinfo=UTC)),  # written by hand
        ("2026-10-01 15:00:00.250000", datetime(2026, 10, 1, 15, 0, 0, 250000, tzinfo=UTC)),
        ("2026-10-01T09:00:00-06:00", datetime(2026, 10, 1, 15, tzinfo=UTC)),
    ],
)
def test_text_written_by_other_hands_still_reads(text: str, expected: datetime) -> None:
    """Rows a migration or a script wrote without microseconds or with an offset read right."""
    assert desk_result()(text) == expected  # type: ignore[operator]


def test_a_naive_time_is_refused() -> None:
    """A time without a zone is a bug in the caller: refused, never guessed."""
    with pytest.raises(ValueError, match="naive datetime"):
        desk_bind()(datetime(2026, 11, 23, 14, 0))  # type: ignore[operator]
    assert desk_bind()(None) is None  # type: ignore[operator]


def test_the_repeated_autumn_hour_is_stored_as_two_instants() -> None:
    """01:30 in Chicago on 2026-11-01 happens twice (fold 0 in CDT, fold 1 in CST). The two
    compare equal as local times, yet are an hour apart: stored, they must differ, even
    when both are converted one after the other (the conversions are remembered)."""
    chicago = ZoneInfo("America/Chicago")
    first = datetime(2026, 11, 1, 1, 30, tzinfo=chicago)
    second = first.replace(fold=1)
    assert first == second  # what makes a naive cache of local times wrong
    bind = desk_bind()
    for _ in range(2):
        assert bind(first) == "2026-11-01 06:30:00.000000"  # type: ignore[operator]
        assert bind(second) == "2026-11-01 07:30:00.000000"  # type: ignore[operator]
