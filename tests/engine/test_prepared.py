"""Prepared statements give what SQLAlchemy gives: the same rows, types, counts and errors.

The desk's hot statements run on the driver directly (`engine/prepared.py`).
Each test runs a statement both ways on the same data, on SQLite and on
PostgreSQL, and expects no difference a caller could notice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import tables as m
from referral_desk.engine.storage.prepared import Prepared
from tests.factories import intake


def both_ways(desk: Desk, statement: Any, parameters: Any = None) -> tuple[list[Any], list[Any]]:
    """The rows of a statement run by SQLAlchemy and run prepared, as plain tuples."""
    with desk.store.read() as session:
        plain = [tuple(row) for row in session.connection.execute(statement, parameters or {})]
        fast = [tuple(row) for row in Prepared(statement).execute(session.connection, parameters)]
    return plain, fast


@pytest.fixture
def closed_desk(roster_desk: Desk, clock: ManualClock) -> Desk:
    """A desk with one referral followed to closing: dates, decimals, aware times, NULLs."""
    [referral] = roster_desk.intake(intake(), clock.now())
    agent = referral.offers[0].agent_id
    roster_desk.respond(referral.id, agent, "accept", clock.now())
    for status in ("working", "in_escrow", "closed"):
        clock.advance(timedelta(days=3))
        options: dict[str, Any] = {}
        if status == "in_escrow":
            options = {"closing_date": date(2027, 1, 15)}
        if status == "closed":
            options = {"sale_price": 525_000, "commission_rate": Decimal("2.75")}
        roster_desk.change_status(referral.id, status, clock.now(), **options)
    return roster_desk


def test_rows_and_their_types_are_sqlalchemys(closed_desk: Desk) -> None:
    """Every column of a referral comes back with the same value and type either way."""
    statement = select(m.referral).where(m.referral.c.id == bindparam("number"))
    plain, fast = both_ways(closed_desk, statement, {"number": 1})
    assert fast == plain
    [row] = fast
    types = {type(value) for value in row}
    assert {datetime, date, Decimal, int, str, type(None)} <= types
    aware = [value for value in row if isinstance(value, datetime)]
    assert aware and all(value.tzinfo is UTC for value in aware)


def test_rows_are_read_by_column_name(closed_desk: Desk) -> None:
    """A prepared row answers to its column names and labels, as a SQLAlchemy row does."""
    statement = (
        select(
            m.referral.c.status,
            m.referral.c.commission_rate,
            func.max(m.offer.c.offered_at).label("last_offer"),
        )
        .join(m.offer, m.offer.c.referral_id == m.referral.c.id)
        .group_by(m.referral.c.status, m.referral.c.commission_rate)
    )
    with closed_desk.store.read() as session:
        [row] = Prepared(statement).execute(session.connection).all()
    assert row.status == "closed"
    assert row.commission_rate == Decimal("2.75")
    assert row.last_offer.tzinfo is UTC


@pytest.mark.parametrize("count", [0, 1, 3, 3, 7])
def test_in_lists_of_any_length(roster_desk: Desk, count: int) -> None:
    """An IN list with any number of values (none included) finds exactly those rows."""
    ids = [agent.id for agent in roster_desk.agents()][:count]
    statement = select(m.agent.c.id, m.agent.c.active).where(
        m.agent.c.id.in_(bindparam("ids", expanding=True))
    )
    plain, fast = both_ways(roster_desk, statement, {"ids": ids})
    assert sorted(fast) == sorted(plain)
    assert sorted(agent_id for agent_id, _ in fast) == sorted(ids)


def test_fixed_in_lists_and_literals_are_kept(closed_desk: Desk) -> None:
    """Values written into the statement itself (`IN ('offered', …)`, `= 'closed'`) apply."""
    statement = select(func.count()).where(
        m.offer.c.status.in_(("accepted", "declined")), m.offer.c.referral_id == 1
    )
    plain, fast = both_ways(closed_desk, statement)
    assert fast == plain == [(1,)]


def test_inserts_updates_and_counts(roster_desk: Desk, clock: ManualClock) -> None:
    """Many rows in one insert; an update reports how many rows it changed."""
    [referral] = roster_desk.intake(intake(), clock.now())
    number = int(referral.id.removeprefix("R-"))
    events = Prepared(insert(m.event))
    relabel = Prepared(
        update(m.event)
        .where(m.event.c.referral_id == bindparam("number"), m.event.c.kind == "note")
        .values(detail=bindparam("text"))
    )
    rows = [
        {
            "referral_id": number,
            "at": clock.now(),
            "kind": "note",
            "actor": "test",
            "agent_id": None,
            "offer_id": None,
            "detail": str(index),
        }
        for index in range(3)
    ]
    with roster_desk.store.write() as session:
        events.execute(session.connection, rows)
        changed = relabel.execute(session.connection, {"number": number, "text": "seen"})
    assert changed.rowcount == 3
    notes = [e for e in roster_desk.referral(referral.id).events if e.kind == "note"]
    assert [e.detail for e in notes] == ["seen"] * 3


def test_insert_returning_gives_the_new_row(roster_desk: Desk, clock: ManualClock) -> None:
    """RETURNING rows come back converted (the id, an aware time)."""
    [referral] = roster_desk.intake(intake(), clock.now())
    number = int(referral.id.removeprefix("R-"))
    statement = Prepared(insert(m.flag).returning(m.flag.c.id, m.flag.c.raised_at))
    values = {"kind": "status_inquiry", "referral_id": number, "source_id": None}
    with roster_desk.store.write() as session:
        row = statement.execute(
            session.connection, {**values, "raised_at": clock.now(), "detail": "asked"}
        ).one()
    assert row.raised_at == clock.now()
    assert [flag.id for flag in roster_desk.flags()] == [f"F-{row.id:06d}"]


def test_defaults_an_insert_leaves_out_are_filled(roster_desk: Desk, clock: ManualClock) -> None:
    """An insert naming only some columns gets the table's defaults for the others."""
    [referral] = roster_desk.intake(intake(), clock.now())
    number = int(referral.id.removeprefix("R-"))
    statement = Prepared(insert(m.event))
    with roster_desk.store.write() as session:
        statement.execute(
            session.connection, {"referral_id": number, "at": clock.now(), "kind": "note"}
        )
    [note] = [e for e in roster_desk.referral(referral.id).events if e.kind == "note"]
    assert note.detail == ""
    with roster_desk.store.read() as session:
        actor = session.execute(select(m.event.c.actor).where(m.event.c.kind == "note")).scalar()
    assert actor == "desk"


