"""An in-memory desk (what `simulate` runs on) behaves exactly as a desk in a file.

The in-memory desk keeps its one connection and begins and ends its
transactions on the driver (`store._OneConnection`); a file desk goes through
SQLAlchemy's pool and transactions. The same operations, refused ones among
them, must leave both with the same referrals, histories, flags and outbox.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import DeskError
from tests.conftest import MONDAY_MORNING, ROSTER_CSV
from tests.factories import intake


def play(desk: Desk) -> dict[str, Any]:
    """A morning at the desk, with refused operations in between; everything it left."""
    clock = ManualClock(MONDAY_MORNING)
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), clock.now())
    desk.set_setting("fallback_agent_id", "T-HQ-01", clock.now())
    [sequential] = desk.intake(intake(client_first_name="Maria"), clock.now())
    [broadcast] = desk.intake(intake(client_first_name="Omar", mode="broadcast"), clock.now())
    refused: list[str] = []
    for attempt in (
        lambda: desk.respond(sequential.id, "P-NOBODY", "accept", clock.now()),
        lambda: desk.change_status(sequential.id, "closed", clock.now()),
        lambda: desk.intake(intake(price_min=900_000, price_max=100_000), clock.now()),
    ):
        with pytest.raises(DeskError) as refusal:
            attempt()
        refused.append(str(refusal.value))
    clock.advance(timedelta(minutes=5))
    first = sequential.offers[0].agent_id
    desk.respond(sequential.id, first, "decline", clock.now(), reason="full")
    claimer = broadcast.offers[1].agent_id
    desk.respond(broadcast.id, claimer, "claim", clock.now())
    clock.advance(timedelta(minutes=40))
    lapses = desk.tick(clock.now())
    now_holding = [o.agent_id for o in desk.referral(sequential.id).offers if o.is_open]
    if now_holding:
        desk.respond(sequential.id, now_holding[0], "accept", clock.now())
    desk.change_status(broadcast.id, "working", clock.now())
    desk.log_fee(broadcast.id, "payable", Decimal(25), "Agent", clock.now())
    desk.change_status(broadcast.id, "in_escrow", clock.now(), closing_date=date(2026, 12, 1))
    clock.advance(timedelta(days=1))
    desk.tick(clock.now())
    now = clock.now()
    return {
        "refused": refused,
        "lapses": [(lapse.referral_id, lapse.agent_id) for lapse in lapses],
        "referrals": [view.to_json(now) for view in desk.referrals(limit=10)],
        "histories": [
            [event.to_json() for event in desk.referral(view.id).events]
            for view in desk.referrals(limit=10)
        ],
        "flags": [flag.to_json() for flag in desk.flags()],
        "outbox": [message.to_json() for message in desk.outbox()],
        "revision": desk.revision(),
    }


def test_in_memory_and_file_desks_end_the_same(tmp_path: Path) -> None:
    in_memory = Desk.open("sqlite://", actor="test")
    in_a_file = Desk.open(str(tmp_path / "desk.db"), actor="test")
    try:
        played = play(in_memory)
        assert played == play(in_a_file)
        assert len(played["refused"]) == 3 and played["lapses"] and played["outbox"]
        assert any(view["status"] == "in_escrow" for view in played["referrals"])
    finally:
        in_memory.close()
        in_a_file.close()


def test_a_failed_write_on_an_in_memory_desk_leaves_nothing(tmp_path: Path) -> None:
    """An error inside a write (here: after its first insert) rolls the whole write back."""
    desk = Desk.open("sqlite://")
    try:
        revision = desk.revision()
        with pytest.raises(RuntimeError), desk.store.write() as session:
            session.connection.exec_driver_sql("INSERT INTO setting (key, value) VALUES ('x', '1')")
            raise RuntimeError("the write fails half-way")
        with desk.store.read() as session:
            rows = session.connection.exec_driver_sql(
                "SELECT count(*) FROM setting WHERE key = 'x'"
            )
            assert rows.scalar() == 0
        assert desk.revision() == revision
        desk.set_setting("timezone", "Asia/Tokyo", MONDAY_MORNING)  # and the desk goes on
        assert desk.settings().as_contract()["timezone"] == "Asia/Tokyo"
    finally:
        desk.close()
