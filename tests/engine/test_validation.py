"""Intake validation: every bad field is named, and a bad intake writes nothing.

Each refusal is an `InvalidInput` whose message starts with the field's key as
the user typed it (`price_min`, `source.email`), so a script or the intake form
can point at the field to fix.
"""

from __future__ import annotations

import shutil
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from referral_desk.engine.storage import tables as m
from referral_desk.engine.values import schemas
from tests.factories import agent_row, intake, roster_csv

TEN_KB = "x" * 10_240

FIXTURE_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def empty_desk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One empty desk, migrated once for the whole module."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Desk.open(str(path)).close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, empty_desk_file: Path) -> Path:
    """A fresh desk file for each test: a copy of the empty desk, so no test pays for migrating."""
    path = tmp_path / "desk.db"
    shutil.copyfile(empty_desk_file, path)
    return path


def stored_counts(desk: Desk) -> dict[str, int]:
    """How many referrals, referring parties, events, offers and flags the desk holds."""
    with desk.store.read() as session:
        return {
            model.name: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (m.referral, m.referring_party, m.event, m.offer, m.flag)
        }


def refused(desk: Desk, clock: ManualClock, payload: Any) -> InvalidInput:
    """Runs an intake that must fail, checks it wrote nothing, and returns the error."""
    before = stored_counts(desk)
    with pytest.raises(InvalidInput) as caught:
        desk.intake(payload, clock.now())
    assert stored_counts(desk) == before, "a refused intake must write nothing"
    assert "\n" not in str(caught.value), "the error is one line"
    return caught.value


@pytest.fixture
def staffed_desk(desk: Desk, clock: ManualClock) -> Desk:
    """A desk with two Austin agents, for intakes that name an agent."""
    desk.import_roster(
        roster_csv([agent_row(id="P-ATX-01"), agent_row(id="P-ATX-02", name="Lee Park")]),
        clock.now(),
    )
    return desk


def test_contract_example_is_stored(desk: Desk, clock: ManualClock) -> None:
    """The contract's example intake is accepted as it stands, offline."""
    [referral] = desk.intake(intake(), clock.now())
    assert referral.id == "R-000001"
    assert referral.client_first_name == "Maria"
    assert referral.client_email == "maria.lopez@example.com"
    assert (referral.price_min, referral.price_max) == (400_000, 700_000)
    assert referral.side == "buyer"
    assert referral.zip == "78704"
    counts = stored_counts(desk)
    assert (counts["referral"], counts["referring_party"]) == (1, 1)
    assert referral.events[0].kind == "received"


