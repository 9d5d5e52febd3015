"""Text people typed is shown as text on every screen (issue 16, class 3).

A desk whose agents, parties, clients, metros, reasons, notes and flags hold
markup (`[bold red]x[/]`, `[@click=app.quit]Zed[/]`, `[link=…]`, a lone `[/]`,
`[b`, backslashes) is opened on every place, modal and the palette: nothing
crashes, the app keeps running, each text shows exactly as typed, and a hit for
such a name opens its card or referral instead of quitting the desk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App
from textual.command import CommandPalette
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import MarkupError
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from referral_desk.app import ReferralDeskApp, make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.messages import ShowReferral
from referral_desk.navigation import PLACES
from referral_desk.screens.agent_form import AgentFormScreen
from referral_desk.screens.help import HelpScreen
from referral_desk.screens.modals import AgentCard, PickOne, ReasonPrompt
from referral_desk.screens.queue import QueueScreen
from referral_desk.screens.referral_detail import ReferralScreen
from referral_desk.screens.roster import RosterScreen
from referral_desk.screens.status_change import StatusChange
from referral_desk.screens.vacation import VacationScreen
from tests.factories import agent_row, intake
from tests.tui.helpers import settle, wait_until

ZED = "[@click=app.quit]Zed[/]"
EVIL = "[bold red]Evil[/] [link=file:///etc/passwd]x[/]"
SLASHED = "Back\\[b]slash \\[/] end\\"
METRO = "[link=file:///etc/passwd]y[/] Austin"
BROKERAGE = "[bold red]x[/] Realty [b"
SOURCE = "[@click=app.quit]Src[/] [/]"
LAST_NAME = "[/] \\[b"
TIMELINE = "[link=file:///etc/passwd]soon[/]"
NOTES = "[b unbalanced [/] and \\[b] [$error]red[/]"
DECLINED = "[bold red]full[/] [/]"
FLAGGED = "[$error]asks[/] \\[b]"
LOST = "[@click=app.quit]gone[/]"
IDS = {ZED: "P-ZED-01", EVIL: "P-EVIL-02", SLASHED: "P-BACK-03"}


def shown(node: DOMNode) -> str:
    """The text of every Static, table cell and option in `node`, as Textual shows it
    (a `str` cell or option is read as markup there, so it is read as markup here)."""

    def plain(visual: object) -> str:
        if isinstance(visual, Text | Content):
            return visual.plain
        return Content.from_markup(visual).plain if isinstance(visual, str) else str(visual)

    parts: list[str] = []
    for widget in [node, *node.query("*")]:
        if isinstance(widget, Static):
            parts.append(plain(widget.render()))
        elif isinstance(widget, DataTable):
            for index in range(widget.row_count):
                parts.extend(plain(cell) for cell in widget.get_row_at(index))
        elif isinstance(widget, OptionList):
            for index in range(widget.option_count):
                parts.append(plain(widget.get_option_at_index(index).prompt))
    return "\n".join(parts)


def record_toasts(app: ReferralDeskApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What every toast from now on says, read as its Toast reads it (markup unless
    `markup=False`); the toast is still shown as usual."""
    toasts: list[str] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        toasts.append(
            Content.from_markup(message).plain if options.get("markup", True) else message
        )
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording)
    return toasts


@pytest.fixture
def hostile_db(db_path: Path, clock: ManualClock) -> dict[str, str]:
    """A desk of three agents with markup in their names, and referrals full of it.

    Returns the database path (`db`) and the referrals' ids: `routed` (declined
    once, flagged), `broadcast` (offered to all three) and `lost`.
    """
    now = clock.now()
    desk = Desk.open(str(db_path), actor="test")
    try:
        for number, (name, agent_id) in enumerate(IDS.items()):
            desk.save_agent(
                agent_row(
                    id=agent_id,
                    name=name,
                    brokerage=BROKERAGE,
                    metros=METRO,
                    email=f"agent{number}@example.com",
                ),
                now,
            )
        common = {"metro": METRO, "source__name": SOURCE, "source__brokerage": "[/]"}
        routed = desk.intake(
            intake(
                client_first_name=ZED,
                client_last_name=LAST_NAME,
                timeline=TIMELINE,
                notes=NOTES,
                **common,
            ),
            now,
        )[0]
        desk.respond(routed.id, routed.open_offers[0].agent_id, "decline", now, DECLINED)
        desk.raise_flag("status_inquiry", routed.id, now, detail=FLAGGED)
        broadcast = desk.intake(intake(client_first_name="Ann", mode="broadcast", **common), now)
        lost = desk.intake(intake(client_first_name="Lou", **common), now)[0]
        desk.respond(lost.id, lost.open_offers[0].agent_id, "accept", now)
        desk.change_status(lost.id, "lost", now, reason=LOST)
        desk.set_setting("fallback_agent_id", IDS[EVIL], now)
        stored = desk.referral(routed.id)
        assert (stored.client_first_name, stored.notes, stored.metro) == (ZED, NOTES, METRO)
        assert desk.agent(IDS[SLASHED]).name == SLASHED
    finally:
        desk.close()
    return {
        "db": str(db_path),
        "routed": routed.id,
        "broadcast": broadcast[0].id,
        "lost": lost.id,
    }


