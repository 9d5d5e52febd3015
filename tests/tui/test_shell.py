"""The app frame: opens on the queue, moves between places, helps, finds, and quits."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.command import CommandPalette
from textual.widgets import DataTable, Footer, OptionList

from referral_desk.app import make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.summary import DeskCounts
from referral_desk.navigation import PLACES
from referral_desk.screens.help import HelpScreen
from referral_desk.screens.queue import QueueScreen
from referral_desk.screens.referral_detail import ReferralScreen
from referral_desk.screens.referrals import ReferralsScreen
from referral_desk.widgets.desk_header import counts_content
from tests.factories import agent_row, intake
from tests.tui.helpers import settle, wait_until


async def test_the_desk_opens_on_the_queue_and_quits(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """A referral taken in headless is on the queue at once; ctrl+q leaves the desk."""
    stored = roster_desk.intake(intake(), clock.now())[0]
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.table
        assert table.row_count == 1
        assert str(table.get_cell(stored.id, "referral")) == stored.id
        assert str(table.get_cell(stored.id, "status")) == "offered"
        await pilot.press("ctrl+q")
    assert app.return_code in (0, None)


async def test_places_help_and_the_list_of_all_referrals(demo_db: str, clock: ManualClock) -> None:
    """`l` lists every referral, Enter opens one, `?` shows its keys, `q` returns to the queue."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, ReferralsScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralScreen)
        shown = app.screen.current_referral()
        assert shown is not None and shown.mode == "network" and shown.status == "offered"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys").render())
        # The keys that fit an offered network referral, and not those that do not.
        assert "Move status" in keys and "Interest" in keys and "Decline" in keys
        assert "Accept" not in keys and "Award" not in keys
        await pilot.press("escape")
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


def highlighted_command(app: App[object]) -> str:
    """The text of the palette's highlighted hit, which Enter runs ('' while there is none)."""
    for hits in app.screen.query("CommandList").results(OptionList):
        if hits.highlighted is not None:
            return str(hits.get_option_at_index(hits.highlighted).prompt)
    return ""


async def test_the_palette_finds_a_referral_by_client_name(
    demo_db: str, clock: ManualClock
) -> None:
    """ctrl+p, a client's name, Enter: the referral's detail opens."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        wanted = app.desk.queue()[-1]
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*f"{wanted.client_first_name} {wanted.client_last_name}")
        await settle(pilot)  # the palette's search for the whole name has run

        def the_referral_is_highlighted() -> bool:
            """the palette highlights the wanted referral"""
            return highlighted_command(app).startswith(f"{wanted.id} ")

        await wait_until(pilot, the_referral_is_highlighted)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralScreen)
        assert app.screen.referral_id == wanted.id


async def test_all_referrals_show_markup_like_names_as_typed(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """A source named `[/]` or `[link=x]` is text, not markup: the list shows it as typed."""
    roster_desk.intake(intake(source__name="[/] [link=x]Evil"), clock.now())
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ReferralsScreen()
        await app.push_screen(screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert str(table.get_row_at(0)[-1]) == "[/] [link=x]Evil"


async def test_every_place_shows_its_keys_and_help_within_80_columns(
    demo_db: str, clock: ManualClock
) -> None:
    """At 80×24 no footer runs off the edge: the last key shown is still `?` Help."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for place in PLACES:
            await app.action_go(place.mode)
            await settle(pilot)
            footer = app.screen.query_one(Footer)
            shown = [str(getattr(key, "description", "")) for key in footer.query("FooterKey")]
            assert "Help" in shown, (place.mode, shown)
            assert footer.max_scroll_x == 0, (place.mode, footer.virtual_size, footer.size)


async def test_a_place_out_of_sight_reads_the_desk_again_when_it_comes_back(
    demo_db: str, clock: ManualClock
) -> None:
    """The roster behind the queue waits for the user to return before it reads a change."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        roster = app.screen
        table = roster.query_one("#roster-table", DataTable)
        before = table.row_count
        await pilot.press("q")
        await settle(pilot)
        other = Desk.open(demo_db, actor="other")
        other.save_agent(agent_row(id="P-NEW-01", name="Nadia Newcomer"), clock.now())
        other.close()
        await app.run_clock_once()
        await settle(pilot)
        assert table.row_count == before  # out of sight: not read yet
        await pilot.press("o")
        await settle(pilot)
        assert app.screen is roster and table.row_count == before + 1


def test_the_header_groups_a_busy_desks_counts() -> None:
    """`12,480 waiting · 1,204 unassigned · …`: a team lead reads big counts at a glance."""
    counts = DeskCounts(waiting=12_480, unassigned=1_204, thanks_due=0, open_flags=3)
    assert counts_content(counts).plain == (
        "12,480 waiting · 1,204 unassigned · 0 thanks due · 3 flags"
    )
