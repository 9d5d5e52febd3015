"""The intake screen: a referral typed in is stored and routed, a refused one keeps
everything typed with the message under its field, and a half-filled form is not
dropped without asking."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Static

from referral_desk.app import ReferralDeskApp, make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.screens.confirm import ConfirmScreen
from referral_desk.screens.intake import IntakeScreen
from referral_desk.widgets.form_field import problems_by_field
from referral_desk.widgets.intake_form import IntakeForm, parse_local_moment
from referral_desk.widgets.price_input import PriceError, parse_price
from referral_desk.widgets.routing_outcome import SHOWN_WITH_BARS, RoutingOutcome
from tests.factories import intake
from tests.tui.helpers import settle


def _outcome_text(screen: IntakeScreen) -> str:
    outcome = screen.query_one(RoutingOutcome)
    return "\n".join(str(static.content) for static in outcome.query(Static))


def _fill(form: IntakeForm, **values: str) -> None:
    """Types values into the form's fields by engine key (`source.name`)."""
    for key, value in values.items():
        form.control(key).value = value


async def _open(app: ReferralDeskApp) -> IntakeScreen:
    screen = IntakeScreen()
    await app.push_screen(screen)
    return screen


MARIA = {
    "client_first_name": "Maria",
    "client_last_name": "Lopez",
    "client_email": "maria.lopez@example.com",
    "side": "buyer",
    "metro": "Austin",
    "zip": "78704",
    "price_min": "400K",
    "price_max": "$700,000",
    "source.name": "John Smith",
    "source.type": "agent",
    "source.email": "john@denverhomes.example",
}


