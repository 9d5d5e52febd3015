"""Routing keeps the roster's profiles per roster version: a change by anyone is seen at once.

A desk process parses its agents' routing columns once per `roster_version`,
which triggers move whenever a roster row is written. Whoever changes the
roster — another desk on the same database, a script with plain SQL, a
transaction that rolls back — the next decision must route on the roster as
it stands.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.desk.routing.profiles import load_profiles
from tests.conftest import ROSTER_CSV
from tests.factories import intake

DANA = "P-ATX-01"
"""The demo roster's best fit for the contract's example intake (Austin 78704)."""


def first_offer(desk: Desk, clock: ManualClock) -> str:
    [referral] = desk.intake(intake(received_at=None), clock.now())
    return referral.offers[0].agent_id


def test_another_desk_sending_an_agent_away_is_seen_by_the_next_decision(
    roster_desk: Desk, desk_url: str, clock: ManualClock
) -> None:
    """Desk B deactivates the agent desk A would pick: desk A's next offer goes elsewhere."""
    assert first_offer(roster_desk, clock) == DANA
    other = Desk.open(desk_url, actor="second desk")
    try:
        other.set_active(DANA, False, clock.now())
    finally:
        other.close()
    assert first_offer(roster_desk, clock) != DANA
    preview = roster_desk.preview(intake(received_at=None), clock.now())
    assert {e.agent_id: e.reason for e in preview.excluded}[DANA] == "inactive"


def test_a_script_changing_the_roster_with_plain_sql_is_seen(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """An UPDATE by hand (no desk service involved) moves the version too."""
    assert first_offer(roster_desk, clock) == DANA
    with roster_desk.store.engine.begin() as connection:
        connection.execute(text("UPDATE agent SET sides = 'seller' WHERE id = :id"), {"id": DANA})
    assert first_offer(roster_desk, clock) != DANA
    with roster_desk.store.read() as session:
        [profile] = load_profiles(session, [DANA])
    assert profile.sides == "seller"


def test_a_roster_change_rolled_back_leaves_no_trace(roster_desk: Desk, clock: ManualClock) -> None:
    """Profiles read inside a transaction that then failed are never taken for the roster,
    not even once a later, different change has moved the roster on."""
    with pytest.raises(RuntimeError), roster_desk.store.write() as session:
        session.execute(text("UPDATE agent SET active = FALSE WHERE id = :id"), {"id": DANA})
        [inside] = load_profiles(session, [DANA])
        assert not inside.active  # this transaction sees its own change
        raise RuntimeError("the write fails after routing read the roster")
    with roster_desk.store.engine.begin() as connection:
        connection.execute(text("UPDATE agent SET network = 'hill' WHERE id = :id"), {"id": DANA})
    with roster_desk.store.read() as session:
        [after] = load_profiles(session, [DANA])
    assert (after.active, after.network) == (True, "hill")
    assert first_offer(roster_desk, clock) == DANA


def test_loads_and_history_are_read_fresh_with_the_kept_roster(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """The kept part is the roster's only: an accepted offer shows in the next profile."""
    with roster_desk.store.read() as session:
        [before] = load_profiles(session, [DANA])
    [referral] = roster_desk.intake(intake(received_at=None), clock.now())
    roster_desk.respond(referral.id, DANA, "accept", clock.now())
    with roster_desk.store.read() as session:
        [after] = load_profiles(session, [DANA])
    assert (after.load, after.history.accepted) == (before.load + 1, before.history.accepted + 1)
    assert after.history.offers_answered == before.history.offers_answered + 1


def test_two_desks_in_one_process_keep_their_own_rosters(clock: ManualClock) -> None:
    """In-memory desks share a URL; each routes on its own roster."""
    first, second = Desk.open("sqlite://"), Desk.open("sqlite://")
    try:
        first.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), clock.now())
        second.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), clock.now())
        second.set_active(DANA, False, clock.now())
        assert first_offer(first, clock) == DANA
        assert first_offer(second, clock) != DANA
        assert first_offer(first, clock) == DANA
    finally:
        first.close()
        second.close()
