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
from tests.pg import empty_postgres_url, postgres_server, postgres_url  # noqa: F401

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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Runs each test that uses `desk_url` (so `desk`, `roster_desk`) on every backend.

    A test that asks for `db_path` reads the SQLite file itself, and one marked
    `sqlite_only` checks something only SQLite has: those run on SQLite alone.
    """
    if "desk_url" not in metafunc.fixturenames:
        return
    sqlite_only = "db_path" in metafunc.fixturenames or metafunc.definition.get_closest_marker(
        "sqlite_only"
    )
    backends = [pytest.param("sqlite", id="sqlite")]
    if not sqlite_only:
        backends.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    metafunc.parametrize("desk_url", backends, indirect=True)


@pytest.fixture
def desk_url(request: pytest.FixtureRequest) -> str:
    """Where the test's desk lives: a fresh SQLite file, or a fresh PostgreSQL database."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return str(request.getfixturevalue("db_path"))


@pytest.fixture
def desk(desk_url: str) -> Iterator[Desk]:
    """An empty desk on a fresh database of the test's backend."""
    opened = Desk.open(desk_url, actor="test")
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
