"""The monthly audit of the desk's own records (`referral-desk audit --month YYYY-MM`).

The VA's standard operating procedure checks, once a month, what the desk itself
may have let slip: an agent's referral with no payable fee agreed (the referral
fee owed to the sending agent), acknowledgments past due, closings nobody
recognised, and flags still open. Read only; the month is drawn in the desk's
time zone, and "now" bounds what counts as overdue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select

from ..rules.errors import InvalidInput, echo
from ..rules.ids import format_id
from ..storage import tables as m
from ..storage.transaction import Transaction
from .figures import Month, calendar_month

__all__ = ["Audit", "build_audit", "month_of"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Audit:
    """What the month's audit found: ids to look at, oldest first."""

    month: str
    agent_referrals_without_fee: tuple[str, ...]
    overdue_tasks: tuple[str, ...]
    closed_without_recognition: tuple[str, ...]
    open_flags: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "agent_referrals_without_fee": list(self.agent_referrals_without_fee),
            "overdue_tasks": list(self.overdue_tasks),
            "closed_without_recognition": list(self.closed_without_recognition),
            "open_flags": list(self.open_flags),
        }


def month_of(text: str, zone: ZoneInfo) -> Month:
    """`YYYY-MM` as a month of the desk's zone; bad input names `month`."""
    found = _MONTH.match(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInput([f"month: must be YYYY-MM, e.g. 2026-11 (got {echo(text)})"])
    year, month = int(found.group(1)), int(found.group(2))
    if not 1900 <= year <= 2200:
        raise InvalidInput([f"month: the year must be from 1900 to 2200 (got {year})"])
    return calendar_month(year, month, zone)


def build_audit(session: Transaction, month: Month, now: datetime) -> Audit:
    """The four checks, as the records stand at `now`."""
    referral, party, fee, task, flag = (
        m.referral,
        m.referring_party,
        m.fee_agreement,
        m.ack_task,
        m.flag,
    )
    payable = exists().where(fee.c.referral_id == referral.c.id, fee.c.direction == "payable")
    without_fee = session.execute(
        select(referral.c.id)
        .join(party, party.c.id == referral.c.source_id)
        .where(
            referral.c.received_at >= month.start,
            referral.c.received_at < month.end,
            party.c.type == "agent",
            referral.c.status.not_in(("lost", "archived")),
            ~payable,
        )
        .order_by(referral.c.id)
    ).scalars()
    overdue = session.execute(
        select(task.c.id)
        .where(task.c.done_at.is_(None), task.c.due_at < min(month.end, now))
        .order_by(task.c.due_at, task.c.id)
    ).scalars()
    recognised = exists().where(
        task.c.referral_id == referral.c.id,
        task.c.kind == "closing_recognition",
        task.c.done_at.is_not(None),
    )
    unrecognised = session.execute(
        select(referral.c.id)
        .where(
            and_(referral.c.closed_at >= month.start, referral.c.closed_at < month.end),
            ~recognised,
        )
        .order_by(referral.c.id)
    ).scalars()
    flags = session.execute(
        select(flag.c.id)
        .where(flag.c.raised_at <= now, flag.c.resolved_at.is_(None) | (flag.c.resolved_at > now))
        .order_by(flag.c.id)
    ).scalars()
    return Audit(
        month=month.label,
        agent_referrals_without_fee=tuple(format_id("referral", n) for n in without_fee),
        overdue_tasks=tuple(format_id("task", n) for n in overdue),
        closed_without_recognition=tuple(format_id("referral", n) for n in unrecognised),
        open_flags=tuple(format_id("flag", n) for n in flags),
    )
