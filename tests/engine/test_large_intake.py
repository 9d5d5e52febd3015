"""A long intake list: all or nothing when invalid, written in batches when valid.

A list is checked whole before anything is written (its fields, then what only
the desk can tell: the agents it names, a private referral's agent free to take
it). A valid list longer than a batch is then committed batch by batch with a
pause between, so the clock keeps lapsing offers during a long import instead of
failing `database: busy`; an error after the first batch leaves the committed
batches stored whole, and says which items to take in again.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from referral_desk.cli import main
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.desk import intake as intake_module
from referral_desk.engine.desk.routing import dispatch
from referral_desk.engine.rules.errors import InvalidInput, PartlyStored, StorageError
from referral_desk.engine.storage import connect
from referral_desk.engine.storage import tables as m
from tests.factories import agent_row, intake, roster_csv

NOWHERE = {"metro": "Nowhere Springs", "zip": None}
"""A market no agent covers: referrals for it are stored unassigned, without offers."""


def many(count: int, **changes: Any) -> list[dict[str, Any]]:
    """`count` intake objects from the contract's source, clients numbered from 1."""
    return [
        intake(client_first_name=f"Client{n}", client_email=f"client{n}@example.com", **changes)
        for n in range(1, count + 1)
    ]


def row_counts(desk: Desk) -> dict[str, int]:
    """Rows of every table an intake writes to."""
    tables = (m.referral, m.referring_party, m.event, m.offer, m.flag, m.ack_task, m.outbox_message)
    with desk.store.read() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in tables
        }


def refused(desk: Desk, clock: ManualClock, payload: list[dict[str, Any]]) -> InvalidInput:
    """Runs an intake that must be refused whole and returns the error."""
    before = row_counts(desk)
    revision = desk.revision()
    with pytest.raises(InvalidInput) as caught:
        desk.intake(payload, clock.now())
    assert row_counts(desk) == before, "a refused list writes nothing"
    assert desk.revision() == revision
    return caught.value


def test_a_long_list_with_one_bad_field_at_the_end_writes_nothing(
    desk: Desk, clock: ManualClock
) -> None:
    payload = [*many(999, **NOWHERE), intake(**{**NOWHERE, "zip": "1234"})]
    error = refused(desk, clock, payload)
    assert str(error).startswith("zip:") and str(error).endswith("(item 1000)")


def test_a_long_list_with_one_unknown_agent_at_the_end_writes_nothing(
    roster_desk: Desk, clock: ManualClock
) -> None:
    """The agents a list names are checked against the roster before the first batch."""
    payload = [*many(999, **NOWHERE), intake(mode="private", agent_id="P-NOPE-99")]
    error = refused(roster_desk, clock, payload)
    assert str(error) == "agent_id: unknown agent 'P-NOPE-99' (item 1000)"


def test_every_agent_problem_of_a_list_is_named(roster_desk: Desk, clock: ManualClock) -> None:
    """As with bad fields, each bad item is named, not only the first."""
    payload = many(5, **NOWHERE)
    payload[1] = intake(agent_id="P-NOPE-01")
    payload[3] = intake(mode="private", agent_id="P-ATX-04")  # away until 2027-01-10
    error = refused(roster_desk, clock, payload)
    assert error.problems == (
        "agent_id: unknown agent 'P-NOPE-01' (item 2)",
        "agent_id: P-ATX-04 is not eligible: away until 2027-01-10 (item 4)",
    )


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    """Batches of two referrals, so a short list spans several transactions."""
    monkeypatch.setattr(intake_module, "BATCH_SIZE", 2)
    return 2


@pytest.fixture
def one_agent_desk(desk: Desk, clock: ManualClock) -> Desk:
    """A desk whose roster is one Austin agent with room for four referrals."""
    desk.import_roster(roster_csv([agent_row(id="P-ATX-01", capacity="4")]), clock.now())
    return desk


def test_a_list_filling_a_private_agent_is_refused_before_any_batch(
    one_agent_desk: Desk, clock: ManualClock, small_batches: int
) -> None:
    """Five private referrals to an agent with four free slots: the fifth is refused, and
    so the list, although its first two batches would have fitted."""
    payload = many(5, mode="private", agent_id="P-ATX-01")
    error = refused(one_agent_desk, clock, payload)
    assert str(error) == (
        "agent_id: P-ATX-01 is not eligible: no free slot (load 4 of capacity 4) (item 5)"
    )


def test_a_private_agent_filled_by_the_list_itself_in_one_batch_refuses_it(
    one_agent_desk: Desk, clock: ManualClock
) -> None:
    """Best-fit referrals take the agent's four slots, then a private one names them: the
    check before writing cannot foresee routing, the write of the only batch refuses it."""
    payload = [*many(4), intake(mode="private", agent_id="P-ATX-01")]
    error = refused(one_agent_desk, clock, payload)
    assert str(error).startswith("agent_id: P-ATX-01 is not eligible: no free slot")


def test_once_a_batch_is_committed_such_a_referral_is_stored_unassigned(
    one_agent_desk: Desk, clock: ManualClock, small_batches: int
) -> None:
    """The same list in batches of two: the first two batches are committed when the
    third finds the agent full, so the private referral is kept and unassigned, with a
    flag for the team lead, as when a private referral's agent does not take it."""
    payload = [*many(4), intake(mode="private", agent_id="P-ATX-01")]
    stored = one_agent_desk.intake(payload, clock.now())
    assert [referral.status for referral in stored] == ["offered"] * 4 + ["unassigned"]
    assert [flag.kind for flag in stored[-1].flags] == ["roster_exhausted"]


