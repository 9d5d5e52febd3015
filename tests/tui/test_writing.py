"""Screens write through one helper (`screens/writing.py`): what a user sees of it.

A refused write warns, marks the field it names and leaves what was typed; an
accepted one says so and the screen shows the desk as it is now; a refusal that
is no slip of the user's (the task was done meanwhile) is an error, and an
answer the desk refuses is a warning with its line. The toasts are read through
a wrapper around the app's public `notify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from referral_desk.app import ReferralDeskApp, make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.screens.agent_form import AgentFormScreen
from referral_desk.screens.queue import QueueScreen
from referral_desk.screens.roster import RosterScreen
from referral_desk.screens.settings import SettingsScreen
from referral_desk.screens.thanks import ThanksScreen
from referral_desk.widgets.form_field import FormField
from tests.factories import intake
from tests.tui.helpers import settle


@dataclass(frozen=True)
class Toast:
    """One notification as the user reads it."""

    message: str
    title: str
    severity: str


def _toasts(app: ReferralDeskApp, monkeypatch: pytest.MonkeyPatch) -> list[Toast]:
    """Every notification the app shows from now on (each is still shown)."""
    shown: list[Toast] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        shown.append(
            Toast(message, options.get("title", ""), options.get("severity", "information"))
        )
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording)
    return shown


async def test_a_refused_setting_warns_naming_it_and_keeps_what_was_typed(
    db_path: Path, roster_desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown time zone: a warning names the setting, its field shows the engine's
    message and keeps the text, and the desk holds what it held."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = SettingsScreen()
        await app.push_screen(screen)
        await settle(pilot)
        toasts = _toasts(app, monkeypatch)
        screen.query_one("#timezone", Input).value = "Mars/Olympus_Mons"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert toasts == [
            Toast("Saved 0; refused timezone (see the field).", "Check the settings", "warning")
        ]
        assert "unknown IANA time zone" in " ".join(screen.fields["timezone"].errors)
        assert screen.query_one("#timezone", Input).value == "Mars/Olympus_Mons"
        assert screen.changed_keys() == ["timezone"]
        assert roster_desk.settings().timezone == "America/Chicago"


async def test_a_refused_agent_keeps_the_form_open_as_typed(
    db_path: Path, roster_desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad email: a warning, the message under Email only, every typed value kept,
    the modal still open; then a good email saves, closes and the roster shows it."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        roster = RosterScreen()
        await app.push_screen(roster)
        await settle(pilot)
        table = roster.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("P-ATX-01"))
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AgentFormScreen)
        toasts = _toasts(app, monkeypatch)
        form.query_one("#agent-name", Input).value = "Dana Whitfield-Ross"
        form.query_one("#agent-email", Input).value = "dana-at-example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert toasts == [Toast("Not saved: fix the marked fields.", "", "warning")]
        marked = [field.key for field in form.query(FormField).results(FormField) if field.errors]
        assert marked == ["email"]
        assert form.query_one("#agent-name", Input).value == "Dana Whitfield-Ross"
        assert form.query_one("#agent-email", Input).value == "dana-at-example"
        assert roster_desk.agent("P-ATX-01").name == "Dana Whitfield"

        form.query_one("#agent-email", Input).value = "dana@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is roster
        assert toasts[1:] == [
            Toast("Dana Whitfield-Ross (P-ATX-01) saved.", "Roster", "information")
        ]
        assert table.get_row("P-ATX-01")[1].plain == "Dana Whitfield-Ross"


async def test_an_accepted_write_says_so_and_the_screen_reads_again(
    db_path: Path, roster_desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """x deactivates the agent, x again brings it back: each time the toast says so and
    the row shows the desk as it is now."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        roster = RosterScreen()
        await app.push_screen(roster)
        await settle(pilot)
        toasts = _toasts(app, monkeypatch)
        table = roster.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("P-ATX-02"))
        name = roster_desk.agent("P-ATX-02").name
        await pilot.press("x")
        await settle(pilot)
        assert toasts == [Toast(f"{name} deactivated: no new offers.", "Roster", "information")]
        assert table.get_row("P-ATX-02")[3].plain == "inactive"
        assert roster_desk.agent("P-ATX-02").active is False
        await pilot.press("x")
        await settle(pilot)
        assert toasts[1:] == [Toast(f"{name} active again.", "Roster", "information")]
        assert table.get_row("P-ATX-02")[3].plain == "active"


async def test_a_refusal_that_is_no_slip_is_an_error_and_the_list_reads_again(
    db_path: Path, roster_desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thank-you marked done elsewhere first: d says so as an error, and it leaves the list."""
    roster_desk.intake(intake(), clock.now())
    task = roster_desk.tasks(open_only=True)[0]
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ThanksScreen()
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.selected_task() == task
        roster_desk.complete_task(task.id, clock.now())
        toasts = _toasts(app, monkeypatch)
        await pilot.press("d")
        await settle(pilot)
        assert toasts == [Toast(f"task: {task.id} is already done", "Not marked done", "error")]
        assert screen.selected_task() is None


async def test_an_answer_the_desk_refuses_is_a_warning_with_its_line(
    demo_db: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent accepted through another desk first: a on the stale row is refused with
    the desk's one line, as a warning, and the desk keeps the first answer."""
    app = make_app(demo_db, clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        target = next(r for r in app.desk.queue() if r.mode == "best_fit" and r.status == "offered")
        agent = next(o.agent_id for o in target.offers if o.status == "offered")
        other = Desk.open(demo_db, actor="other")
        other.respond(target.id, agent, "accept", clock.now())
        other.close()
        queue.table.move_cursor(row=queue.table.get_row_index(target.id))
        toasts = _toasts(app, monkeypatch)
        await pilot.press("a")
        await settle(pilot)
        line = f"offer: the offer to {agent} is already accepted; it takes no response"
        assert toasts == [Toast(line, "Refused", "warning")]
        after = app.desk.referral(target.id)
        assert (after.status, after.assigned_agent_id) == ("awarded", agent)
