"""The referral detail: what it shows, status moves from it, and the way back."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Select, Static

from referral_desk.app import ReferralDeskApp, make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.screens.queue import QueueScreen
from referral_desk.screens.referral_detail import ReferralScreen
from referral_desk.screens.status_change import StatusChange
from tests.factories import intake
from tests.tui.helpers import settle


async def _open(app: ReferralDeskApp, pilot: object, referral_id: str) -> ReferralScreen:
    from referral_desk.messages import ShowReferral

    app.post_message(ShowReferral(referral_id))
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ReferralScreen)
    return app.screen


async def test_enter_opens_the_detail_and_escape_goes_back(
    demo_db: str, clock: ManualClock
) -> None:
    """Enter on a queue row shows that referral's offers with their breakdowns; Escape returns."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        first = queue.current_referral()
        assert first is not None
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, ReferralScreen) and detail.referral_id == first.id
        title = str(detail.query_one("#title", Static).render())
        assert first.id in title and first.client_first_name in title
        assert len(detail.query("ScoreBreakdown")) == len(first.offers)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is queue


async def test_a_legal_status_move_is_made(demo_db: str, clock: ManualClock) -> None:
    """An awarded referral moves to 'working with client' from the detail's status modal."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        awarded = app.desk.referrals(statuses=["awarded"], limit=1)[0]
        detail = await _open(app, pilot, awarded.id)
        await pilot.press("m")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, StatusChange)
        assert modal.query_one("#status", Select).value == "working"
        await pilot.click("#move")
        await settle(pilot)
        assert app.screen is detail
        assert app.desk.referral(awarded.id).status == "working"
        assert "Working with client" in str(detail.query_one("#status", Static).render())


async def test_a_refused_move_shows_the_desks_message_under_the_field(
    demo_db: str, clock: ManualClock
) -> None:
    """A move routing makes, or one missing what it needs, is refused in place; nothing changes."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        offered = app.desk.referrals(statuses=["offered"], limit=1)[0]
        await _open(app, pilot, offered.id)
        await pilot.press("m")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, StatusChange)
        modal.query_one("#status", Select).value = "awarded"
        await pilot.pause()
        await pilot.click("#move")
        await settle(pilot)
        assert app.screen is modal
        shown = str(modal.query_one("#status-error", Static).render())
        assert shown.startswith("status: cannot move from offered to awarded")
        assert app.desk.referral(offered.id).status == "offered"

        working = app.desk.referrals(statuses=["working"], limit=1)[0]
        await pilot.press("escape")
        await settle(pilot)
        await _open(app, pilot, working.id)
        await pilot.press("m")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, StatusChange)
        modal.query_one("#status", Select).value = "in_escrow"
        await pilot.pause()
        await pilot.click("#move")
        await settle(pilot)
        shown = str(modal.query_one("#closing_date-error", Static).render())
        assert shown.startswith("closing_date: is required")
        assert app.desk.referral(working.id).status == "working"


async def test_accept_from_the_detail(demo_db: str, clock: ManualClock) -> None:
    """The answer keys work on the detail screen too, and it shows the result."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        candidates = [r for r in app.desk.queue() if r.mode == "best_fit" and r.status == "offered"]
        detail = await _open(app, pilot, candidates[0].id)
        await pilot.press("a")
        await settle(pilot)
        assert app.desk.referral(candidates[0].id).status == "awarded"
        assert "Awarded" in str(detail.query_one("#title", Static).render())


async def test_a_referral_that_cannot_be_read_says_so(
    demo_db: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen's read that the desk refuses (here: a referral that is not there) tells the
    user in a warning instead of leaving the screen silently empty."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown: list[tuple[str, str]] = []
        notify = app.notify

        def recording(message: str, **options: Any) -> None:
            shown.append((str(options.get("title", "")), str(message)))
            notify(message, **options)

        monkeypatch.setattr(app, "notify", recording)
        await _open(app, pilot, "R-999999")
        assert ("Refused", "referral: no referral 'R-999999'") in shown


async def test_an_offer_to_the_sources_previous_agent_says_why(
    demo_db: str, clock: ManualClock
) -> None:
    """The detail explains an offer made first for an existing relationship."""
    seed = Desk.open(demo_db)
    [first] = seed.intake(intake(received_at=None, source__name="Returning Rita"), clock.now())
    taker = first.open_offers[0].agent_id
    seed.respond(first.id, taker, "accept", clock.now())
    [second] = seed.intake(
        intake(received_at=None, source__name="Returning Rita", client_first_name="Bo"),
        clock.now(),
    )
    assert second.open_offers[0].agent_id == taker
    seed.close()
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = await _open(app, pilot, second.id)
        shown = [str(line.render()) for line in detail.query("#offers Static").results(Static)]
        assert f"First: served this source's referral {first.id}" in shown
        await pilot.press("escape")
        await settle(pilot)
        other = await _open(app, pilot, first.id)
        shown = [str(line.render()) for line in other.query("#offers Static").results(Static)]
        assert not any(text.startswith("First:") for text in shown)


async def test_a_dropped_referral_says_why_and_a_live_one_does_not(
    demo_db: str, clock: ManualClock
) -> None:
    """A referral for a market nobody covers went unassigned unoffered: its detail says
    nobody was eligible; a referral still offered says nothing of drops."""
    seed = Desk.open(demo_db)
    seed.set_setting("fallback_agent_id", "", clock.now())
    payload = intake(received_at=None, metro="Anchorage", zip="99501", client_first_name="Ula")
    [lost] = seed.intake(payload, clock.now())
    [live] = seed.intake(intake(received_at=None, client_first_name="Liv"), clock.now())
    seed.close()
    assert (lost.status, lost.drop_cause, live.drop_cause) == (
        "unassigned",
        "nobody_eligible",
        None,
    )
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = await _open(app, pilot, lost.id)
        status = str(detail.query_one("#status", Static).render())
        assert (
            "Dropped   nobody was eligible (no active, present agent covering its market" in status
        )
        await pilot.press("escape")
        await settle(pilot)
        other = await _open(app, pilot, live.id)
        assert "Dropped" not in str(other.query_one("#status", Static).render())
