"""Fixtures shared by every test layer.

The user's own desk never leaks into a test: platformdirs and
`REFERRAL_DESK_DB` point into `tmp_path`, and colour settings that change
snapshots are removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk

os.environ.pop("NO_COLOR", None)

REPO = Path(__file__).resolve().parent.parent
ROSTER_CSV = REPO / "data" / "roster.csv"
MONDAY_MORNING = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
"""Monday 23 November 2026, 08:00 in Chicago: the default 'now' of the tests."""


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeps platformdirs and the database variable inside the test's folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("REFERRAL_DESK_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh SQLite file path for one test."""
    return tmp_path / "desk.db"


@pytest.fixture
def desk(db_path: Path) -> Iterator[Desk]:
    """An empty desk on a fresh SQLite file."""
    opened = Desk.open(str(db_path), actor="test")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock starting Monday 2026-11-23 08:00 Chicago (14:00 UTC)."""
    return ManualClock(MONDAY_MORNING)


@pytest.fixture
def roster_desk(desk: Desk, clock: ManualClock) -> Desk:
    """A desk with the demo roster imported."""
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), clock.now())
    return desk
