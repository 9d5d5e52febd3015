"""The first app shell: the desk opens, lists referrals, and quits from the keyboard."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from referral_desk.app import make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from tests.factories import intake


async def test_shell_lists_the_referrals_of_the_desk(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """A referral taken in headless shows up in the app's table, with its id and status."""
    stored = roster_desk.intake(intake(), clock.now())[0]
    app = make_app(str(db_path), clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = table.get_row(stored.id)
        assert row[0] == stored.id
        assert row[2] == "offered"
        await pilot.press("ctrl+q")
    assert app.return_code in (0, None)


async def test_shell_on_an_empty_desk_says_so(db_path: Path, clock: ManualClock) -> None:
    """A new desk shows a calm 'no referrals yet' instead of an empty grid."""
    app = make_app(str(db_path), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#empty").display is True
        assert app.screen.query_one(DataTable).display is False
