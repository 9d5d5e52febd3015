"""Referrals whose status changed after the report's moment: their figures then.

The report's SQL counts use the stored status. For a report of the present no
referral has moved since, so nothing is corrected. A report re-filed for an
earlier moment (`--now` in the past) finds the referrals with a `status` event
after that moment (the `ix_event_kind_at` index), reads each one's status at
the moment back from its `status` events up to it (their detail starts with
`previous → new`, as `dispatch.set_status` writes it; none means it was still
`new`), and returns the difference each makes to the counts. A milestone
(first offer, acceptance) is always written along with a status move, so one
after the moment also belongs to such a referral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..rules.drops import DropCause, drop_cause
from ..rules.lifecycle import outcome
from ..rules.vocabulary import REFERRAL_STATUSES
from ..storage.transaction import Transaction
from .queries import EVENTS, FEES, REFERRAL

__all__ = ["Correction", "apply_fee_corrections", "moved_after"]

_CHUNK = 500
"""Ids per `IN (…)` list when reading moved referrals back."""

R, F, E = REFERRAL.c, FEES.c, EVENTS.c


@dataclass(frozen=True)
class Correction:
    """A referral whose status changed after the report's moment: its figures then vs now."""

    referral_id: int
    received_at: datetime
    stored_lost: bool
    then_lost: bool
    closed_delta: int
    lost_delta: int
    stored_cause: DropCause | None
    """Why it is dropped as stored (None: not dropped)."""
    then_cause: DropCause | None
    """Why it was dropped at the report's moment (None: it was not)."""
    offered_later: bool
    """It was first offered after `now` (so not yet at `now`)."""
    accepted_later: bool
    """It was accepted after `now`."""


def _figures(
    status: str, archived_from: str | None, never_accepted: bool, offered: bool
) -> tuple[int, int, DropCause | None]:
    """(closed, lost) as 0/1 and the drop cause, for one referral, matching the SQL counts."""
    try:
        result = outcome(status, archived_from)
    except ValueError:  # archived with no (or an odd) archived-from status: counted active
        result = "active"
    cause = drop_cause(status, archived_from, accepted=not never_accepted, offered=offered)
    return int(result == "closed"), int(result == "lost"), cause


def _status_then(details: Sequence[str]) -> tuple[str, str | None]:
    """The status (and archived-from status) after the last of these status events."""
    status, archived_from = "new", None
    for detail in details:
        previous, arrow, rest = detail.partition(" → ")
        target = rest.split(":", 1)[0].strip()
        if arrow and target in REFERRAL_STATUSES:
            status = target
            archived_from = previous.strip() if target == "archived" else None
    return status, archived_from


def moved_after(
    session: Transaction, now: datetime, start: datetime, end: datetime
) -> list[Correction]:
    """Referrals received in [start, end) whose status changed after `now`, corrected."""
    later = select(E.referral_id).where(E.kind == "status", E.at > now, E.referral_id.is_not(None))
    rows = session.execute(
        select(
            R.id, R.received_at, R.status, R.archived_from, R.accepted_at, R.first_offered_at
        ).where(R.id.in_(later), R.received_at >= start, R.received_at < end)
    ).all()
    details: dict[int, list[str]] = {}
    ids = [row[0] for row in rows]
    for offset in range(0, len(ids), _CHUNK):
        events = session.execute(
            select(E.referral_id, E.detail)
            .where(
                E.referral_id.in_(ids[offset : offset + _CHUNK]),
                E.kind == "status",
                E.at <= now,
            )
            .order_by(E.referral_id, E.at, E.id)
        ).all()
        for referral_id, detail in events:
            details.setdefault(referral_id, []).append(detail)
    corrections = []
    for referral_id, received_at, status, archived_from, accepted_at, offered_at in rows:
        never = accepted_at is None or accepted_at > now
        offered_then = offered_at is not None and offered_at <= now
        stored = _figures(status, archived_from, never, offered_at is not None)
        then = _figures(*_status_then(details.get(referral_id, [])), never, offered_then)
        corrections.append(
            Correction(
                referral_id=referral_id,
                received_at=received_at,
                stored_lost=bool(stored[1]),
                then_lost=bool(then[1]),
                closed_delta=then[0] - stored[0],
                lost_delta=then[1] - stored[1],
                stored_cause=stored[2],
                then_cause=then[2],
                offered_later=offered_at is not None and offered_at > now,
                accepted_later=accepted_at is not None and accepted_at > now,
            )
        )
    return corrections


def apply_fee_corrections(
    sums: dict[tuple[str, str], tuple[int, int]],
    session: Transaction,
    moved: Sequence[Correction],
    now: datetime,
    today: date,
) -> dict[tuple[str, str], tuple[int, int]]:
    """Pending fees of moved referrals that were (not) lost at the report's moment."""
    toggled = {c.referral_id: c.then_lost for c in moved if c.stored_lost != c.then_lost}
    if not toggled:
        return sums
    result = dict(sums)
    agreements = session.execute(
        select(F.referral_id, F.direction, F.expected_cents, F.paid_cents, F.paid_on).where(
            F.referral_id.in_(list(toggled)), F.created_at <= now
        )
    ).all()
    for referral_id, direction, expected, paid_cents, paid_on in agreements:
        if paid_cents is not None and paid_on is not None and paid_on <= today:
            continue  # paid counts whatever became of the referral
        sign = -1 if toggled[referral_id] else 1
        count, cents = result.get((direction, "pending"), (0, 0))
        result[(direction, "pending")] = (count + sign, cents + sign * (expected or 0))
    return result