async def test_intake_stores_the_referral_and_shows_where_it_went(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """Submit stores the referral (prices typed as 400K and $700,000 become whole dollars),
    the panel names the offered agent with the breakdown, and the form is ready again."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _fill(screen.form, **MARIA)
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = roster_desk.referrals()
        assert len(stored) == 1
        referral = stored[0]
        assert (referral.client_first_name, referral.price_min, referral.price_max) == (
            "Maria",
            400_000,
            700_000,
        )
        offered = referral.open_offers[0].agent_id
        name = roster_desk.agent(offered).name
        text = _outcome_text(screen)
        assert referral.id in text
        assert name in text
        assert "territory" in str(screen.query_one("ScoreBreakdown", Static).content)
        assert screen.form.control("client_first_name").value == ""
        assert not screen.form.is_dirty
        assert app.focused is screen.form.control("client_first_name")


async def test_refused_intake_shows_the_message_under_the_field_and_keeps_the_input(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """A bad email and an unreadable price are refused under their fields; nothing is
    stored and nothing typed is lost."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _fill(screen.form, **{**MARIA, "client_email": "maria-at-example", "price_min": "lots"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert roster_desk.referrals() == []
        fields = screen.form.fields
        assert "not a valid email address" in " ".join(fields["client_email"].errors)
        assert fields["price_min"].errors == ["not a price: type 400000, 400K or $400,000"]
        assert not fields["metro"].has_errors
        assert screen.form.control("client_email").value == "maria-at-example"
        assert screen.form.control("client_first_name").value == "Maria"
        assert screen.form.control("source.name").value == "John Smith"
        assert app.focused is screen.form.control("client_email")


async def test_nested_source_problems_land_under_the_source_fields(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """`source.email: …` from the engine goes under the referring party's email field."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _fill(screen.form, **{**MARIA, "source.email": "nobody@"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.form.fields["source.email"].has_errors
        assert not screen.form.fields["client_email"].has_errors


async def test_preview_shows_the_decision_and_stores_nothing(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """ctrl+r ranks the eligible agents and says why others are out, writing nothing."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _fill(screen.form, **MARIA)
        await pilot.press("ctrl+r")
        await settle(pilot)
        text = _outcome_text(screen)
        assert "nothing saved" in text
        assert "Not eligible" in text
        assert roster_desk.referrals() == []
        assert screen.form.control("client_first_name").value == "Maria"


async def test_an_open_preview_lists_everyone_it_reaches_at_once(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """An open referral reaches every eligible agent at the same moment: the preview
    says how many, lists each, and marks nobody as offered last."""
    roster_desk.set_setting("fallback_agent_id", "T-HQ-01", clock.now())
    typed = intake(side="buyer", metro="Austin", zip="78704", price_min=400_000, price_max=700_000)
    expected = roster_desk.preview({**typed, "mode": "open"}, clock.now())
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _fill(screen.form, **MARIA)
        screen.form.control("mode").value = "open"
        await pilot.press("ctrl+r")
        await settle(pilot)
        text = _outcome_text(screen)
        assert f"to {len(expected.ranked)} agents at once" in text
        assert len(expected.ranked) > SHOWN_WITH_BARS
        for ranked in expected.ranked:
            assert f"({ranked.agent_id})" in text
        assert "offered last" not in text
        assert roster_desk.referrals() == []


async def test_a_known_party_is_suggested_and_filled_in(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """Typing a known referring party's name fills its type and email, so the desk
    credits the same party instead of creating a second one."""
    roster_desk.intake(intake(), clock.now())
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        screen.form.control("source.name").focus()
        await pilot.press(*"john smith")
        await settle(pilot)
        assert screen.form.control("source.type").selection == "agent"
        assert screen.form.control("source.email").value == "john@denverhomes.example"
        assert "known party" in screen.form.fields["source.name"].hint


async def test_leaving_a_half_filled_form_asks_first(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """Escape on a half-filled form asks; 'no' keeps every field, 'yes' discards and leaves."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        await pilot.press(*"Maria")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert screen.form.control("client_first_name").value == "Maria"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is not screen


async def test_leaving_an_empty_form_does_not_ask(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """Nothing typed, nothing to lose: escape leaves at once."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
        assert not isinstance(app.screen, ConfirmScreen)


async def test_private_mode_shows_the_agent_field(
    db_path: Path, roster_desk: Desk, clock: ManualClock
) -> None:
    """The agent picker appears only for private mode, listing the roster."""
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        agent_field = screen.form.fields["agent_id"]
        assert agent_field.display is False
        screen.form.control("mode").value = "private"
        await pilot.pause()
        assert agent_field.display is True
        _fill(screen.form, **MARIA)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert agent_field.errors == ["is required for private mode"]


@pytest.mark.parametrize(
    ("mode", "settings", "status", "said"),
    [
        ("open", {}, "offered", "open to"),
        ("warm_transfer", {"warm_transfer_agent_ids": "P-ATX-01;P-ATX-02"}, "offered", "CALL NOW"),
        ("isa", {"isa_agent_id": "T-HQ-01"}, "qualifying", "with the inside sales agent"),
        ("best_fit", {"routing_enabled": "false"}, "new", "routing is paused"),
    ],
)
async def test_each_routing_model_is_typed_in_and_said_in_words(
    db_path: Path,
    roster_desk: Desk,
    clock: ManualClock,
    mode: str,
    settings: dict[str, str],
    status: str,
    said: str,
) -> None:
    """The form offers every mode; what became of the referral is said as it is: open to
    every agent, a call to take now, with the ISA to qualify, or held while routing is
    paused (never "nobody could take it" for a referral that waits on purpose)."""
    for key, value in settings.items():
        roster_desk.set_setting(key, value, clock.now())
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app)
        await settle(pilot)
        _fill(screen.form, **MARIA)
        screen.form.control("mode").value = mode
        await pilot.press("ctrl+s")
        await settle(pilot)
        [referral] = roster_desk.referrals()
        assert (referral.mode, referral.status) == (mode, status)
        text = _outcome_text(screen)
        assert said in text
        assert "nobody could take it" not in text
        toasts = [str(toast.message) for toast in app._notifications]
        assert any(said in toast for toast in toasts)
        if mode == "open":
            assert f"open to {len(referral.open_offers)} agents" in text
            assert len(referral.open_offers) > 1
        if mode == "isa":
            assert roster_desk.agent("T-HQ-01").name in text


@pytest.mark.parametrize(
    ("text", "dollars"),
    [
        ("400000", 400_000),
        ("400K", 400_000),
        ("400k", 400_000),
        ("$400,000", 400_000),
        ("1.2M", 1_200_000),
        (" $ 650,500 ", 650_500),
        ("", None),
    ],
)
def test_prices_are_read_as_people_type_them(text: str, dollars: int | None) -> None:
    """Shorthands from emails become whole dollars."""
    assert parse_price(text) == dollars


@pytest.mark.parametrize("text", ["lots", "400KK", "$", "1.5", "-5"])
def test_text_that_is_not_a_price_is_refused(text: str) -> None:
    """Anything else is refused with a message saying what to type."""
    with pytest.raises(PriceError):
        parse_price(text)


def test_a_typed_time_is_read_in_the_desk_zone() -> None:
    """`2026-11-23 08:00` at a Chicago desk is 14:00 UTC; a time with an offset is kept."""
    chicago = ZoneInfo("America/Chicago")
    assert parse_local_moment("2026-11-23 08:00", chicago) == "2026-11-23T14:00:00Z"
    assert parse_local_moment("2026-11-23T08:00:00Z", chicago) == "2026-11-23T08:00:00Z"
    assert parse_local_moment("  ", chicago) is None
    with pytest.raises(ValueError, match="not a time"):
        parse_local_moment("yesterday", chicago)


def test_problems_are_split_by_field() -> None:
    """Each `field: message` goes to its field; unknown keys stay for the form banner."""
    by_field, rest = problems_by_field(
        ["source.email: bad", "price_min: must not exceed price_max", "input: odd"],
        ["source.email", "price_min"],
    )
    assert by_field == {"source.email": ["bad"], "price_min": ["must not exceed price_max"]}
    assert rest == ["input: odd"]