async def _open_referral(pilot: Pilot[None], referral_id: str) -> ReferralScreen:
    pilot.app.post_message(ShowReferral(referral_id))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReferralScreen) and screen.referral_id == referral_id
    return screen


async def test_every_place_and_the_detail_show_typed_markup_as_text(
    hostile_db: dict[str, str], clock: ManualClock
) -> None:
    """Queue, intake, roster, sources, thanks, report, coverage, all referrals, settings, a
    referral's detail, its status modal and help: each shows the hostile texts verbatim."""
    expected = {
        "queue": [ZED, METRO],
        "intake": [ZED, EVIL, SLASHED],  # the private mode's agent picker
        "roster": [ZED, EVIL, SLASHED, METRO],
        "sources": [SOURCE, f"{ZED} {LAST_NAME}", METRO],
        "thanks": [SOURCE],
        "report": [SOURCE],
        "referrals": [SOURCE, METRO],
        "settings": [f"{EVIL} ({IDS[EVIL]})"],  # the fallback agent
        "coverage": [METRO],
    }
    assert set(expected) == {place.mode for place in PLACES}
    app = make_app(hostile_db["db"], clock, clock_interval=None)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        for place in PLACES:
            await app.action_go(place.mode)
            await settle(pilot)
            text = shown(app.screen)
            for wanted in expected[place.mode]:
                assert wanted in text, (place.mode, wanted)
        await app.action_go("queue")
        await settle(pilot)
        detail = await _open_referral(pilot, hostile_db["routed"])
        text = shown(detail)
        for wanted in (ZED, LAST_NAME, METRO, TIMELINE, NOTES, SOURCE, DECLINED, FLAGGED):
            assert wanted in text, wanted
        offered = {offer.agent_id for offer in app.desk.referral(hostile_db["routed"]).offers}
        names = {agent_id: name for name, agent_id in IDS.items()}
        for agent_id in offered:
            assert f"{names[agent_id]} ({agent_id})" in text, agent_id
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, StatusChange)
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert LOST in shown(await _open_referral(pilot, hostile_db["lost"]))
        assert app.is_running


async def test_roster_modals_and_on_off_show_the_name_as_typed(
    hostile_db: dict[str, str], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent form and the Away modal title the agent by name; time away and on/off
    (written before the toast) say so in a toast: every one shows `EVIL` verbatim."""
    app = make_app(hostile_db["db"], clock, clock_interval=None)
    async with app.run_test(size=(160, 50)) as pilot:
        toasts = record_toasts(app, monkeypatch)
        await app.action_go("roster")
        await settle(pilot)
        roster = app.screen
        assert isinstance(roster, RosterScreen)
        table = roster.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(IDS[EVIL]))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, AgentFormScreen)
        assert f"Edit {EVIL} ({IDS[EVIL]})" in shown(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        vacation = app.screen
        assert isinstance(vacation, VacationScreen)
        assert f"Time away — {EVIL} ({IDS[EVIL]})" in shown(vacation)
        vacation.query_one("#away-from", Input).value = "2026-12-20"
        vacation.query_one("#away-until", Input).value = "2027-01-03"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is roster
        assert toasts[-1] == f"{EVIL}: away Dec 20–Jan 3 2027."
        await pilot.press("x")
        await settle(pilot)
        assert toasts[-1] == f"{EVIL} deactivated: no new offers."
        assert not app.desk.agent(IDS[EVIL]).active
        await pilot.press("x")
        await settle(pilot)
        assert toasts[-1] == f"{EVIL} active again."
        assert app.is_running and app.screen is roster


async def test_answer_prompts_name_the_agents_as_typed(
    hostile_db: dict[str, str], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Declining a broadcast offer asks whose (every name verbatim), then why (the name in
    the prompt's title), and the toast names the agent as typed."""
    app = make_app(hostile_db["db"], clock, clock_interval=None)
    async with app.run_test(size=(160, 50)) as pilot:
        toasts = record_toasts(app, monkeypatch)
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        queue.table.move_cursor(row=queue.table.get_row_index(hostile_db["broadcast"]))
        await pilot.press("d")
        await settle(pilot)
        pick = app.screen
        assert isinstance(pick, PickOne)
        options = pick.query_one(OptionList)
        labels = shown(options).splitlines()
        assert sorted(label.split(" · ")[0] for label in labels) == sorted(
            f"{name} ({agent_id})" for name, agent_id in IDS.items()
        )
        options.highlighted = next(
            index for index, label in enumerate(labels) if label.startswith(EVIL)
        )
        await pilot.press("enter")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ReasonPrompt)
        assert f"why does {EVIL} decline?" in shown(prompt)
        prompt.query_one(Input).value = DECLINED
        await pilot.press("enter")
        await settle(pilot)
        assert toasts[-1] == f"{hostile_db['broadcast']}: {EVIL} ({IDS[EVIL]}) declined"
        offers = app.desk.referral(hostile_db["broadcast"]).offers
        assert [offer.reason for offer in offers if offer.agent_id == IDS[EVIL]] == [DECLINED]
        assert app.is_running


