"""The quarterly referral report: where referrals came from, what became of them.

CONTRACT.md (`report`) defines every figure. They are about the referrals
*received in the period* (a quarter, in the desk's time zone: a quarter starts
at local midnight on 1 January, April, July or October), *as they stand at
the report's moment* (`now`):

- A referral received after `now` does not exist yet. Its status is the one
  it had at `now`: the stored status, except for referrals whose status
  changed after `now` (a report re-filed for an earlier moment), whose status
  is read back from their `status` events up to `now` (`report_queries`).
- Time-stamped milestones count only when they happened by `now`: the first
  offer (`first_offered_at`), the acceptance (`accepted_at`), a logged fee
  agreement (`created_at`), a fee payment (`paid_on`, a date in the desk's zone).
- Medians and the 90th percentile are *nearest-rank*: the smallest observed
  value with at least half (nine tenths) of the observations at or below it,
  so they are always a delay that really happened, in whole seconds.
- `dropped_rate` counts referrals that stand unassigned or lost and were never
  accepted by `now`; a quarter with no referral has no rate (`null`).
  `dropped_by_cause` splits them by why (`rules.drops`): never offered (nobody
  eligible), every offer declined or lapsed, or lost before acceptance.
- Fees are the agreements of the period's referrals: *paid* once a payment is
  recorded, *pending* while logged and unpaid, unless the referral was lost
  (no sale, no fee). Pending amounts are the expected amounts (known once the
  sale's figures are recorded); paid amounts are what was paid.
- Closing rate by cohort: for each month of the twelve ending with the
  quarter, the share of that month's referrals that closed, whenever they
  closed (received in June, closed in September: June's cohort).

Every figure is an SQL aggregate over an index (migration 0004); nothing
loads the period's rows. The same computation serves the simulator over any
span (`span_period`). Output formats live in `report_formats.py`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..rules.drops import DROP_CAUSES, DropCause
from ..rules.errors import InvalidInput, echo
from ..rules.timefmt import FIRST_YEAR, LAST_YEAR, cents_to_text
from ..rules.vocabulary import SOURCE_TYPES
from ..storage.transaction import Transaction
from . import queries as q
from .as_of import apply_fee_corrections, moved_after

__all__ = [
    "FEE_STATES",
    "TOP_SOURCES",
    "Cohort",
    "FeeFigure",
    "Month",
    "Period",
    "Report",
    "SourceCount",
    "build_report",
    "quarter_period",
    "span_period",
]

TOP_SOURCES = 10
"""How many referring parties `top_sources` lists."""

FEE_DIRECTIONS = ("receivable", "payable")
FEE_STATES = ("pending", "paid")
COHORT_MONTHS = 12
"""A quarter's closing rates cover the twelve months ending with it."""

_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True)
class Month:
    """One calendar month in the desk's time zone, as a UTC range."""

    label: str
    """`YYYY-MM`."""
    start: datetime
    """Local midnight on the 1st, in UTC."""
    end: datetime
    """Local midnight on the 1st of the next month, in UTC (exclusive)."""


@dataclass(frozen=True)
class Period:
    """What a report covers: referrals received in [start, end), and its cohort months."""

    label: str
    """`2026-Q3` for a quarter; free text for a simulated span."""
    start: datetime
    end: datetime
    timezone: str
    """The desk's IANA zone, in which the period and its months are drawn."""
    cohort_months: tuple[Month, ...]
    """Months whose closing rate the report gives (oldest first)."""

    def last_day(self) -> date:
        """The period's last calendar day in the desk's zone (for titles)."""
        return (self.end.astimezone(ZoneInfo(self.timezone)) - timedelta(microseconds=1)).date()

    def first_day(self) -> date:
        """The period's first calendar day in the desk's zone."""
        return self.start.astimezone(ZoneInfo(self.timezone)).date()


def _month_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=zone).astimezone(UTC)


def calendar_month(year: int, month: int, zone: ZoneInfo) -> Month:
    """One calendar month of the desk's zone (`month` 1–12)."""
    return Month(
        label=f"{year:04d}-{month:02d}",
        start=_month_start(year, month, zone),
        end=_month_start(year, month + 1, zone),
    )