def test_driver_errors_are_sqlalchemy_errors_and_nothing_is_written(roster_desk: Desk) -> None:
    """A broken foreign key raises SQLAlchemy's IntegrityError and the whole write is undone:
    a territory already added for an agent on the roster, in the same transaction, is gone."""
    agent = "P-ATX-01"
    assert agent in {view.id for view in roster_desk.agents()}
    territories = select(m.agent_territory.c.kind, m.agent_territory.c.value).where(
        m.agent_territory.c.agent_id == agent
    )
    with roster_desk.store.read() as session:
        before = sorted(session.execute(territories).all())
    assert ("metro", "san marcos") not in before
    statement = Prepared(insert(m.agent_territory))
    with pytest.raises(IntegrityError), roster_desk.store.write() as session:
        statement.execute(
            session.connection, {"agent_id": agent, "kind": "metro", "value": "san marcos"}
        )
        added = sorted(session.execute(territories).all())
        assert added == sorted([*before, ("metro", "san marcos")]), "the first insert was made"
        statement.execute(
            session.connection, {"agent_id": "NOBODY", "kind": "metro", "value": "austin"}
        )
    with roster_desk.store.read() as session:
        after = sorted(session.execute(territories).all())
    assert after == before


MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moment=MOMENTS, percent=st.decimals(min_value=0, max_value=100, places=4))
def test_times_and_money_round_trip_as_with_sqlalchemy(
    roster_desk: Desk, moment: datetime, percent: Decimal
) -> None:
    """Any aware time and exact percent stored prepared reads back equal, either way."""
    [agent] = roster_desk.agents()[:1]
    write = Prepared(
        update(m.agent)
        .where(m.agent.c.id == bindparam("agent"))
        .values(updated_at=bindparam("moment", type_=m.agent.c.updated_at.type))
    )
    with roster_desk.store.write() as session:
        write.execute(session.connection, {"agent": agent.id, "moment": moment})
    plain, fast = both_ways(
        roster_desk, select(m.agent.c.updated_at).where(m.agent.c.id == agent.id)
    )
    assert fast == plain == [(moment,)]
    fee = Prepared(select(bindparam("percent", type_=m.fee_agreement.c.percent.type)))
    with roster_desk.store.read() as session:
        assert fee.execute(session.connection, {"percent": percent}).scalar_one() == percent


def test_sqlalchemy_is_the_version_the_prepared_statements_were_checked_against() -> None:
    """`storage/prepared.py` runs statements on the driver with what SQLAlchemy 2.1.9's
    compiler leaves behind; another version may lay those internals out differently."""
    assert sqlalchemy.__version__ == "2.1.9", (
        f"SQLAlchemy is now {sqlalchemy.__version__}: engine/storage/prepared.py reads its "
        "compiler's internals (SQLCompiler.positiontup, bind_names, _result_columns, "
        "post_compile_params, literal_execute_params) and converts parameters and results "
        "as its type processors do. Read those in the new version, run this file on SQLite "
        "and PostgreSQL, then move this pin and pyproject.toml's together."
    )
