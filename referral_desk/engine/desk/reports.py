"""Reading the desk's figures: the quarterly report (and any span, for the simulator)."""

from __future__ import annotations

from datetime import datetime

from ..report.audit import Audit, build_audit, month_of
from ..report.figures import Period, Report, build_report, quarter_period
from .writer import DeskWriter, settings_of


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
