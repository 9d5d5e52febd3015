"""Thanks, settings and sources: a thank-you marked done leaves the list, settings
save through the engine (a refused value stays under its field), and a referring
party's referrals load a page at a time and open on Enter (`ShowReferral`, which
the app answers with the referral's detail)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Static, Switch

from referral_desk.app import ReferralDeskApp, make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.screens import sources as sources_module
from referral_desk.screens.referral_detail import ReferralScreen
from referral_desk.screens.settings import SettingsScreen, weight_shares
from referral_desk.screens.sources import SourcesScreen
from referral_desk.screens.thanks import ThanksScreen, group_tasks
from tests.factories import intake
from tests.tui.helpers import settle


async def _push(app: ReferralDeskApp, screen: object) -> None:
    await app.push_screen(screen)  # type: ignore[arg-type]


async def test_a_thank_you_marked_done_leaves_the_list(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """d marks the highlighted task done in the desk; the list no longer offers it."""
    roster_desk.intake(intake(), clock.now())
    task = roster_desk.tasks(open_only=True)[0]
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ThanksScreen()
        await _push(app, screen)
        await settle(pilot)
        assert screen.selected_task() is not None
        assert screen.selected_task().id == task.id  # type: ignore[union-attr]
        draft = str(screen.query_one("#thanks-draft", Static).content)
        assert task.draft.splitlines()[0] in draft
        await pilot.press("d")
        await settle(pilot)
        assert roster_desk.tasks(open_only=True) == []
        assert screen.selected_task() is None
        assert screen.query_one(OptionList).option_count == 1  # "No thank-yous waiting."


def test_tasks_are_grouped_by_urgency(roster_desk: Desk, clock: ManualClock) -> None:
    """Past due → overdue; later today in the desk's zone → due today; else upcoming."""
    roster_desk.intake(intake(), clock.now())
    tasks = roster_desk.tasks(open_only=True)
    zone = roster_desk.settings().zone
    assert group_tasks(tasks, clock.now(), zone)["upcoming"] == tasks  # due in 24 h
    later = clock.now() + timedelta(hours=23, minutes=30)
    assert group_tasks(tasks, later, zone)["today"] == tasks
    assert group_tasks(tasks, clock.now() + timedelta(days=2), zone)["overdue"] == tasks


async def test_settings_are_saved_and_a_bad_value_is_refused_under_its_field(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """A new weight, agent name and card practice are saved; an unknown time zone is
    refused under its field and keeps its text, while the rest is saved."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = SettingsScreen()
        await _push(app, screen)
        await settle(pilot)
        screen.query_one("#weights-territory", Input).value = "60"
        await pilot.pause()
        assert (
            screen.fields["weights.territory"]
            .query_one(".field--aside")
            .content.startswith(  # type: ignore[attr-defined]
                " 50%"
            )
        )
        screen.query_one("#agent-name", Input).value = "Priya Raman"
        screen.query_one("#card-practice", Switch).value = True
        screen.query_one("#timezone", Input).value = "Mars/Olympus_Mons"
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = roster_desk.settings()
        assert (stored.weight_territory, stored.agent_name, stored.card_practice) == (
            60,
            "Priya Raman",
            True,
        )
        assert stored.timezone == "America/Chicago"
        assert "unknown IANA time zone" in " ".join(screen.fields["timezone"].errors)
        assert screen.query_one("#timezone", Input).value == "Mars/Olympus_Mons"
        assert screen.changed_keys() == ["timezone"]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert screen.query_one("#timezone", Input).value == "America/Chicago"
        assert screen.changed_keys() == []


async def test_all_weights_zero_is_refused(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """The score divides by the weights' sum: the last weight set to zero is refused."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = SettingsScreen()
        await _push(app, screen)
        await settle(pilot)
        for key in ("territory", "price", "capacity", "history", "property_type"):
            screen.query_one(f"#weights-{key}", Input).value = "0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        refused = [key for key, field in screen.fields.items() if field.has_errors]
        assert refused == ["weights.property_type"]
        assert roster_desk.settings().weight_property_type == 5


def test_weight_shares() -> None:
    """Shares of the total as typed; text that is not a number has no share."""
    shares = weight_shares({"a": "30", "b": "10", "c": "x"})
    assert shares == {"a": 0.75, "b": 0.25, "c": None}


async def test_sources_list_top_first_and_open_a_referral(
    db_path: Path, roster_desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parties with most referrals first; their referrals page in as the cursor reaches
    the end; Enter on one asks the app to open it."""
    monkeypatch.setattr(sources_module, "REFERRAL_PAGE", 2)
    monkeypatch.setattr(sources_module, "SOURCE_PAGE", 2)
    for hour in range(3):
        roster_desk.intake(intake(client_first_name=f"Client{hour}"), clock.now())
    for name in ("Bo Kim", "Ann Lee"):
        roster_desk.intake(
            intake(source__name=name, source__type="client", source__email=""), clock.now()
        )
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = SourcesScreen()
        await _push(app, screen)
        await settle(pilot)
        sources = screen.query_one("#sources", DataTable)
        assert [s.name for s in screen.sources] == ["John Smith", "Ann Lee"]  # one page
        referrals = screen.query_one("#source-referrals", DataTable)
        assert referrals.row_count == 2  # one page of John Smith's three
        referrals.focus()
        await pilot.press("down")  # the cursor at the end loads the next page
        await settle(pilot)
        assert referrals.row_count == 3
        sources.focus()
        await pilot.press("down")
        await settle(pilot)
        assert [s.name for s in screen.sources] == ["John Smith", "Ann Lee", "Bo Kim"]
        assert "Ann Lee" in str(screen.query_one("#source-title", Static).content)
        assert referrals.row_count == 1
        referrals.focus()
        await pilot.press("enter")
        await settle(pilot)
        expected = roster_desk.referrals_from_source(screen.sources[1].id)[0].id
        assert isinstance(app.screen, ReferralScreen)
        assert app.screen.referral_id == expected


async def test_routing_is_switched_off_and_on_from_the_settings_screen(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """Off: an intake waits as new. On again (saved): it is routed at once."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = SettingsScreen()
        await _push(app, screen)
        await settle(pilot)
        screen.query_one("#routing-enabled", Switch).value = False
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert roster_desk.settings().routing_enabled is False
        [held] = roster_desk.intake(intake(received_at=None), clock.now())
        assert (held.status, held.offers) == ("new", ())
        screen.query_one("#routing-enabled", Switch).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert roster_desk.referral(held.id).status == "offered"
