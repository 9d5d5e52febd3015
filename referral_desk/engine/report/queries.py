"""The report's SQL: each figure an aggregate answered from an index (migration 0004).

Counting by outcome walks `ix_referral_status_received` once per status group
and month (equality on status and archived status, a range on `received_at`),
which costs one index entry per referral and never sorts. Medians walk the
delay expression indexes in order with LIMIT/OFFSET, from whichever end is
nearer the wanted rank. Fees are found through the period's range of referral
ids, so only the agreements of (about) those referrals are read.

Counts use the stored status; `report_asof` corrects the few referrals whose
status changed after the report's moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, case, func, literal, literal_column, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from ..rules.lifecycle import CLOSED_STATUSES
from ..storage import tables as m
from ..storage.columns import UTCDateTime
from ..storage.transaction import Transaction

REFERRAL: Table = m.referral
FEES: Table = m.fee_agreement
PARTIES: Table = m.referring_party
EVENTS: Table = m.event
R, F, P, E = REFERRAL.c, FEES.c, PARTIES.c, EVENTS.c
"""The tables' columns, short: the report's queries name many of them."""


@dataclass(frozen=True)
class Window:
    """Referrals received in [start, end) — a period or month, capped at the report's moment."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def where(self, by_range: bool = True) -> ColumnElement[bool]:
        """The window's condition; `by_range=False` words it so no index range serves it.

        A median over most of the desk is cheapest walking the delay index in
        order; a plain condition on `received_at` would tempt the planner into
        the `received_at` range and a sort instead.
        """
        if by_range:
            return and_(R.received_at >= self.start, R.received_at < self.end)
        received = func.coalesce(R.received_at, R.received_at, type_=UTCDateTime())
        return and_(received >= self.start, received < self.end)


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """Whole seconds from `earlier` to `later`, written exactly as migration 0004 indexes it."""
    if dialect == "sqlite":
        days = func.julianday(later) - func.julianday(earlier)
        return func.round(days * literal_column("86400.0"))
    return func.round(func.extract("epoch", later - earlier))


def _count(*conditions: ColumnElement[bool]) -> Any:
    return select(func.count()).select_from(REFERRAL).where(*conditions).scalar_subquery()


def _never_accepted(now: datetime) -> ColumnElement[bool]:
    return or_(R.accepted_at.is_(None), R.accepted_at > now)


def _closed_columns(window: Window) -> list[Any]:
    """Received, closed and archived-closed counts of a window: three index walks."""
    return [
        _count(window.where()),
        _count(R.status.in_(CLOSED_STATUSES), R.archived_from.is_(None), window.where()),
        _count(R.status == "archived", R.archived_from.in_(CLOSED_STATUSES), window.where()),
    ]


@dataclass(frozen=True)
class Standing:
    """The period's referrals by stored status: received, closed, lost, and dropped
    by cause (`rules.drops`)."""

    received: int
    closed: int
    lost: int
    dropped_by_cause: dict[str, int]


@dataclass(frozen=True)
class StatusCounts:
    """(received, closed) of each month, and the period's standing, by stored status."""

    months: list[tuple[int, int]]
    standing: Standing


def status_counts(
    session: Transaction,
    months: Sequence[Window],
    period: Window,
    now: datetime,
    tiling: Sequence[int] | None,
) -> StatusCounts:
    """Every count by status in one statement of scalar subqueries, one index walk each.

    `tiling` lists the months that tile the period exactly (a quarter's three):
    their counts are the period's, so the period is not walked again for them.
    `moved_after` corrects the referrals that moved after `now`.
    """
    columns = [column for month in months for column in _closed_columns(month)]
    if tiling is None:
        columns += _closed_columns(period)
    lost = (R.status == "lost", R.archived_from.is_(None), period.where())
    archived_lost = (R.status == "archived", R.archived_from == "lost", period.where())
    unassigned = (R.status == "unassigned", R.archived_from.is_(None), period.where())
    never = _never_accepted(now)
    columns += [
        _count(*lost),
        _count(*archived_lost),
        _count(*lost, never),
        _count(*archived_lost, never),
        _count(*unassigned, never, R.first_offered_at.is_(None)),
        _count(*unassigned, never, R.first_offered_at.is_not(None)),
    ]
    values = [int(value) for value in session.execute(select(*columns)).one()]
    by_month = [(values[3 * i], values[3 * i + 1] + values[3 * i + 2]) for i in range(len(months))]
    rest = values[3 * len(months) :]
    if tiling is None:
        received, closed, rest = rest[0], rest[1] + rest[2], rest[3:]
    else:
        received = sum(by_month[i][0] for i in tiling)
        closed = sum(by_month[i][1] for i in tiling)
    lost_count, archived_count, lost_never, archived_never, never_offered, offered = rest
    causes = {
        "nobody_eligible": never_offered,
        "declined_or_lapsed": offered,
        "lost_before_acceptance": lost_never + archived_never,
    }
    standing = Standing(received, closed, lost_count + archived_count, causes)
    return StatusCounts(by_month, standing)


@dataclass(frozen=True)
class Sources:
    """Counts by type of referring party, and the parties that sent the most."""

    by_type: dict[str, int]
    top: list[tuple[str, int]]
    """(name, count), most referrals first (ties by name, then oldest party)."""


