"""The monthly audit (`audit --month`): what the desk's own records let slip.

Each check is built to be found, and its near misses not: an agent's referral
with a payable fee agreed, a lost one, another month's; a task done; a closing
recognised; a flag resolved.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from tests.factories import intake


def taken(desk: Desk, now: datetime, **changes: object) -> str:
    """A referral received now and accepted by its first agent."""
    [referral] = desk.intake(intake(received_at=None, **changes), now)
    desk.respond(referral.id, referral.open_offers[0].agent_id, "accept", now)
    return referral.id


def closed(desk: Desk, referral_id: str, now: datetime) -> datetime:
    desk.change_status(referral_id, "working", now)
    desk.change_status(referral_id, "in_escrow", now, closing_date=date(2026, 11, 25))
    desk.change_status(referral_id, "closed", now, sale_price=500_000,
                       commission_rate=Decimal("3"), closing_date=date(2026, 11, 25))  # fmt: skip
    return now


def test_the_audit_finds_what_slipped_and_only_that(roster_desk: Desk, clock: ManualClock) -> None:
    desk = roster_desk
    now = clock.now()  # Monday 23 November 2026, 08:00 in Chicago
    forgotten = taken(desk, now, client_first_name="Ann")  # source type agent, no fee
    agreed = taken(desk, now, client_first_name="Bo")
    desk.log_fee(agreed, "payable", Decimal("25"), "John Smith", now)
    lost = taken(desk, now, client_first_name="Cy")
    desk.change_status(lost, "lost", now, reason="went quiet")
    from_a_client = taken(desk, now, client_first_name="Di", source__type="client",
                          source__name="Past Client", source__email="past@example.com")  # fmt: skip
    closed(desk, from_a_client, now + timedelta(days=1))
    flagged = desk.raise_flag("status_inquiry", forgotten, now, "asked twice")
    resolved = desk.raise_flag("status_inquiry", agreed, now)
    desk.resolve_flag(resolved.id, "called back", now)
    december = taken(desk, now + timedelta(days=9), client_first_name="Ed")

    audit = desk.audit("2026-11", now + timedelta(days=20)).to_json()
    assert audit["month"] == "2026-11"
    assert audit["agent_referrals_without_fee"] == [forgotten]
    assert from_a_client in audit["closed_without_recognition"]
    assert flagged.id in audit["open_flags"] and resolved.id not in audit["open_flags"]
    assert audit["open_flags"] == sorted(flag.id for flag in desk.flags())
    tasks = {task.id: task for task in desk.tasks()}
    assert audit["overdue_tasks"], "thank-yous were due within days"
    month_end = datetime(2026, 12, 1, 6, 0, tzinfo=now.tzinfo)
    for task_id in audit["overdue_tasks"]:
        assert tasks[task_id].done_at is None and tasks[task_id].due_at < month_end
    assert december not in audit["agent_referrals_without_fee"]
    assert desk.audit("2026-12", now + timedelta(days=20)).to_json()[
        "agent_referrals_without_fee"
    ] == [december]


def test_done_work_leaves_the_audit(roster_desk: Desk, clock: ManualClock) -> None:
    desk = roster_desk
    now = clock.now()
    rid = taken(desk, now, source__type="client", source__name="Past Client",
                source__email="past@example.com")  # fmt: skip
    closed(desk, rid, now)
    later = now + timedelta(days=30)
    before = desk.audit("2026-11", later).to_json()
    assert rid in before["closed_without_recognition"]
    for task in desk.tasks(open_only=True):
        desk.complete_task(task.id, later)
    after = desk.audit("2026-11", later).to_json()
    assert rid not in after["closed_without_recognition"]
    assert after["overdue_tasks"] == []


def test_overdue_counts_only_what_is_due_by_now_when_now_is_inside_the_month(
    roster_desk: Desk, clock: ManualClock
) -> None:
    desk = roster_desk
    taken(desk, clock.now())
    assert desk.audit("2026-11", clock.now()).to_json()["overdue_tasks"] == []


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "26-11", "2026/11", "", "1899-12", "x" * 60]
)
def test_a_bad_month_is_refused_naming_it(
    roster_desk: Desk, clock: ManualClock, month: str
) -> None:
    with pytest.raises(InvalidInput, match="month: "):
        roster_desk.audit(month, clock.now())
