"""The Coverage screen: thin markets first, in words, and updated when the desk changes."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from referral_desk.app import make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.screens.coverage import CoverageScreen
from tests.factories import intake
from tests.tui.helpers import settle

HOSTILE_METRO = "[b]Evil[/b] [@click=app.quit]x[/]"


async def test_g_opens_coverage_with_the_thin_markets_first_and_says_the_row(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """A metro nobody covers, whose referral dropped, tops the list as THIN; its name is
    shown as typed (never as markup); a new drop elsewhere shows without leaving."""
    roster_desk.intake(intake(received_at=None, metro=HOSTILE_METRO, zip=""), clock.now())
    expected = roster_desk.reports.coverage(clock.now())
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CoverageScreen)
        table = screen.query_one("#coverage", DataTable)
        assert table.row_count == len(expected)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[:3] == ["THIN", HOSTILE_METRO, "buyer"]
        assert first[3:] == ["0", "0", "1", "1"]
        line = str(screen.query_one("#coverage-line", Static).render())
        assert line.startswith(f"{HOSTILE_METRO} buyers: nobody eligible; 1 of 1 dropped")
        await pilot.press("down")
        await settle(pilot)
        line = str(screen.query_one("#coverage-line", Static).render())
        assert line.startswith(expected[1].reason)
        assert app.is_running
        # a drop somewhere else: the screen in front reads the desk again
        roster_desk.intake(intake(received_at=None, metro="Anchorage", zip=""), clock.now())
        await app.run_clock_once()
        await settle(pilot)
        metros = {str(table.get_row_at(index)[1]) for index in range(table.row_count)}
        assert "Anchorage" in metros
        assert table.row_count == len(expected) + 2