def source_counts(session: Transaction, window: Window, top: int) -> Sources:
    """One grouping of the window by referring party, read two ways in one statement.

    The grouping is a CTE the database materializes once; the statement returns
    only the four type totals and the `top` parties, never a row per party.
    """
    counts = (
        select(R.source_id.label("source_id"), func.count().label("n"))
        .where(window.where())
        .group_by(R.source_id)
        .cte("source_counts")
        .prefix_with("MATERIALIZED")
    )
    totals = (
        select(literal("type").label("kind"), P.type, func.sum(counts.c.n))
        .join(counts, counts.c.source_id == P.id)
        .group_by(P.type)
    )
    best = (
        select(literal("top").label("kind"), P.name, counts.c.n)
        .join(counts, counts.c.source_id == P.id)
        .order_by(counts.c.n.desc(), P.name, P.id)
        .limit(top)
        .subquery()
    )
    rows = session.execute(union_all(totals, select(best))).all()
    return Sources(
        by_type={label: int(n) for kind, label, n in rows if kind == "type"},
        top=[(label, int(n)) for kind, label, n in rows if kind == "top"],
    )


def _paid(today: date) -> ColumnElement[bool]:
    return and_(F.paid_cents.is_not(None), F.paid_on <= today)


def _lost() -> ColumnElement[bool]:
    return or_(R.status == "lost", and_(R.status == "archived", R.archived_from == "lost"))


def fee_sums(
    session: Transaction, window: Window, ids: tuple[int, int] | None, now: datetime, today: date
) -> dict[tuple[str, str], tuple[int, int]]:
    """(direction, pending|paid) → (count, cents) over the window's referrals' agreements.

    `ids` is the window's lowest and highest referral id (None: no referral): the
    agreements are read by that range of their index, each checked against the window.
    """
    if ids is None:
        return {}
    low, high = ids
    paid = _paid(today)
    state = case((paid, "paid"), else_="pending")
    cents = case((paid, F.paid_cents), else_=func.coalesce(F.expected_cents, 0))
    rows = session.execute(
        select(F.direction, state, func.count(), func.sum(cents))
        .join(REFERRAL, R.id == F.referral_id)
        .where(
            F.referral_id.between(low, high),
            window.where(),
            F.created_at <= now,
            or_(paid, ~_lost()),
        )
        .group_by(F.direction, state)
    ).all()
    return {(d, s): (int(n), int(total or 0)) for d, s, n, total in rows}


@dataclass(frozen=True)
class Delays:
    """Routing delays in whole seconds (nearest-rank percentiles), with sample sizes."""

    ids: tuple[int, int] | None
    """The window's lowest and highest referral id (for `fee_sums`); None when empty."""
    offered: int
    offer_median: int | None
    offer_p90: int | None
    accepted: int
    acceptance_median: int | None


def _rank(count: int, tenths: int) -> int:
    """Nearest rank (1-based) of the `tenths`/10 percentile among `count` values."""
    return max(1, (tenths * count + 9) // 10)


WALK_SHARE = 0.1
"""Above this share of the desk's referrals, a median walks the delay index in order;
below it, sorting the period's own rows is cheaper (a sort costs ~5 index steps a row)."""


def _at_rank(
    session: Transaction,
    window: Window,
    expression: ColumnElement[Any],
    moment: Any,
    now: datetime,
    count: int,
    rank: int,
    walk: bool,
) -> int | None:
    """The rank-th smallest value: an index walk from the nearer end, or a sort."""
    if count == 0:
        return None
    ascending = rank - 1 <= count - rank
    query = (
        select(expression)
        .where(window.where(by_range=not walk), moment <= now, expression.is_not(None))
        .order_by(expression if ascending else expression.desc())
        .limit(1)
        .offset(rank - 1 if ascending else count - rank)
    )
    value = session.execute(query).scalar()
    # A referral may be received up to a day after its first offer was made (clocks and
    # time zones disagree a little): that delay counts as none, never as a negative one.
    # Clamping is monotone, so the rank-th clamped value is the clamped rank-th value.
    return None if value is None else max(0, int(value))


def delay_percentiles(
    session: Transaction, window: Window, now: datetime, later: tuple[int, int] = (0, 0)
) -> Delays:
    """Received → first offer (median, p90) and first offer → accepted (median).

    The sample sizes count the milestones stored in the window (a null test per
    index entry, no comparison), less `later`: the (first offers, acceptances)
    that came after `now`, which `report_asof.moved_after` finds.
    """
    dialect = session.dialect.name
    offered_expr = seconds_between(R.first_offered_at, R.received_at, dialect)
    accepted_expr = seconds_between(R.accepted_at, R.first_offered_at, dialect)
    largest_id = select(func.max(R.id)).scalar_subquery()
    offered, accepted, low, high, size = session.execute(
        select(
            func.count(R.first_offered_at),
            func.count(R.accepted_at),
            func.min(R.id),
            func.max(R.id),
            largest_id.label("size"),
        ).where(window.where())
    ).one()
    offered, accepted = offered - later[0], accepted - later[1]
    desk_size = int(size or 0)
    first, answered = R.first_offered_at, R.accepted_at
    offer_walk = offered > WALK_SHARE * desk_size
    accept_walk = accepted > WALK_SHARE * desk_size
    return Delays(
        ids=None if low is None else (int(low), int(high)),
        offered=int(offered),
        offer_median=_at_rank(
            session, window, offered_expr, first, now, offered, _rank(offered, 5), offer_walk
        ),
        offer_p90=_at_rank(
            session, window, offered_expr, first, now, offered, _rank(offered, 9), offer_walk
        ),
        accepted=int(accepted),
        acceptance_median=_at_rank(
            session, window, accepted_expr, answered, now, accepted, _rank(accepted, 5), accept_walk
        ),
    )
