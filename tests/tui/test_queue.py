"""The queue: live countdowns, the clock's reassignments, and answers recorded from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Static

from referral_desk.app import ReferralDeskApp, make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.views import ReferralView
from referral_desk.screens.modals import PickOne
from referral_desk.screens.queue import QueueScreen
from referral_desk.widgets.countdown import countdown_text
from tests.factories import intake
from tests.tui.helpers import record_toasts, settle


def _soonest(desk: Desk) -> ReferralView:
    """The waiting referral whose open offer lapses first (the demo's 'about to lapse')."""
    ticking = [r for r in desk.queue() if any(o.status == "offered" for o in r.offers)]
    return min(ticking, key=lambda r: min(o.expires_at for o in r.offers if o.status == "offered"))


def _queue(app: ReferralDeskApp) -> QueueScreen:
    assert isinstance(app.screen, QueueScreen)
    return app.screen


def _cell(app: ReferralDeskApp, row: str, column: str) -> str:
    return str(_queue(app).table.get_cell(row, column)).strip()


async def test_queue_lists_every_waiting_referral_with_a_countdown(
    demo_db: str, clock: ManualClock
) -> None:
    """Every referral the desk waits on has a row, oldest first, its window's time left shown."""
    desk = Desk.open(demo_db)
    waiting = desk.queue()
    soonest = _soonest(desk)
    desk.close()
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = _queue(app).table
        assert [row.key.value for row in table.ordered_rows] == [r.id for r in waiting]
        deadline = min(o.expires_at for o in soonest.offers if o.status == "offered")
        left = int((deadline - clock.now()).total_seconds())
        assert _cell(app, soonest.id, "left") == countdown_text(left)
        clock.advance(seconds=10)
        _queue(app).refresh_countdowns()
        assert _cell(app, soonest.id, "left") == countdown_text(left - 10)


async def test_lapse_moves_the_row_to_the_next_agent_and_says_so(
    demo_db: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the window, one clock beat re-offers the referral; the row and a toast show it."""
    desk = Desk.open(demo_db)
    soonest = _soonest(desk)
    first = next(o for o in soonest.offers if o.status == "offered")
    desk.close()
    app = make_app(demo_db, clock, clock_interval=None)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.set(first.expires_at + timedelta(seconds=1))
        await app.run_clock_once()
        await settle(pilot)
        after = app.desk.referral(soonest.id)
        following = [o for o in after.offers if o.status == "offered"]
        assert following and following[0].agent_id != first.agent_id
        assert _cell(app, soonest.id, "agent").startswith(app.agent_names[following[0].agent_id])
        assert _cell(app, soonest.id, "left") == "30:00"
        expected = f"{soonest.id}: {first.agent_id} lapsed → offered to {following[0].agent_id}"
        assert expected in toasts


async def test_accept_from_the_queue_takes_the_referral_off_it(
    demo_db: str, clock: ManualClock
) -> None:
    """`a` on a sequential offer records the accept: awarded, and gone from the queue."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        desk = app.desk
        target = _soonest(desk)
        agent = next(o.agent_id for o in target.offers if o.status == "offered")
        table = _queue(app).table
        table.move_cursor(row=table.get_row_index(target.id))
        await pilot.press("a")
        await settle(pilot)
        assert desk.referral(target.id).status == "awarded"
        assert desk.referral(target.id).assigned_agent_id == agent
        assert target.id not in {row.key.value for row in table.ordered_rows}


async def test_decline_asks_a_reason_and_records_it(demo_db: str, clock: ManualClock) -> None:
    """`d` asks why in a small modal; the reason is stored on the declined offer."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        target = _soonest(app.desk)
        agent = next(o.agent_id for o in target.offers if o.status == "offered")
        table = _queue(app).table
        table.move_cursor(row=table.get_row_index(target.id))
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen.focused, Input)
        await pilot.press(*"full this month", "enter")
        await settle(pilot)
        declined = next(o for o in app.desk.referral(target.id).offers if o.agent_id == agent)
        assert declined.status == "declined"
        assert declined.reason == "full this month"


async def test_header_counts_match_the_desk(demo_db: str, clock: ManualClock) -> None:
    """The header shows waiting, unassigned, thank-yous due and open flags as the desk has them."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        counts = app.desk.counts(clock.now())
        assert app.counts == counts
        shown = str(app.screen.query_one("#desk-counts", Static).render())
        assert f"{counts.waiting} waiting" in shown
        assert f"{counts.unassigned} unassigned" in shown
        assert f"{counts.thanks_due} thanks due" in shown
        assert f"{counts.open_flags} flags" in shown
        target = _soonest(app.desk)
        table = _queue(app).table
        table.move_cursor(row=table.get_row_index(target.id))
        await pilot.press("a")
        await settle(pilot)
        assert app.counts is not None and app.counts.waiting == counts.waiting - 1


async def test_changes_from_another_process_show_up(demo_db: str, clock: ManualClock) -> None:
    """A write by a second desk on the same file reaches the queue at the next clock beat."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = Desk.open(demo_db, actor="other")
        target = _soonest(other)
        agent = next(o.agent_id for o in target.offers if o.status == "offered")
        other.respond(target.id, agent, "accept", clock.now())
        other.close()
        await app.run_clock_once()
        await settle(pilot)
        assert target.id not in {row.key.value for row in _queue(app).table.ordered_rows}


async def test_empty_desk_says_nothing_is_waiting(db_path: object, clock: ManualClock) -> None:
    """A new desk shows a calm sentence instead of an empty grid."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#empty").display is True
        assert app.screen.query_one(DataTable).display is False


async def test_a_qualifying_referral_shows_its_isa_and_h_hands_it_off(
    demo_db: str, clock: ManualClock
) -> None:
    """With the inside sales agent: no countdown, the ISA named; `h` picks a mode and routes it."""
    seed = Desk.open(demo_db)
    seed.set_setting("isa_agent_id", "T-HQ-01", clock.now())
    [held] = seed.intake(intake(received_at=None, mode="isa"), clock.now())
    seed.close()
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _cell(app, held.id, "agent") == "ISA Priya Raman"
        assert _cell(app, held.id, "status") == "qualifying"
        assert _cell(app, held.id, "left") in ("", "—")
        table = _queue(app).table
        table.move_cursor(row=table.get_row_index(held.id))
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, PickOne)
        await pilot.press("down", "down", "down", "enter")  # broadcast
        await settle(pilot)
        handed = app.desk.referral(held.id)
        assert (handed.status, handed.mode) == ("offered", "broadcast")
        assert len(handed.open_offers) > 1
        assert _cell(app, held.id, "status") == "offered"
