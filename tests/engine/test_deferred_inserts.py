"""Rows queued with `Transaction.insert_later`: batched, yet never missing when read.

A write records several events; they are queued and inserted together when the
write commits. Any statement of the same write that names the events table
must still see every event queued before it, a rolled-back write must leave
none, and the history must keep the order the events happened in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import tables as m
from referral_desk.engine.storage.prepared import Prepared
from tests.factories import intake

AT = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
_INSERT = Prepared(insert(m.event))
_COUNT = Prepared(select(func.count()).select_from(m.event).where(m.event.c.actor == "test"))
_KINDS = Prepared(select(m.event.c.kind).where(m.event.c.actor == "test").order_by(m.event.c.id))
_SETTINGS = Prepared(select(m.setting.c.key))


def event(kind: str) -> dict[str, Any]:
    return {
        "referral_id": None,
        "at": AT,
        "kind": kind,
        "actor": "test",
        "agent_id": None,
        "offer_id": None,
        "detail": "",
    }


def outbox_row(subject: str) -> dict[str, Any]:
    return {
        "kind": "test",
        "channel": "email",
        "recipient": "a@example.com",
        "subject": subject,
        "body": "",
        "referral_id": None,
        "status": "pending",
        "created_at": AT,
        "attempts": 0,
        "next_attempt_at": AT,
    }


def stored_kinds(desk: Desk) -> list[str]:
    with desk.store.read() as session:
        return list(session.execute(_KINDS).scalars())


def test_queued_rows_are_seen_by_a_query_of_their_table(desk: Desk) -> None:
    with desk.store.write() as session:
        session.insert_later(_INSERT, event("first"))
        session.insert_later(_INSERT, event("second"))
        assert session.execute(_COUNT).scalar_one() == 2
        session.insert_later(_INSERT, event("third"))
        assert list(session.execute(_KINDS).scalars()) == ["first", "second", "third"]
    assert stored_kinds(desk) == ["first", "second", "third"]


def test_a_plain_statement_sees_them_too(desk: Desk) -> None:
    """A statement the transaction cannot look into (not prepared) gets the rows first."""
    with desk.store.write() as session:
        session.insert_later(_INSERT, event("first"))
        plain = select(func.count()).select_from(m.event).where(m.event.c.actor == "test")
        assert session.execute(plain).scalar_one() == 1


def test_queued_rows_wait_for_a_statement_that_reads_them(desk: Desk) -> None:
    """A query of another table leaves them queued: they go in as one batch at commit."""
    with desk.store.write() as session:
        session.insert_later(_INSERT, event("first"))
        session.insert_later(_INSERT, event("second"))
        session.execute(_SETTINGS).all()
        driver = session.connection.exec_driver_sql
        assert driver("SELECT count(*) FROM event WHERE actor = 'test'").scalar() == 0
    assert stored_kinds(desk) == ["first", "second"]


def test_interleaved_rows_of_two_tables_go_in_as_one_batch_each(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An open referral queues a message, an event, a message, an event… for hundreds of
    agents: each table's rows go in as one batch, each in the order queued."""
    message = Prepared(insert(m.outbox_message))
    batches: list[tuple[Prepared, int]] = []
    execute = Prepared.execute

    def counted(statement: Prepared, connection: Any, parameters: Any = None) -> Any:
        batches.append((statement, len(parameters) if isinstance(parameters, list) else 1))
        return execute(statement, connection, parameters)

    with desk.store.write() as session:
        for number in range(3):
            session.insert_later(_INSERT, event(f"event {number}"))
            session.insert_later(message, outbox_row(f"message {number}"))
        monkeypatch.setattr(Prepared, "execute", counted)
        session.flush()
        monkeypatch.undo()
    assert batches == [(_INSERT, 3), (message, 3)]
    assert stored_kinds(desk) == ["event 0", "event 1", "event 2"]
    with desk.store.read() as session:
        subjects = session.execute(
            select(m.outbox_message.c.subject).order_by(m.outbox_message.c.id)
        )
        assert list(subjects.scalars()) == ["message 0", "message 1", "message 2"]


def test_a_failed_write_leaves_no_queued_row(desk: Desk) -> None:
    with pytest.raises(RuntimeError), desk.store.write() as session:
        session.insert_later(_INSERT, event("lost"))
        raise RuntimeError("the write fails after queueing")
    assert stored_kinds(desk) == []


def test_a_referrals_history_keeps_its_order(roster_desk: Desk, clock: ManualClock) -> None:
    """Each write's events in the order they happened, the writes in the order made."""
    [referral] = roster_desk.intake(intake(), clock.now())
    first = referral.offers[0].agent_id
    clock.advance(timedelta(minutes=3))
    roster_desk.respond(referral.id, first, "decline", clock.now(), reason="full")
    history = roster_desk.referral(referral.id).events
    assert [(item.kind, item.agent_id) for item in history] == [
        ("received", None),
        ("offered", first),
        ("status", None),
        ("declined", first),
        ("offered", "T-HQ-01"),
    ]
