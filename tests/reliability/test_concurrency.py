"""Several desks on one database at once: one winner, nothing lost, busy means retry.

Every test starts real `referral-desk` processes on cue (see `processes.py`) so
their writes meet in the database, on each backend. On SQLite a write holds
the file's write lock from its first statement (`BEGIN IMMEDIATE`); on
PostgreSQL it holds the desk's advisory writer lock. Either way the loser of a
race reads the winner's result and is refused with one clear line.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import tables as m
from referral_desk.engine.storage.connect import BUSY_TIMEOUT_ENV
from tests.conftest import ROSTER_CSV
from tests.factories import agent_row, intake, roster_csv
from tests.reliability.burst import after_windows, check_invariants, seed_burst
from tests.reliability.processes import run_command, run_together, start_command

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_two_desks_answering_one_offer_at_once_have_exactly_one_winner(
    desk: Desk, desk_url: str, tmp_path: Path
) -> None:
    """Accept against decline on one offer, and two claims on one broadcast: one wins each.

    The loser is refused by the desk's rules (exit 4) with one line starting
    `offer:`; the offer ends in the winner's state, with exactly one event for it.
    """
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), NOW)
    [first] = desk.intake([intake()], NOW)
    [broadcast] = desk.intake([intake(mode="broadcast")], NOW)
    holder = first.offers[0].agent_id
    claimers = [offer.agent_id for offer in broadcast.offers[:2]]
    soon = iso(NOW + timedelta(minutes=5))
    base = ["--db", desk_url, "--now", soon, "respond"]
    commands = [
        [*base, first.id, "--agent", holder, "accept"],
        [*base, first.id, "--agent", holder, "decline"],
        [*base, broadcast.id, "--agent", claimers[0], "claim"],
        [*base, broadcast.id, "--agent", claimers[1], "claim"],
    ]
    results = run_together(tmp_path / "race", commands)
    for pair in (results[0:2], results[2:4]):
        codes = sorted(result.code for result in pair)
        assert codes == [0, 4], [(r.code, r.err) for r in pair]
        loser = next(result for result in pair if result.code != 0)
        assert loser.out == ""
        assert len(loser.err.splitlines()) == 1 and loser.err.startswith("offer: "), loser.err
    view = desk.referral(first.id)
    answered = [offer.status for offer in view.offers if offer.agent_id == holder]
    kinds = [event.kind for event in view.events if event.agent_id == holder]
    assert answered[0] == ("accepted" if results[0].code == 0 else "declined")
    assert kinds.count("accepted") + kinds.count("declined") == 1
    claimed = desk.referral(broadcast.id)
    assert claimed.status == "awarded"
    assert [o.status for o in claimed.offers].count("accepted") == 1
    assert claimed.assigned_agent_id in claimers


def test_intakes_from_several_desks_at_once_are_all_kept(
    desk: Desk, desk_url: str, tmp_path: Path
) -> None:
    """Three desks × 12 intakes at once: every referral stored, ids unique, counts exact.

    The same referring party is found, never created twice, and its count is
    not lost; no agent is offered more referrals than it has room for.
    """
    rows = [
        agent_row(id=f"P-CAP-{n}", name=f"Agent {n}", email=f"a{n}@example.com", capacity="4")
        for n in range(1, 4)
    ]
    desk.import_roster(roster_csv(rows), NOW)
    path = tmp_path / "maria.json"
    path.write_text(json.dumps(intake()), encoding="utf-8")
    command = ["--db", desk_url, "--now", iso(NOW), "intake", str(path), "--json"]
    results = run_together(tmp_path / "intakes", [command] * 3, repeat=12)
    ids = []
    for result in results:
        assert result.code == 0, result.err
        ids += [document["id"] for document in result.documents()]
    assert len(ids) == 36 and len(set(ids)) == 36
    assert sorted(ids) == [f"R-{n:06d}" for n in range(1, 37)]
    [party] = desk.sources()
    assert party.referral_count == 36
    with desk.store.read() as session:
        stored = session.execute(select(func.count()).select_from(m.referral)).scalar_one()
        open_offers = Counter(
            session.execute(
                select(m.offer.c.agent_id).where(m.offer.c.status == "offered")
            ).scalars()
        )
    assert stored == 36
    assert open_offers and all(count <= 4 for count in open_offers.values()), open_offers


def test_two_clocks_at_once_handle_every_lapse_exactly_once(
    desk: Desk, desk_url: str, tmp_path: Path
) -> None:
    """Two `clock --once` processes over the same burst: each lapse is handled once."""
    due = seed_burst(desk, NOW, broadcast=8, sequential=30)
    later = iso(after_windows(NOW))
    command = ["--db", desk_url, "--now", later, "clock", "--once", "--json"]
    results = run_together(tmp_path / "clocks", [command] * 2)
    reported = []
    for result in results:
        assert result.code == 0, result.err
        for document in result.documents():
            reported += [(lapse["referral_id"], lapse["agent_id"]) for lapse in document["lapsed"]]
    assert len(reported) == due and len(set(reported)) == due
    counts = check_invariants(desk, after_windows(NOW))
    assert counts["lapsed"] == due


def test_a_database_locked_too_long_is_reported_busy_and_the_retry_works(
    desk: Desk, desk_url: str, tmp_path: Path
) -> None:
    """A write waiting beyond the busy timeout fails with `database: busy …` (exit 5, database
    trouble) and writes nothing."""
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), NOW)
    path = tmp_path / "maria.json"
    path.write_text(json.dumps(intake()), encoding="utf-8")
    command = ["--db", desk_url, "--now", iso(NOW), "intake", str(path)]
    revision = desk.revision()
    with desk.store.write() as session:  # another desk in the middle of a long write
        session.execute(text("SELECT 1"))
        blocked = run_command(command, extra_env={BUSY_TIMEOUT_ENV: "300"})
    assert blocked.code == 5 and blocked.out == "", blocked.err
    assert len(blocked.err.splitlines()) == 1
    assert blocked.err.startswith("database: busy"), blocked.err
    assert desk.revision() == revision
    assert desk.referrals() == []
    retried = run_command(command, extra_env={BUSY_TIMEOUT_ENV: "300"})
    assert retried.code == 0, retried.err
    assert [referral.id for referral in desk.referrals()] == ["R-000001"]


def test_the_clock_service_rides_out_a_busy_database(
    desk: Desk, desk_url: str, tmp_path: Path
) -> None:
    """A clock that finds the database busy says so on stderr and keeps ticking."""
    due = seed_burst(desk, NOW, broadcast=0, sequential=5)
    env = {BUSY_TIMEOUT_ENV: "200"}
    later = iso(after_windows(NOW))
    clock = start_command(["--db", desk_url, "--now", later, "clock", "--interval", "0.2"], env)
    try:
        with desk.store.write() as session:  # a long write by another desk
            session.execute(text("SELECT 1"))
            time.sleep(3)
            assert clock.poll() is None, clock.stderr.read()  # type: ignore[union-attr]
        deadline = time.monotonic() + 60
        while check_invariants(desk, NOW)["lapsed"] < due and time.monotonic() < deadline:
            time.sleep(0.1)
        assert clock.poll() is None
    finally:
        clock.terminate()
        _out, err = clock.communicate(timeout=30)
    assert check_invariants(desk, after_windows(NOW))["lapsed"] == due
    assert "database: busy" in err, err
    assert "Traceback" not in err
