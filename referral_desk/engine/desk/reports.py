"""Reading the desk's figures: the quarterly report (and any span, for the simulator), the
monthly audit, drops per market and the roster's coverage."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select

from ..report.audit import Audit, build_audit, month_of
from ..report.figures import Period, Report, build_report, quarter_period
from ..report.market_drops import MarketDrops, market_drops
from ..rules.coverage import CoverageRow, Presence, coverage_rows
from ..storage import tables as m
from ..storage.columns import split_list
from ..storage.transaction import Transaction
from .writer import DeskWriter, settings_of

COVERAGE_DAYS = timedelta(days=90)
"""How far back the coverage check counts received and dropped referrals."""


class ReportService:
    """Reports read only: they never write, so they never take the write lock."""

    def __init__(self, writer: DeskWriter) -> None:
        self.writer = writer

    def report(self, quarter: str, now: datetime) -> Report:
        """The report on the referrals received in `quarter` (`YYYY-QN`), as they stand at now.

        The quarter is drawn in the desk's time zone (CONTRACT.md, `report`).
        """
        with self.writer.read() as session:
            period = quarter_period(quarter, settings_of(session).zone)
            return build_report(session, period, now)

    def audit(self, month: str, now: datetime) -> Audit:
        """The monthly audit of the desk's own records (`report/audit.py`)."""
        with self.writer.read() as session:
            return build_audit(session, month_of(month, settings_of(session).zone), now)

    def report_for(self, period: Period, now: datetime) -> Report:
        """The same figures over any period (the simulator reports on its whole span)."""
        with self.writer.read() as session:
            return build_report(session, period, now)

    def market_drops(self, start: datetime, end: datetime) -> dict[tuple[str, str], MarketDrops]:
        """Referrals received in [start, end) and dropped, by cause, per metro and side."""
        with self.writer.read() as session:
            return market_drops(session, start, end)

    def coverage(self, now: datetime) -> list[CoverageRow]:
        """Each metro and side: agents who could take its referrals now, and its last 90
        days (`rules/coverage.py`), worst first."""
        with self.writer.read() as session:
            zone = settings_of(session).zone
            agents = _presence(session)
            lately = market_drops(session, now - COVERAGE_DAYS, now + timedelta(microseconds=1))
            metros = {metro.casefold(): metro for metro in _named_metros(session)}
        for (folded, _side), market in lately.items():
            metros.setdefault(folded, market.metro)
        received = {key: (market.received, market.dropped) for key, market in lately.items()}
        return coverage_rows(agents, metros, received, now.astimezone(zone).date())


_PRESENCE = select(
    m.agent.c.active,
    m.agent.c.metros,
    m.agent.c.sides,
    m.agent.c.capacity,
    m.agent_stats.c.load,
    m.agent.c.away_from,
    m.agent.c.away_until,
).join(m.agent_stats, m.agent_stats.c.agent_id == m.agent.c.id)


def _presence(session: Transaction) -> list[Presence]:
    """Every agent as the coverage check sees it (inactive ones too: the rule says no)."""
    return [
        Presence(active, _metros(metros), sides, capacity, load, away_from, away_until)
        for active, metros, sides, capacity, load, away_from, away_until in session.execute(
            _PRESENCE
        )
    ]


@lru_cache(maxsize=16384)
def _metros(text: str) -> frozenset[str]:
    return frozenset(metro.casefold() for metro in split_list(text))


def _named_metros(session: Transaction) -> list[str]:
    """Metros as the active agents name them (the first spelling of each, by agent id)."""
    rows = session.execute(
        select(m.agent.c.metros).where(m.agent.c.active.is_(True)).order_by(m.agent.c.id)
    )
    return [metro for (metros,) in rows for metro in split_list(metros)]
