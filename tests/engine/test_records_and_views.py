"""What a write loads and what it hands back, as callers rely on them.

A record loaded from a row remembers only the fields set afterwards (those,
and no others, are written back, before the transaction's next statement, however
many records it holds and however often one changes); a view's breakdown belongs
to that view, however many views of the same offer were built before it.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, get_type_hints

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import tables as m
from referral_desk.engine.storage.records import FeeAgreement, Record, Referral
from referral_desk.engine.storage.rows import load_referral, stored_referral
from referral_desk.engine.storage.transaction import Transaction
from tests.factories import intake

COLUMNS = [column.name for column in m.referral.c]


def referral_row(**values: object) -> object:
    row = namedtuple("Row", COLUMNS)  # type: ignore[misc]
    return row(**{name: values.get(name) for name in COLUMNS})


def test_a_loaded_record_remembers_only_what_was_set_since() -> None:
    record = Referral.of(referral_row(id=7, status="offered", metro="Austin"))
    assert (record.id, record.status, record.metro) == (7, "offered", "Austin")
    assert record.take_changes() == {}
    record.status = "offered"  # the same value: nothing to write
    assert not record.changed
    record.status = "accepted"
    record.assigned_agent_id = "P-ATX-01"
    assert record.changed
    assert record.take_changes() == {"status": "accepted", "assigned_agent_id": "P-ATX-01"}
    assert not record.changed
    assert record.take_changes() == {}


def test_a_row_without_every_column_is_refused_by_name() -> None:
    short = namedtuple("Row", COLUMNS[:-1])  # type: ignore[misc]
    with pytest.raises(TypeError, match=COLUMNS[-1]):
        Referral.of(short(*([None] * (len(COLUMNS) - 1))))


def stored(session: Transaction, number: int) -> Any:
    """The referral's row as the database holds it inside the transaction."""
    row = stored_referral(session, number)
    assert row is not None
    return row


def test_every_change_is_written_back_before_the_next_statement(
    desk: Desk, clock: ManualClock
) -> None:
    """Records set before and after a statement, in any order, are each read back as set,
    and `tracked` hands back the record loaded last, its changes written."""
    desk.intake([intake(client_first_name=name) for name in ("Ana", "Ben", "Cy")], clock.now())
    with desk.store.write() as session:
        ana, ben, cy = (load_referral(session, number) for number in (1, 2, 3))
        assert ana is not None and ben is not None and cy is not None
        cy.timeline = "spring"
        ana.timeline = "summer"
        assert (stored(session, 1).timeline, stored(session, 3).timeline) == ("summer", "spring")
        ana.timeline = "autumn"  # changed again after it was written back
        ben.timeline = "winter"
        assert stored(session, 1).timeline == "autumn"
        again = load_referral(session, 2)
        assert again is not None
        again.notes = "called back"
        assert session.tracked(Referral, 2) is again
        assert (again.timeline, stored(session, 2).notes) == ("winter", "called back")
        ana.timeline = "late autumn"  # left for the commit to write
    shown = {referral.client_first_name: referral.timeline for referral in desk.referrals()}
    assert shown == {"Ana": "late autumn", "Ben": "winter", "Cy": "spring"}


def test_a_views_breakdown_is_its_own(roster_desk: Desk, clock: ManualClock) -> None:
    """Changing one view's breakdown leaves the next view of the same offer as stored."""
    [first] = roster_desk.intake(intake(), clock.now())
    stored = dict(first.offers[0].breakdown)
    first.offers[0].breakdown["territory"] = -1.0
    again = roster_desk.referral(first.id)
    assert again.offers[0].breakdown == stored


@pytest.mark.parametrize("kind", [Referral, FeeAgreement], ids=lambda kind: kind.__name__)
def test_a_records_typed_fields_are_its_tables_columns(kind: type[Record]) -> None:
    """The table states a record's shape; the annotations the type checker reads name
    the same columns, with each column's Python type (optional where it is nullable)."""
    own = set(kind.__annotations__) - {"table"}
    hints = {name: hint for name, hint in get_type_hints(kind).items() if name in own}
    assert set(hints) == kind.columns
    for column in kind.table.c:
        expected: Any = column.type.python_type
        if column.nullable:
            expected = expected | None
        assert hints[column.key] == expected, column.key