def _hits(app: App[Any]) -> OptionList:
    return app.screen.query_one("CommandList", OptionList)


async def _search(pilot: Pilot[None], query: str, wanted: str) -> OptionList:
    """Opens the palette, types `query`, waits for a hit showing `wanted` and highlights it."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    await settle(pilot)

    def hit_shown() -> bool:
        """the palette shows the wanted hit verbatim"""
        return wanted in shown(_hits(pilot.app))

    await wait_until(pilot, hit_shown)
    hits = _hits(pilot.app)
    hits.highlighted = next(
        index
        for index in range(hits.option_count)
        if wanted in str(hits.get_option_at_index(index).prompt)
    )
    return hits


async def test_the_palette_finds_markup_names_and_opens_them_instead_of_quitting(
    hostile_db: dict[str, str], clock: ManualClock
) -> None:
    """`Zed` finds the agent and the referral named `[@click=app.quit]Zed[/]`, shown verbatim
    with their help lines; Enter opens the card or the referral, and the desk runs on.
    A name holding `[link=…]` is found too (it used to vanish from the results)."""
    app = make_app(hostile_db["db"], clock, clock_interval=None)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        hits = await _search(pilot, "Zed", f"{ZED} ({IDS[ZED]})")
        assert f"{BROKERAGE} · {METRO} · load" in shown(hits)
        assert f"{hostile_db['routed']} {ZED} {LAST_NAME}" in shown(hits)
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        card = app.screen
        assert isinstance(card, AgentCard) and card.agent.id == IDS[ZED]
        assert f"{ZED} ({IDS[ZED]})" in shown(card)
        await pilot.press("escape")
        await settle(pilot)
        await _search(pilot, "Zed", f"{hostile_db['routed']} {ZED} {LAST_NAME}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralScreen)
        assert app.screen.referral_id == hostile_db["routed"]
        await _search(pilot, "Evil", f"{EVIL} ({IDS[EVIL]})")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AgentCard) and app.screen.agent.id == IDS[EVIL]
        assert app.is_running


async def test_intake_stores_markup_as_typed_and_shows_it_as_text(
    hostile_db: dict[str, str], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Markup characters are ordinary text at intake: stored as typed, the preview and
    the stored panel name the agents verbatim, and so does the toast."""
    app = make_app(hostile_db["db"], clock, clock_interval=None)
    async with app.run_test(size=(160, 50)) as pilot:
        toasts = record_toasts(app, monkeypatch)
        await app.action_go("intake")
        await settle(pilot)
        form: Any = app.screen.query_one("IntakeForm")
        typed = {
            "client_first_name": LOST,
            "client_last_name": LAST_NAME,
            "metro": METRO,
            "timeline": TIMELINE,
            "price_min": "400K",
            "price_max": "700K",
            "source.name": "[b New party",
            "source.email": "party@example.com",
        }
        for key, value in typed.items():
            form.control(key).value = value
        form.control("side").value = "buyer"
        form.control("source.type").value = "agent"
        form.control("notes").load_text(NOTES)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert f"{ZED} ({IDS[ZED]})" in shown(app.screen.query_one("RoutingOutcome"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        (stored,) = [r for r in app.desk.referrals() if r.client_first_name == LOST]
        assert (stored.client_last_name, stored.metro, stored.timeline, stored.notes) == (
            LAST_NAME,
            METRO,
            TIMELINE,
            NOTES,
        )
        assert stored.source.name == "[b New party"
        offered = stored.open_offers[0].agent_id
        name = app.desk.agent(offered).name
        assert f"{name} ({offered})" in shown(app.screen.query_one("RoutingOutcome"))
        assert toasts[-1] == f"{stored.id} ({LOST} {LAST_NAME}) offered to {name} ({offered})"
        assert app.is_running


def test_the_hostile_texts_are_markup_textual_would_act_on_or_refuse() -> None:
    """So the tests above test something: read as markup, each text crashes the reader
    or turns into something else (`ZED` into a `Zed` that quits on a click)."""
    hostile = (ZED, EVIL, SLASHED, METRO, BROKERAGE, SOURCE, LAST_NAME, TIMELINE, NOTES)
    for text in (*hostile, DECLINED, FLAGGED, LOST):
        try:
            assert Content.from_markup(text).plain != text, text
        except MarkupError:
            continue
    assert Content.from_markup(ZED).plain == "Zed"
