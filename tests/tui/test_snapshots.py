"""Snapshots of the queue and the referral detail, on the demo desk at a fixed moment.

Plain (sync) tests: `snap_compare` runs its own event loop. The app comes from
`make_app` over a copy of the seeded demo file with a `FixedClock` and the
background clock off, so every countdown and time reads the same on every run.
Update them (`--snapshot-update`) only after looking at the report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from referral_desk.app import make_app
from referral_desk.engine.clock import FixedClock
from referral_desk.messages import ShowReferral
from tests.conftest import MONDAY_MORNING
from tests.tui.helpers import settle

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]
DETAIL_REFERRAL = "R-000036"
"""A network referral awarded and pending its fee: offers, interest, a lapse, a task."""


async def _queue_ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def _detail_ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    pilot.app.post_message(ShowReferral(DETAIL_REFERRAL))
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_queue_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """The queue at Monday 08:00 Chicago: waiting referrals, countdowns, header counts."""
    app = make_app(demo_db, FixedClock(MONDAY_MORNING), clock_interval=None)
    assert snap_compare(app, terminal_size=size, run_before=_queue_ready)


@pytest.mark.parametrize("size", SIZES)
def test_detail_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """The detail of a network referral: status and next moves, offers with their bars, history."""
    app = make_app(demo_db, FixedClock(MONDAY_MORNING), clock_interval=None)
    assert snap_compare(app, terminal_size=size, run_before=_detail_ready)
