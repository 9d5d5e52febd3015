"""Tune settings from the Coverage screen: the search runs, lists the best against
today's, and applies the chosen one only after asking."""

from __future__ import annotations

from textual.widgets import DataTable

from referral_desk.app import make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.screens.confirm import ConfirmScreen
from referral_desk.screens.coverage import CoverageScreen
from referral_desk.screens.tune import TuneScreen
from tests.tui.helpers import settle


async def test_u_tunes_lists_the_best_and_applies_one_after_asking(
    demo_db: str, clock: ManualClock
) -> None:
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, CoverageScreen)
        await pilot.press("u")
        await settle(pilot, rounds=5)
        tune = app.screen
        assert isinstance(tune, TuneScreen)
        for _ in range(600):
            if tune.result is not None:
                break
            await pilot.pause(0.1)
        errors = [(w.name, w.state, w.error) for w in app.workers]
        assert tune.result is not None, errors
        table = tune.query_one("#tune-table", DataTable)
        assert table.row_count == 1 + len(tune.result.best)
        assert str(table.get_row_at(0)[0]) == "today"
        chosen = tune.result.best[0].changes
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # not now: nothing written, the list stays
        await settle(pilot)
        assert app.screen is tune
        before = app.desk.settings().as_contract()
        assert any(str(before[key]).lower() != value for key, value in chosen.items())
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CoverageScreen)
    desk = Desk.open(demo_db)
    after = desk.settings().as_contract()
    desk.close()
    for key, value in chosen.items():
        assert str(after[key]).lower() == value or float(after[key]) == float(value), key
