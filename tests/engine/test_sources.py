"""Referring parties: who sent a referral is found again, credited and noted.

The same name, type and email (ignoring case) is the same party: its referral
count goes up and its notes get a line per referral, dated in the desk's zone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.people import SourceView
from referral_desk.engine.rules.errors import InvalidInput
from tests.factories import intake


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


def party(desk: Desk, source_id: str) -> SourceView:
    """The referring party with this id, as `sources` lists it."""
    [found] = [source for source in desk.sources() if source.id == source_id]
    return found


def test_same_party_is_found_again(desk: Desk, clock: ManualClock) -> None:
    """A second referral from the same name, type and email credits the same party."""
    [first] = desk.intake(intake(client_first_name="Maria"), clock.now())
    [second] = desk.intake(intake(client_first_name="Omar"), clock.now())
    assert first.source.id == second.source.id == "S-000001"
    [only] = desk.sources()
    assert only.referral_count == 2


def test_party_match_ignores_case(desk: Desk, clock: ManualClock) -> None:
    """`JOHN SMITH` at `JOHN@DENVERHOMES.EXAMPLE` is the same party as John Smith."""
    [first] = desk.intake(intake(), clock.now())
    [second] = desk.intake(
        intake(source__name="JOHN SMITH", source__email="JOHN@DENVERHOMES.EXAMPLE"), clock.now()
    )
    [third] = desk.intake(
        intake(source__name="john smith", source__email="John@DenverHomes.Example"), clock.now()
    )
    assert first.source.id == second.source.id == third.source.id
    assert party(desk, first.source.id).referral_count == 3
    assert party(desk, first.source.id).name == "John Smith", "the first spelling is kept"


def test_party_match_ignores_case_beyond_ascii(desk: Desk, clock: ManualClock) -> None:
    """Case is ignored for accented names too: `JOSÉ NÚÑEZ` is José Núñez."""
    [first] = desk.intake(intake(source__name="JOSÉ NÚÑEZ"), clock.now())
    [second] = desk.intake(intake(source__name="José Núñez"), clock.now())
    assert first.source.id == second.source.id


def test_party_match_ignores_surrounding_spaces(desk: Desk, clock: ManualClock) -> None:
    """Stray spaces around the name or email do not make a new party."""
    [first] = desk.intake(intake(), clock.now())
    [second] = desk.intake(
        intake(source__name="  John Smith ", source__email=" john@denverhomes.example  "),
        clock.now(),
    )
    assert first.source.id == second.source.id


def test_different_type_is_a_new_party(desk: Desk, clock: ManualClock) -> None:
    """The same name and email with another type (agent vs past client) is another party."""
    [agent] = desk.intake(intake(source__type="agent"), clock.now())
    [client] = desk.intake(intake(source__type="client"), clock.now())
    assert agent.source.id != client.source.id
    assert sorted((s.type, s.referral_count) for s in desk.sources()) == [
        ("agent", 1),
        ("client", 1),
    ]


def test_different_email_is_a_new_party(desk: Desk, clock: ManualClock) -> None:
    """The same name and type with another email is another party."""
    [first] = desk.intake(intake(), clock.now())
    [other] = desk.intake(intake(source__email="john.smith@elsewhere.example"), clock.now())
    [blank] = desk.intake(intake(source__email=""), clock.now())
    assert len({first.source.id, other.source.id, blank.source.id}) == 3
    assert [s.referral_count for s in desk.sources()] == [1, 1, 1]


def test_no_email_parties_match_by_name_and_type(desk: Desk, clock: ManualClock) -> None:
    """Two referrals from a sphere contact with no email are credited to one party."""
    [first] = desk.intake(intake(source__type="sphere", source__email=""), clock.now())
    [second] = desk.intake(intake(source__type="sphere", source__email=""), clock.now())
    assert first.source.id == second.source.id
    assert party(desk, first.source.id).referral_count == 2


def test_one_list_from_one_new_party_makes_one_party(desk: Desk, clock: ManualClock) -> None:
    """Several referrals in one list from a new party create it once, counted for each."""
    stored = desk.intake(
        [intake(client_first_name=name) for name in ("Ana", "Ben", "Cy")], clock.now()
    )
    assert {r.source.id for r in stored} == {"S-000001"}
    assert party(desk, "S-000001").referral_count == 3


def test_refused_intake_does_not_credit_the_party(desk: Desk, clock: ManualClock) -> None:
    """A refused list neither bumps an existing party's count nor adds to its notes."""
    desk.intake(intake(), clock.now())
    before = party(desk, "S-000001")
    with pytest.raises(InvalidInput):
        desk.intake([intake(client_first_name="Ana"), intake(side="renter")], clock.now())
    after = party(desk, "S-000001")
    assert (after.referral_count, after.notes) == (before.referral_count, before.notes)