def _months(first_year: int, first_month: int, count: int, zone: ZoneInfo) -> tuple[Month, ...]:
    months = []
    for offset in range(count):
        index = first_month - 1 + offset
        months.append(calendar_month(first_year + index // 12, index % 12 + 1, zone))
    return tuple(months)


def quarter_period(text: str, zone: ZoneInfo) -> Period:
    """The quarter `YYYY-QN` in the desk's zone, with the twelve months ending with it.

    Raises:
        InvalidInput: `quarter: …` when the text is not a quarter, or not one of the
            years the desk takes (1900 to 2199).
    """
    match = _QUARTER.match(text.strip())
    if match is None:
        raise InvalidInput([f"quarter: must be YYYY-QN, e.g. 2026-Q3 (got {echo(text.strip())})"])
    year, quarter = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:  # 9999-Q4 would end in the year 10000
        raise InvalidInput([f"quarter: the year must be from {FIRST_YEAR} to {LAST_YEAR}"])
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    cohort_first = last_month - COHORT_MONTHS + 1
    cohort_year = year + (cohort_first - 1) // 12
    return Period(
        label=f"{year}-Q{quarter}",
        start=_month_start(year, first_month, zone),
        end=_month_start(year, first_month + 3, zone),
        timezone=zone.key,
        cohort_months=_months(cohort_year, (cohort_first - 1) % 12 + 1, COHORT_MONTHS, zone),
    )


def span_period(label: str, start: datetime, end: datetime, zone: ZoneInfo) -> Period:
    """Any span (the simulator's), with every month it touches as a cohort."""
    local_start, local_end = (
        start.astimezone(zone),
        (end - timedelta(microseconds=1)).astimezone(zone),
    )
    count = (local_end.year - local_start.year) * 12 + local_end.month - local_start.month + 1
    return Period(
        label=label,
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        timezone=zone.key,
        cohort_months=_months(local_start.year, local_start.month, max(count, 1), zone),
    )


@dataclass(frozen=True)
class SourceCount:
    """A referring party and how many of the period's referrals it sent."""

    name: str
    count: int


@dataclass(frozen=True)
class FeeFigure:
    """How many fee agreements, and their amount in cents."""

    count: int = 0
    cents: int = 0

    @property
    def amount(self) -> str:
        """Dollars with two decimals, as the contract writes fee amounts."""
        return cents_to_text(self.cents) or "0.00"


@dataclass(frozen=True)
class Cohort:
    """The referrals received in one month and how many of them closed."""

    month: str
    received: int
    closed: int

    @property
    def closing_rate(self) -> float:
        return _share(self.closed, self.received) or 0.0


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Report:
    """Every figure of the report, ready for JSON, Markdown or CSV."""

    period: Period
    now: datetime
    received: int
    by_source_type: dict[str, int]
    outcomes: dict[str, int]
    top_sources: tuple[SourceCount, ...]
    fees: dict[str, dict[str, FeeFigure]]
    """direction → state (pending, paid) → figure."""
    assignment_delay_median: int | None
    assignment_delay_p90: int | None
    offered: int
    """Referrals with a first offer by `now` (the delays' sample size)."""
    acceptance_median: int | None
    accepted: int
    """Referrals accepted by `now` (the acceptance time's sample size)."""
    dropped_by_cause: dict[DropCause, int]
    """Dropped referrals by cause (`rules.drops`), every cause present."""
    cohorts: tuple[Cohort, ...]
    """Months of the cohort window that received any referral, oldest first."""

    @property
    def quarter(self) -> str:
        return self.period.label

    @property
    def dropped(self) -> int:
        """Referrals that ended unassigned or lost with no agent ever accepting."""
        return sum(self.dropped_by_cause.values())

    @property
    def dropped_rate(self) -> float | None:
        return _share(self.dropped, self.received)

    def to_json(self) -> dict[str, Any]:
        """The contract's document: exactly its keys."""
        return {
            "quarter": self.period.label,
            "received": self.received,
            "by_source_type": dict(self.by_source_type),
            "outcomes": dict(self.outcomes),
            "top_sources": [{"name": s.name, "count": s.count} for s in self.top_sources],
            "fees": {
                direction: {
                    state: {"count": figure.count, "amount": figure.amount}
                    for state, figure in states.items()
                }
                for direction, states in self.fees.items()
            },
            "assignment_delay_seconds": {
                "median": self.assignment_delay_median,
                "p90": self.assignment_delay_p90,
            },
            "acceptance_seconds": {"median": self.acceptance_median},
            "dropped_rate": self.dropped_rate,
            "dropped_by_cause": dict(self.dropped_by_cause),
            "closing_rate_by_cohort": {c.month: c.closing_rate for c in self.cohorts},
        }


def _tiling(window: q.Window, months: list[q.Window]) -> list[int] | None:
    """Indexes of the months that tile the window exactly (a quarter's three), or None.

    Then the window's counts are theirs, and its index ranges are not walked twice.
    """
    inside = [i for i, m in enumerate(months) if window.start <= m.start and m.end <= window.end]
    edge = window.start
    for index in inside:
        if months[index].start != edge:
            return None
        edge = months[index].end
    return inside if edge == window.end else None


def build_report(session: Transaction, period: Period, now: datetime) -> Report:
    """Computes the report for `period` as it stands at `now` (see the module's rules)."""
    zone = ZoneInfo(period.timezone)
    today = now.astimezone(zone).date()
    high = min(period.end, now + timedelta(microseconds=1))
    window = q.Window(period.start, max(period.start, high))
    earliest = min(period.start, period.cohort_months[0].start)
    moved = moved_after(session, now, earliest, high)
    months = [
        q.Window(month.start, max(month.start, min(month.end, high)))
        for month in period.cohort_months
    ]
    counts = q.status_counts(session, months, window, now, _tiling(window, months))
    standing = counts.standing
    cohorts = []
    for month, month_window, (received, closed) in zip(
        period.cohort_months, months, counts.months, strict=True
    ):
        closed += sum(c.closed_delta for c in moved if month_window.holds(c.received_at))
        if received:
            cohorts.append(Cohort(month.label, received, closed))
    in_period = [c for c in moved if window.holds(c.received_at)]
    outcomes = {
        "closed": standing.closed + sum(c.closed_delta for c in in_period),
        "lost": standing.lost + sum(c.lost_delta for c in in_period),
    }
    outcomes["active"] = standing.received - outcomes["closed"] - outcomes["lost"]
    dropped_by_cause = Counter(standing.dropped_by_cause)
    for correction in in_period:
        if correction.stored_cause is not None:
            dropped_by_cause[correction.stored_cause] -= 1
        if correction.then_cause is not None:
            dropped_by_cause[correction.then_cause] += 1
    sources = q.source_counts(session, window, TOP_SOURCES)
    by_type = {kind: sources.by_type.get(kind, 0) for kind in SOURCE_TYPES}
    later = (sum(c.offered_later for c in in_period), sum(c.accepted_later for c in in_period))
    delays = q.delay_percentiles(session, window, now, later)
    fee_rows = q.fee_sums(session, window, delays.ids, now, today)
    fee_rows = apply_fee_corrections(fee_rows, session, in_period, now, today)
    fees = {
        direction: {
            state: FeeFigure(*fee_rows.get((direction, state), (0, 0))) for state in FEE_STATES
        }
        for direction in FEE_DIRECTIONS
    }
    return Report(
        period=period,
        now=now,
        received=standing.received,
        by_source_type=by_type,
        outcomes={key: outcomes[key] for key in ("closed", "lost", "active")},
        top_sources=tuple(SourceCount(name, count) for name, count in sources.top),
        fees=fees,
        assignment_delay_median=delays.offer_median,
        assignment_delay_p90=delays.offer_p90,
        offered=delays.offered,
        acceptance_median=delays.acceptance_median,
        accepted=delays.accepted,
        dropped_by_cause={cause: dropped_by_cause[cause] for cause in DROP_CAUSES},
        cohorts=tuple(cohorts),
    )
