"""Fixtures of the TUI tests: the demo desk at the tests' Monday morning.

Seeding the demo replays 45 referrals' stories through the desk service, which
takes seconds; it is done once per session and each test gets its own copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import MONDAY_MORNING
from tests.tui.helpers import seed_demo_file


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo desk seeded once, as of Monday 2026-11-23 14:00 UTC (never opened by a test)."""
    folder = tmp_path_factory.mktemp("demo-template")
    return Path(seed_demo_file(folder / "demo.db", MONDAY_MORNING))


@pytest.fixture
def demo_db(tmp_path: Path, demo_template: Path) -> str:
    """A private copy of the seeded demo desk for one test."""
    target = tmp_path / "demo.db"
    shutil.copyfile(demo_template, target)
    for suffix in ("-wal", "-shm"):
        extra = demo_template.with_name(demo_template.name + suffix)
        if extra.exists():
            shutil.copyfile(extra, target.with_name(target.name + suffix))
    return str(target)