def test_email_is_checked_without_dns(
    desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Email addresses are checked for syntax only: no DNS look-up, so the desk works offline."""
    import email_validator.deliverability

    def no_network(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the desk looked up DNS for an email address")

    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", no_network)
    schemas._normalized_email.cache_clear()  # checked now, not remembered from another test
    [referral] = desk.intake(
        intake(client_email="maria.lopez@example.com", source__email="john@denverhomes.example"),
        clock.now(),
    )
    assert referral.client_email == "maria.lopez@example.com"
    assert referral.source.email == "john@denverhomes.example"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"price_min": 800_000}, "price_min: must not exceed price_max", id="band"),
        pytest.param({"price_min": -1}, "price_min: must not be negative", id="negative-min"),
        pytest.param(
            {"price_min": 0, "price_max": -5}, "price_max: must not be negative", id="negative-max"
        ),
        pytest.param({"price_max": 10**20}, "price_max:", id="price-beyond-any-integer-column"),
        pytest.param({"side": "renter"}, "side:", id="side"),
        pytest.param({"side": "both"}, "side:", id="side-both-is-for-agents"),
        pytest.param({"property_type": "castle"}, "property_type:", id="property-type"),
        pytest.param({"mode": "lottery"}, "mode:", id="mode"),
        pytest.param({"source__type": "friend"}, "source.type:", id="source-type"),
        pytest.param({"source__gift_policy": "cash"}, "source.gift_policy:", id="gift-policy"),
        pytest.param({"client_email": "maria@"}, "client_email:", id="email-no-domain"),
        pytest.param({"client_email": "maria.example.com"}, "client_email:", id="email-no-at"),
        pytest.param({"client_email": "maria@@example.com"}, "client_email:", id="email-two-ats"),
        pytest.param(
            {"client_email": "Maria <maria@example.com>"}, "client_email:", id="email-display"
        ),
        pytest.param({"source__email": "john at denver"}, "source.email:", id="source-email"),
        pytest.param({"client_phone": "12"}, "client_phone:", id="phone-short"),
        pytest.param({"client_phone": "555-0142"}, "client_phone:", id="phone-no-area-code"),
        pytest.param({"client_phone": "call me"}, "client_phone:", id="phone-words"),
        pytest.param({"source__phone": "000"}, "source.phone:", id="source-phone"),
        pytest.param({"zip": "7870"}, "zip: must be 5 digits", id="zip-4"),
        pytest.param({"zip": "787041"}, "zip: must be 5 digits", id="zip-6"),
        pytest.param({"zip": "7870a"}, "zip: must be 5 digits", id="zip-letter"),
        pytest.param({"zip": "78704-1234"}, "zip: must be 5 digits", id="zip-plus-4"),
        pytest.param({"zip": "\uff17\uff18\uff17\uff10\uff14"}, "zip:", id="zip-fullwidth"),
        pytest.param({"zip": 78704}, "zip:", id="zip-number"),
        pytest.param({"client_first_name": ""}, "client_first_name: must not be empty", id="empty"),
        pytest.param(
            {"client_first_name": " \u3000 "}, "client_first_name: must not be empty", id="blank"
        ),
        pytest.param(
            {"client_first_name": " \t "},
            "client_first_name: must not contain control characters (U+0009)",
            id="tab-in-a-name",
        ),
        pytest.param({"metro": "  "}, "metro: must not be empty", id="metro-blank"),
        pytest.param({"source__name": ""}, "source.name: must not be empty", id="source-name"),
        pytest.param({"mode": "private"}, "agent_id:", id="private-without-agent"),
        pytest.param({"mode": "private", "agent_id": "  "}, "agent_id:", id="private-blank-agent"),
        pytest.param({"received_at": "2026-11-23T14:00:00"}, "received_at:", id="naive-time"),
        pytest.param({"received_at": "2026-11-23"}, "received_at:", id="date-only"),
        pytest.param({"received_at": "next tuesday"}, "received_at:", id="not-a-time"),
        pytest.param({"received_at": 1_795_442_400}, "received_at:", id="epoch-number"),
        pytest.param({"notes": TEN_KB}, "notes:", id="notes-10kB"),
        pytest.param({"timeline": TEN_KB}, "timeline:", id="timeline-10kB"),
        pytest.param({"client_first_name": TEN_KB}, "client_first_name:", id="first-name-10kB"),
        pytest.param({"client_last_name": TEN_KB}, "client_last_name:", id="last-name-10kB"),
        pytest.param({"source__name": TEN_KB}, "source.name:", id="source-name-10kB"),
        pytest.param({"client_first_name": 42}, "client_first_name:", id="first-name-number"),
        pytest.param({"client_first_name": True}, "client_first_name:", id="first-name-bool"),
        pytest.param({"client_first_name": ["Maria"]}, "client_first_name:", id="first-name-list"),
        pytest.param({"client_first_name": None}, "client_first_name:", id="first-name-null"),
        pytest.param({"price_min": "400000"}, "price_min:", id="price-text"),
        pytest.param({"price_min": True}, "price_min:", id="price-bool"),
        pytest.param({"price_min": 400_000.5}, "price_min:", id="price-fraction"),
        pytest.param({"price_max": None}, "price_max:", id="price-null"),
        pytest.param({"source": "John Smith"}, "source:", id="source-text"),
        pytest.param({"notes": "a\x00b"}, "notes:", id="nul-character"),
        pytest.param({"colour": "blue"}, "colour: is not a known field", id="unknown-key"),
        pytest.param({"source__colour": "blue"}, "source.colour:", id="unknown-source-key"),
    ],
)
def test_bad_field_is_named(
    desk: Desk, clock: ManualClock, changes: dict[str, Any], expected: str
) -> None:
    """A bad field is refused with a message that starts with its key, and nothing is stored."""
    error = refused(desk, clock, intake(**changes))
    assert str(error).startswith(expected)


@pytest.mark.parametrize("key", ["client_first_name", "side", "metro", "price_min", "source"])
def test_missing_required_field_is_named(desk: Desk, clock: ManualClock, key: str) -> None:
    """Leaving out a required field names it: `key: is required`."""
    payload = intake()
    del payload[key]
    assert str(refused(desk, clock, payload)) == f"{key}: is required"


def test_missing_source_type_is_named(desk: Desk, clock: ManualClock) -> None:
    """A source without a type is refused under `source.type`."""
    payload = intake()
    del payload["source"]["type"]
    assert str(refused(desk, clock, payload)).startswith("source.type:")


@pytest.mark.parametrize("payload", ["Maria", 42, None, [[intake()]]])
def test_not_an_object_is_refused(desk: Desk, clock: ManualClock, payload: Any) -> None:
    """Intake takes a JSON object or a list of them; anything else is refused under `input`."""
    assert str(refused(desk, clock, payload)).startswith("input:")


def test_empty_list_is_refused(desk: Desk, clock: ManualClock) -> None:
    """An empty list is an error, not a silent success."""
    assert str(refused(desk, clock, [])).startswith("input:")


def test_unknown_agent_is_refused(staffed_desk: Desk, clock: ManualClock) -> None:
    """A private referral to an agent not on the roster is refused: `agent_id: unknown agent …`."""
    error = refused(staffed_desk, clock, intake(mode="private", agent_id="P-NOPE-99"))
    assert str(error).startswith("agent_id: unknown agent")
    assert "P-NOPE-99" in str(error)


def test_unknown_agent_is_refused_in_any_mode(staffed_desk: Desk, clock: ManualClock) -> None:
    """An `agent_id` that names nobody is refused even when the mode does not need one."""
    error = refused(staffed_desk, clock, intake(agent_id="P-NOPE-99"))
    assert str(error).startswith("agent_id: unknown agent")


def test_private_referral_to_a_roster_agent_is_stored(
    staffed_desk: Desk, clock: ManualClock
) -> None:
    """`private` with an agent on the roster is accepted and keeps its mode."""
    [referral] = staffed_desk.intake(intake(mode="private", agent_id="P-ATX-02"), clock.now())
    assert referral.mode == "private"


def test_several_problems_are_all_reported(desk: Desk, clock: ManualClock) -> None:
    """Every bad field is reported at once, each under its own key, on one line."""
    error = refused(
        desk,
        clock,
        intake(
            side="renter",
            zip="1",
            client_email="not-an-email",
            source__type="cousin",
            colour="blue",
        ),
    )
    keys = sorted(problem.split(":", 1)[0] for problem in error.problems)
    assert keys == ["client_email", "colour", "side", "source.type", "zip"]


def test_list_is_all_or_nothing(desk: Desk, clock: ManualClock) -> None:
    """A list whose third referral is bad stores none of them, and says which item is bad."""
    desk.intake(intake(client_first_name="Earlier"), clock.now())
    before = stored_counts(desk)
    payload = [
        intake(client_first_name="Ana"),
        intake(client_first_name="Ben", source__name="Someone New"),
        intake(client_first_name="Cy", zip="1234"),
    ]
    error = refused(desk, clock, payload)
    assert str(error).startswith("zip:")
    assert "item 3" in str(error)
    assert stored_counts(desk) == before
    [party] = desk.sources()
    assert party.referral_count == 1, "no referral count was bumped by the refused list"


def test_list_with_unknown_agent_in_third_item_writes_nothing(
    staffed_desk: Desk, clock: ManualClock
) -> None:
    """A list is all-or-nothing even when the bad item is only found against the roster."""
    payload = [
        intake(client_first_name="Ana"),
        intake(client_first_name="Ben"),
        intake(client_first_name="Cy", mode="private", agent_id="P-NOPE-99"),
    ]
    error = refused(staffed_desk, clock, payload)
    assert str(error).startswith("agent_id: unknown agent")
    assert "item 3" in str(error)
    assert staffed_desk.referrals() == []


def test_good_list_is_stored_in_order(desk: Desk, clock: ManualClock) -> None:
    """A list of good referrals is stored in the order given, with consecutive ids."""
    stored = desk.intake(
        [intake(client_first_name=name) for name in ("Ana", "Ben", "Cy")], clock.now()
    )
    assert [r.id for r in stored] == ["R-000001", "R-000002", "R-000003"]
    assert [r.client_first_name for r in stored] == ["Ana", "Ben", "Cy"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+1 512 555 0142", "+15125550142"),
        ("(512) 555-0142", "+15125550142"),
        ("512.555.0142", "+15125550142"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_phone_is_stored_as_e164(desk: Desk, clock: ManualClock, typed: str, stored: str) -> None:
    """Phone numbers (US by default) are stored in E.164 form, for client and source."""
    [referral] = desk.intake(intake(client_phone=typed, source__phone=typed), clock.now())
    assert referral.client_phone == stored
    assert referral.source.phone == stored


def test_email_is_normalized(desk: Desk, clock: ManualClock) -> None:
    """An email address is stored trimmed, with its domain in lower case."""
    [referral] = desk.intake(
        intake(
            client_email="  maria.lopez@EXAMPLE.COM ",
            source__email="john@DenverHomes.Example",
        ),
        clock.now(),
    )
    assert referral.client_email == "maria.lopez@example.com"
    assert referral.source.email == "john@denverhomes.example"


def test_a_refused_address_is_refused_every_time(desk: Desk, clock: ManualClock) -> None:
    """Checked addresses are remembered (a source's comes back), refusals are not turned
    into acceptances: the same bad address is refused on the second intake too."""
    for _ in range(2):
        with pytest.raises(InvalidInput, match=r"source\.email: not a valid email address"):
            desk.intake(intake(source__email="john@@denverhomes.example"), clock.now())
    [referral] = desk.intake(intake(source__email=" John@DenverHomes.Example "), clock.now())
    [again] = desk.intake(intake(source__email="John@DenverHomes.Example"), clock.now())
    assert referral.source.email == again.source.email == "John@denverhomes.example"


def test_choices_are_read_case_insensitively(desk: Desk, clock: ManualClock) -> None:
    """`Buyer`, ` BEST_FIT ` and `Condo` are read as the vocabulary's lower-case words."""
    [referral] = desk.intake(
        intake(side=" Buyer ", mode=" BEST_FIT ", property_type="Condo", source__type="Agent"),
        clock.now(),
    )
    assert (referral.side, referral.mode, referral.property_type) == ("buyer", "best_fit", "condo")
    assert referral.source.type == "agent"


def test_received_at_with_offset_is_stored_in_utc(desk: Desk, clock: ManualClock) -> None:
    """A `received_at` with an offset is the same moment, stored and shown in UTC."""
    [referral] = desk.intake(intake(received_at="2026-11-23T08:00:00-06:00"), clock.now())
    assert referral.to_json(clock.now())["received_at"] == "2026-11-23T14:00:00Z"


def test_received_at_defaults_to_now(desk: Desk, clock: ManualClock) -> None:
    """Without `received_at` the referral is received at the time the desk was given."""
    payload = intake()
    del payload["received_at"]
    moment = clock.advance(hours=3, minutes=7)
    [referral] = desk.intake(payload, moment)
    assert referral.received_at == moment
    assert referral.events[0].kind == "received"
    assert referral.events[0].at == moment


def test_blank_optional_fields_become_empty(desk: Desk, clock: ManualClock) -> None:
    """An empty ZIP, mode or agent id means 'not given' (the default mode applies)."""
    [referral] = desk.intake(intake(zip="", mode="", agent_id="", network=""), clock.now())
    assert referral.zip is None
    assert referral.mode == "best_fit"
    assert referral.network is None


@FIXTURE_SETTINGS
@given(
    low=st.integers(min_value=0, max_value=9_000_000_000),
    gap=st.integers(min_value=1, max_value=1_000_000_000),
)
def test_any_inverted_band_is_refused(desk: Desk, clock: ManualClock, low: int, gap: int) -> None:
    """Any `price_min` above `price_max` is refused under `price_min`, and nothing is stored."""
    error = refused(desk, clock, intake(price_min=low + gap, price_max=low))
    assert str(error) == "price_min: must not exceed price_max"


@FIXTURE_SETTINGS
@given(
    low=st.integers(min_value=0, max_value=5_000_000),
    width=st.integers(min_value=0, max_value=5_000_000),
)
def test_any_ordered_band_is_stored_exactly(
    desk: Desk, clock: ManualClock, low: int, width: int
) -> None:
    """Any band with `price_min ≤ price_max` is stored as the same whole dollars."""
    [referral] = desk.intake(intake(price_min=low, price_max=low + width), clock.now())
    assert (referral.price_min, referral.price_max) == (low, low + width)


PRINTABLE_NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("C", "Z"), include_characters=" "),
    min_size=1,
    max_size=100,
)


@FIXTURE_SETTINGS
@given(name=PRINTABLE_NAMES | st.text(alphabet=string.printable[:95], min_size=1, max_size=100))
def test_any_printable_first_name_is_stored_stripped(
    desk: Desk, clock: ManualClock, name: str
) -> None:
    """Any 1–100 printable characters as a first name are stored exactly, only stripped."""
    if not name.strip():
        assert str(refused(desk, clock, intake(client_first_name=name))).startswith(
            "client_first_name: must not be empty"
        )
        return
    [referral] = desk.intake(intake(client_first_name=name), clock.now())
    assert referral.client_first_name == name.strip()
    assert desk.referral(referral.id).client_first_name == name.strip()
