"""The roster screen: a refused import names every bad row and imports nothing, an
edit saves through the desk (or shows the engine's message under the field), and
the table filters and sorts."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Static

from referral_desk.app import ReferralDeskApp, make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.screens.agent_form import AgentFormScreen
from referral_desk.screens.roster import RosterScreen
from referral_desk.screens.roster_import import RosterImportScreen
from referral_desk.screens.vacation import VacationScreen
from referral_desk.widgets.form_field import FormField
from tests.factories import agent_row, roster_csv
from tests.tui.helpers import settle


async def _open(app: ReferralDeskApp) -> RosterScreen:
    screen = RosterScreen()
    await app.push_screen(screen)
    return screen


def _table(screen: RosterScreen) -> DataTable[object]:
    return screen.query_one("#roster-table", DataTable)


def _highlight(screen: RosterScreen, agent_id: str) -> None:
    table = _table(screen)
    table.move_cursor(row=table.get_row_index(agent_id))


def _field(screen: AgentFormScreen, key: str) -> FormField:
    return next(field for field in screen.query(FormField).results(FormField) if field.key == key)


async def test_import_of_a_bad_file_shows_every_row_error_and_imports_nothing(
    db_path: Path, roster_desk: Desk, clock: ManualClock, tmp_path: Path
) -> None:
    """Two bad rows among good ones: the modal lists both, and the roster is unchanged."""
    before = roster_desk.agents()
    bad = tmp_path / "bad-roster.csv"
    bad.write_text(
        roster_csv(
            [
                agent_row(id="P-NEW-01"),
                agent_row(id="P-NEW-02", email="not-an-email"),
                agent_row(id="P-NEW-03", price_min="900000", price_max="100000"),
            ]
        ),
        encoding="utf-8",
    )
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, RosterImportScreen)
        modal.query_one("#import-path", Input).value = str(bad)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        problems = str(modal.query_one("#import-problems-text", Static).content)
        assert "nothing was imported" in problems
        assert "row 3: email:" in problems
        assert "row 4: price_min: must not exceed price_max" in problems
        assert roster_desk.agents() == before
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_import_of_a_good_file_adds_the_agents(
    db_path: Path, roster_desk: Desk, clock: ManualClock, tmp_path: Path
) -> None:
    """A valid file is imported whole and the table shows the new agents."""
    good = tmp_path / "more.csv"
    good.write_text(roster_csv([agent_row(id="P-NEW-01", name="Nova Quinn")]), encoding="utf-8")
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        app.screen.query_one("#import-path", Input).value = str(good)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert roster_desk.agent("P-NEW-01").name == "Nova Quinn"
        assert _table(screen).get_row("P-NEW-01")[1].plain == "Nova Quinn"


async def test_a_missing_file_is_named_under_the_path(
    db_path: Path, roster_desk: Desk, clock: ManualClock, tmp_path: Path
) -> None:
    """A path that cannot be read says so under the path field."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app)
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        modal = app.screen
        modal.query_one("#import-path", Input).value = str(tmp_path / "nope.csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "cannot read it" in " ".join(modal.query_one(FormField).errors)


async def test_editing_an_agent_saves_it(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """e opens the agent's form; a changed name and capacity are saved and shown."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _highlight(screen, "P-ATX-01")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AgentFormScreen)
        form.query_one("#agent-name", Input).value = "Dana Whitfield-Ross"
        form.query_one("#agent-capacity", Input).value = "6"
        form.query_one("#agent-price-max", Input).value = "1.1M"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        saved = roster_desk.agent("P-ATX-01")
        assert (saved.name, saved.capacity, saved.price_max) == (
            "Dana Whitfield-Ross",
            6,
            1_100_000,
        )
        assert _table(screen).get_row("P-ATX-01")[1].plain == "Dana Whitfield-Ross"


async def test_a_refused_edit_shows_the_message_under_the_field(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """A bad email keeps the form open with the engine's message under Email."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _highlight(screen, "P-ATX-01")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AgentFormScreen)
        form.query_one("#agent-email", Input).value = "dana-at-example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "not a valid email address" in " ".join(_field(form, "email").errors)
        assert form.query_one("#agent-email", Input).value == "dana-at-example"
        assert roster_desk.agent("P-ATX-01").email == "dana.whitfield@example.com"


async def test_adding_an_agent_with_a_taken_id_is_refused(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """Add never overwrites someone already on the roster."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AgentFormScreen)
        for control_id, value in (
            ("#agent-id", "P-ATX-01"),
            ("#agent-name", "Someone Else"),
            ("#agent-metros", "Austin"),
            ("#agent-price-max", "500K"),
        ):
            form.query_one(control_id, Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already on the roster" in " ".join(_field(form, "id").errors)
        assert roster_desk.agent("P-ATX-01").name == "Dana Whitfield"


async def test_vacation_and_deactivation(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """v stores time away (dates in order), x deactivates; the status column follows."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _highlight(screen, "P-ATX-01")
        await pilot.press("v")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, VacationScreen)
        modal.query_one("#away-from", Input).value = "2026-11-30"
        modal.query_one("#away-until", Input).value = "2026-11-20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert "must not be after away_until" in " ".join(
            next(
                f for f in modal.query(FormField).results(FormField) if f.key == "away_from"
            ).errors
        )
        modal.query_one("#away-from", Input).value = "2026-11-20"
        modal.query_one("#away-until", Input).value = "2026-11-30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        agent = roster_desk.agent("P-ATX-01")
        assert (str(agent.away_from), str(agent.away_until)) == ("2026-11-20", "2026-11-30")
        assert _table(screen).get_row("P-ATX-01")[3].plain == "away until Nov 30 2026"
        _highlight(screen, "P-ATX-02")
        await pilot.press("x")
        await settle(pilot)
        assert roster_desk.agent("P-ATX-02").active is False
        assert _table(screen).get_row("P-ATX-02")[3].plain == "inactive"


async def test_the_roster_filters_and_sorts(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """Filtering by words (metro, status) narrows the rows; a header click sorts by it."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        table = _table(screen)
        total = table.row_count
        await pilot.press("slash", *"denver")
        await pilot.pause()
        assert 0 < table.row_count < total
        assert all("Denver" in agent.metros for agent in screen.visible_agents())
        await pilot.press("ctrl+u", *"inactive")
        await pilot.pause()
        assert [agent.id for agent in screen.visible_agents()] == ["P-ATX-06"]
        await pilot.press("ctrl+u", "escape")
        await pilot.pause()
        assert table.row_count == total
        screen.sort_by("load", reverse=True)
        loads = [agent.load / agent.capacity for agent in screen.visible_agents()]
        assert loads == sorted(loads, reverse=True)
        await pilot.click("#roster-table", offset=(2, 0))  # the Id header
        await pilot.pause()
        assert screen.sort_key == "id"