def test_lead_source_names_the_party(desk: Desk, clock: ManualClock) -> None:
    """A referral's lead source reads `Referral — <Source Name>`."""
    [referral] = desk.intake(intake(source__name="Priya Patel, CPA"), clock.now())
    assert referral.lead_source == "Referral — Priya Patel, CPA"
    assert referral.to_json(clock.now())["lead_source"] == "Referral — Priya Patel, CPA"
    assert desk.referral(referral.id).lead_source == "Referral — Priya Patel, CPA"


def test_lead_source_uses_the_stored_spelling(desk: Desk, clock: ManualClock) -> None:
    """A later referral typed in another case still reads the party's own name."""
    desk.intake(intake(), clock.now())
    [later] = desk.intake(intake(source__name="JOHN SMITH"), clock.now())
    assert later.lead_source == "Referral — John Smith"


def test_note_is_dated_in_desk_time_zone(desk: Desk, clock: ManualClock) -> None:
    """A referral received 2026-11-24 03:00 UTC is noted as 2026-11-23 (Chicago evening)."""
    desk.intake(intake(client_first_name="Maria", received_at="2026-11-24T03:00:00Z"), clock.now())
    assert party(desk, "S-000001").notes == "2026-11-23 — referred Maria"


def test_note_follows_the_desk_time_zone_setting(desk: Desk, clock: ManualClock) -> None:
    """After `timezone` is set to Asia/Tokyo the same moment is dated 2026-11-24."""
    desk.set_setting("timezone", "Asia/Tokyo", clock.now())
    desk.intake(intake(client_first_name="Maria", received_at="2026-11-24T03:00:00Z"), clock.now())
    assert party(desk, "S-000001").notes == "2026-11-24 — referred Maria"


def test_notes_gain_a_line_per_referral(desk: Desk, clock: ManualClock) -> None:
    """Each referral adds one dated line to its party's notes, oldest first."""
    desk.intake(intake(client_first_name="Maria", received_at="2026-11-02T15:00:00Z"), clock.now())
    desk.intake(intake(client_first_name="Omar", received_at="2026-11-23T14:00:00Z"), clock.now())
    assert party(desk, "S-000001").notes.splitlines() == [
        "2026-11-02 — referred Maria",
        "2026-11-23 — referred Omar",
    ]


def test_a_list_adds_its_lines_after_the_earlier_ones(desk: Desk, clock: ManualClock) -> None:
    """A list's lines follow the party's notes in the list's order, each on its own line,
    whether the notes were blank (a new party) or not."""
    desk.intake([intake(client_first_name=name) for name in ("Ana", "Ben")], clock.now())
    desk.intake([intake(client_first_name=name) for name in ("Cy", "Di", "Ed")], clock.now())
    assert party(desk, "S-000001").notes == "\n".join(
        f"2026-11-23 — referred {name}" for name in ("Ana", "Ben", "Cy", "Di", "Ed")
    )
    assert party(desk, "S-000001").referral_count == 5


def test_note_without_received_at_uses_now(desk: Desk, clock: ManualClock) -> None:
    """Without `received_at` the note is dated by the desk's 'now', in the desk's zone."""
    payload = intake(client_first_name="Maria")
    del payload["received_at"]
    clock.set(clock.now().replace(day=25, hour=5, minute=30))  # 23:30 on the 24th in Chicago
    desk.intake(payload, clock.now())
    assert party(desk, "S-000001").notes == "2026-11-24 — referred Maria"


def test_sources_are_listed_busiest_first(desk: Desk, clock: ManualClock) -> None:
    """`sources` lists parties with the most referrals first."""
    desk.intake(intake(source__name="Quiet Quinn", source__email=""), clock.now())
    for _ in range(2):
        desk.intake(intake(source__name="Busy Bea", source__email=""), clock.now())
    assert [(s.name, s.referral_count) for s in desk.sources()] == [
        ("Busy Bea", 2),
        ("Quiet Quinn", 1),
    ]


def test_new_party_keeps_its_contact_details(desk: Desk, clock: ManualClock) -> None:
    """A new party keeps the brokerage, phone (E.164) and gift policy given at intake."""
    desk.intake(
        intake(
            source__name="Dr. Lee",
            source__type="professional",
            source__email="lee@cpa.example",
            source__phone="(303) 555-0199",
            source__brokerage="",
            source__gift_policy="no_gifts",
        ),
        clock.now(),
    )
    [source] = desk.sources()
    shown = source.to_json()
    assert {key: shown[key] for key in EXPECTED_PARTY} == EXPECTED_PARTY


EXPECTED_PARTY = {
    "id": "S-000001",
    "name": "Dr. Lee",
    "type": "professional",
    "email": "lee@cpa.example",
    "phone": "+13035550199",
    "tag": "Referral Source",
    "gift_policy": "no_gifts",
    "referral_count": 1,
    "last_referral_at": "2026-11-23T14:00:00Z",
}