def test_a_list_in_batches_is_stored_as_one_transaction_would(
    desk: Desk, clock: ManualClock, small_batches: int
) -> None:
    """Seven referrals in four batches: ids in order, one party credited with each (its
    notes a line each, oldest first), one burst flag; each referral shown as its batch
    left it, its party's count included."""
    stored = desk.intake(many(7, **NOWHERE), clock.now())
    assert [referral.id for referral in stored] == [f"R-00000{n}" for n in range(1, 8)]
    assert [referral.source.referral_count for referral in stored] == [2, 2, 4, 4, 6, 6, 7]
    [party] = desk.sources()
    assert party.referral_count == 7
    assert party.notes.splitlines() == [f"2026-11-23 — referred Client{n}" for n in range(1, 8)]
    assert stored[-1].source == desk.referral("R-000007").source
    assert all([event.kind for event in r.events][:1] == ["received"] for r in stored)
    assert [flag.kind for flag in desk.flags() if flag.kind == "source_burst"] == ["source_burst"]


def test_the_clock_runs_while_a_long_list_is_written(
    roster_desk: Desk, desk_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tick with offers to lapse, on another desk in another thread, waits at most one
    second for the lock (not the 10 s a desk waits), and completes while an intake of
    2,000 referrals — several seconds — is still running. Batches of 100 here, so that
    one batch stays well within that second on a busy machine and on PostgreSQL."""
    monkeypatch.setattr(intake_module, "BATCH_SIZE", 100)
    offered = roster_desk.intake(many(3), clock.now())
    assert all(referral.status == "offered" for referral in offered)
    monkeypatch.setattr(connect, "BUSY_TIMEOUT_MS", 1000)
    clock_desk = Desk.open(desk_url, actor="clock")
    finished: dict[str, float] = {}
    failures: list[BaseException] = []

    def long_intake() -> None:
        try:
            roster_desk.intake(many(2000, **NOWHERE), clock.now())
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)
        finished["intake"] = time.monotonic()

    writer = threading.Thread(target=long_intake)
    before = roster_desk.revision()
    writer.start()
    try:
        while roster_desk.revision() == before and writer.is_alive():
            time.sleep(0.01)  # until the intake's first batch is in
        lapses = clock_desk.tick(clock.now() + timedelta(hours=2))
        finished["tick"] = time.monotonic()
    finally:
        writer.join()
        clock_desk.close()
    assert failures == []
    assert sorted(lapse.referral_id for lapse in lapses) == [r.id for r in offered]
    assert finished["tick"] < finished["intake"], "the tick did not wait for the intake"
    assert row_counts(roster_desk)["referral"] == 2003


def test_a_failure_in_a_later_batch_leaves_only_whole_referrals(
    roster_desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Something fails while routing item 130 of 200, in the third batch of 50.

    What the user sees: the intake fails with one line (`referral-desk intake` prints it
    and exits non-zero) that gives the error, then names the items not stored (101–200,
    to take in again) and the ids of the 100 that were, in the two batches committed
    before it. Those 100 are whole, routed and credited; nothing of the third batch is.
    """
    monkeypatch.setattr(intake_module, "BATCH_SIZE", 50)
    started = dispatch.start
    routed = 0

    def failing_start(run: Any, referral: Any) -> None:
        nonlocal routed
        routed += 1
        if routed == 130:
            raise RuntimeError("the disk went away")
        started(run, referral)

    monkeypatch.setattr(dispatch, "start", failing_start)
    with pytest.raises(PartlyStored) as caught:
        roster_desk.intake(many(200), clock.now())
    assert str(caught.value) == (
        "error: unexpected RuntimeError: the disk went away — items 101–200 of the list "
        "were not stored, take in only those again; items 1–100 were, before it "
        "(R-000001–R-000100)"
    )
    assert caught.value.exit_code == 1
    stored = roster_desk.referrals(limit=1000)
    assert sorted(referral.id for referral in stored) == [f"R-{n:06d}" for n in range(1, 101)]
    for referral in (roster_desk.referral(r.id) for r in stored):
        kinds = [event.kind for event in referral.events]
        assert kinds[0] == "received" and "status" in kinds, referral.id
        assert referral.offers or [f.kind for f in referral.flags] == ["roster_exhausted"]
        assert [task.kind for task in referral.tasks][:1] == ["personal_thanks"]
    with roster_desk.store.read() as session:
        for table in (m.event, m.offer, m.ack_task, m.outbox_message):
            beyond = select(func.count()).where(table.c.referral_id > 100)
            assert session.execute(beyond).scalar_one() == 0, table.name
    [party] = roster_desk.sources()
    assert (party.referral_count, len(party.notes.splitlines())) == (100, 100)


def test_the_command_says_which_items_to_take_in_again(
    desk_url: str,
    tmp_path: Path,
    small_batches: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`referral-desk intake` prints the one line and exits with the error's own code
    (5, database trouble), after the first of two batches was committed."""
    started = dispatch.start

    def busy_on_the_third(run: Any, referral: Any) -> None:
        if referral.id == 3:
            raise StorageError("database: busy — another desk held the write lock too long")
        started(run, referral)

    monkeypatch.setattr(dispatch, "start", busy_on_the_third)
    path = tmp_path / "list.json"
    path.write_text(json.dumps(many(4, **NOWHERE)), encoding="utf-8")
    code = main(["--db", desk_url, "intake", str(path), "--json"])
    out, err = capsys.readouterr()
    assert (code, out) == (5, "")
    assert err == (
        "database: busy — another desk held the write lock too long — items 3–4 of the list "
        "were not stored, take in only those again; items 1–2 were, before it "
        "(R-000001–R-000002)\n"
    )
