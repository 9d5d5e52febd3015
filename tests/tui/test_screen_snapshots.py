"""Snapshots of intake, roster, sources, thanks, settings, report and all referrals.

Plain (sync) tests: `snap_compare` runs its own event loop. The app comes from
`make_app` over a copy of the seeded demo file with a `FixedClock` and the
background clock off; `run_before` pushes the screen, waits for its workers and
for its tables to measure their rows, and stops cursors blinking, so every run
draws the same picture. Update them (`--snapshot-update`) only after looking at
the report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, TextArea

from referral_desk.app import make_app
from referral_desk.engine.clock import FixedClock
from referral_desk.screens.intake import IntakeScreen
from referral_desk.screens.referrals import ReferralsScreen
from referral_desk.screens.report import ReportScreen
from referral_desk.screens.roster import RosterScreen
from referral_desk.screens.settings import SettingsScreen
from referral_desk.screens.sources import SourcesScreen
from referral_desk.screens.thanks import ThanksScreen
from tests.conftest import MONDAY_MORNING
from tests.tui.helpers import settle, wait_until

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]

INTAKE_TYPED = {
    "client_first_name": "Maria",
    "client_last_name": "Lopez",
    "side": "buyer",
    "metro": "Austin",
    "zip": "78704",
    "price_min": "400K",
    "price_max": "$700,000",
    "source.name": "Jenna Price",
}
"""A referral half typed in, previewed: the form and the decision with its bars."""


def _steady(screen: Screen[Any]) -> None:
    for widget in screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False


def _measured(table: DataTable[Any]) -> bool:
    """The table has measured the rows it holds: its scrollable height is theirs (and the
    header's); until then its columns may still be at their header widths."""
    header = table.header_height if table.show_header else 0
    rows = sum(row.height for row in table.rows.values())
    return table.virtual_size.height == header + rows


def _showing(
    make_screen: Callable[[], Screen[Any]],
    then: Callable[[Pilot[Any], Any], Awaitable[None]] | None,
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = make_screen()
        await pilot.app.push_screen(screen)
        await settle(pilot)
        if then is not None:
            await then(pilot, screen)
            await settle(pilot)
        _steady(screen)
        # Tables measure new rows when they are idle: prompt them, and wait until
        # they have, so the picture never catches columns at their header widths.
        tables = list(screen.query(DataTable))
        for table in tables:
            table.check_idle()

        def every_table_measured() -> bool:
            """every table on the screen has measured its rows"""
            return all(_measured(table) for table in tables)

        await wait_until(pilot, every_table_measured)
        await settle(pilot)

    return run_before


async def _preview(pilot: Pilot[Any], screen: IntakeScreen) -> None:
    for key, value in INTAKE_TYPED.items():
        screen.form.control(key).value = value
    await pilot.press("ctrl+r")


async def _second_source(pilot: Pilot[Any], screen: SourcesScreen) -> None:
    await pilot.press("down")


def _snap(
    snap_compare: Callable[..., bool],
    demo_db: str,
    size: tuple[int, int],
    run_before: Callable[[Pilot[Any]], Awaitable[None]],
) -> bool:
    app = make_app(demo_db, FixedClock(MONDAY_MORNING), clock_interval=None)
    return snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_intake_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """Intake with a referral typed in and previewed: prices read, party known, bars."""
    assert _snap(snap_compare, demo_db, size, _showing(IntakeScreen, _preview))


@pytest.mark.parametrize("size", SIZES)
def test_roster_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """The roster by id: load against capacity, away and inactive agents dimmed."""
    assert _snap(snap_compare, demo_db, size, _showing(RosterScreen, None))


@pytest.mark.parametrize("size", SIZES)
def test_sources_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """Top sources first, and the second one's referrals below."""
    assert _snap(snap_compare, demo_db, size, _showing(SourcesScreen, _second_source))


@pytest.mark.parametrize("size", SIZES)
def test_thanks_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """Overdue, due today and upcoming thank-yous, the first one's draft in full."""
    assert _snap(snap_compare, demo_db, size, _showing(ThanksScreen, None))


@pytest.mark.parametrize("size", SIZES)
def test_settings_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """Weights with their shares, routing, time and thank-you settings."""
    assert _snap(snap_compare, demo_db, size, _showing(SettingsScreen, None))


@pytest.mark.parametrize("size", SIZES)
def test_report_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """The current quarter's figures with their bars, as the team lead reads them."""
    assert _snap(snap_compare, demo_db, size, _showing(ReportScreen, None))


@pytest.mark.parametrize("size", SIZES)
def test_all_referrals_snapshot(
    snap_compare: Callable[..., bool], demo_db: str, size: tuple[int, int]
) -> None:
    """Every referral, newest first, with its status and who holds it."""
    assert _snap(snap_compare, demo_db, size, _showing(ReferralsScreen, None))
