"""To closing and after: status moves, fees, acknowledgment tasks, flags."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from ...delivery.escalation import raise_flag
from ...read.views import FlagView, ReferralView, TaskView
from ...rules.errors import InvalidInput, NotFound, Refused, echo
from ...rules.ids import format_id, parse_id
from ...rules.text import checked_text
from ...rules.vocabulary import MANUAL_KINDS
from ...storage import tables as m
from ...storage.rows import referral_row
from ..writer import DeskWriter, settings_of
from . import flags as flag_rules
from . import steps as closing
from .acknowledgments import complete

FLAG_TEXT_MAX = 5000
"""Longest flag detail or resolution note: as long as an intake's notes."""


class ClosingService:
    """What happens once a referral has its agent."""

    def __init__(self, writer: DeskWriter) -> None:
        self.writer = writer
        self.flag_sweep_every = timedelta(hours=1)
        """How often the clock looks for time-based flags (they move by the day, not second)."""
        self._last_flag_sweep: datetime | None = None

    def change_status(
        self,
        referral_id: str,
        status: str,
        now: datetime,
        *,
        sale_price: int | None = None,
        commission_rate: Decimal | None = None,
        closing_date: date | None = None,
        reason: str | None = None,
        on: date | None = None,
    ) -> ReferralView:
        """Moves a referral to a new status (the move is checked before its options)."""
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            run = self.writer.routing_run(session, now)
            closing.change_status(
                run,
                referral,
                status.strip().lower(),
                sale_price=sale_price,
                commission_rate=commission_rate,
                closing_date=closing_date,
                reason=reason,
                on=on,
            )
            if referral.status == "in_escrow":  # a closing near with no fee: say so at once
                flag_rules.flag_fee_deadline_if_due(session, referral.id, now, run.settings)
            return self.writer.written(session, referral.id or 0)

    def log_fee(
        self,
        referral_id: str,
        direction: str,
        percent: Decimal | None,
        agreed_by: str,
        now: datetime,
        on: date | None = None,
    ) -> ReferralView:
        """Records a fee agreement the agent made; a pending referral becomes awarded."""
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            run = self.writer.routing_run(session, now)
            closing.log_fee(run, referral, direction.strip().lower(), percent, agreed_by, on)
            return self.writer.written(session, referral.id or 0)

    def fee_paid(
        self,
        referral_id: str,
        amount: Decimal,
        now: datetime,
        on: date | None = None,
        direction: str | None = None,
    ) -> ReferralView:
        """Records a payment on a fee; a different amount than expected raises a flag."""
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            run = self.writer.routing_run(session, now)
            closing.record_payment(run, referral, amount, on, direction)
            return self.writer.written(session, referral.id or 0)

    def complete_task(self, task_id: str, now: datetime) -> TaskView:
        """Marks an acknowledgment done (the thank-you was sent, the card written)."""
        with self.writer.writing() as session:
            done = complete(session, parse_id("task", task_id), now)
            if done is None:
                raise NotFound(f"task: no task {echo(task_id.strip())}")
            task, newly_done = done
            if not newly_done:
                raise Refused(f"task: {format_id('task', task.id or 0)} is already done")
            self.writer.record(
                session,
                task.referral_id,
                "thanked",
                now,
                detail=f"{task.kind.replace('_', ' ')} done",
            )
            return TaskView.of(task)

    def complete_first_open_task(self, referral_id: str, now: datetime) -> TaskView | None:
        """Marks the referral's earliest open task done (the demo's stories use it)."""
        number = parse_id("referral", referral_id)
        with self.writer.read() as session:
            task_id = session.execute(
                select(m.ack_task.c.id)
                .where(m.ack_task.c.referral_id == number, m.ack_task.c.done_at.is_(None))
                .order_by(m.ack_task.c.due_at)
                .limit(1)
            ).scalar()
        return None if task_id is None else self.complete_task(format_id("task", task_id), now)

    def raise_flag(self, kind: str, referral_id: str, now: datetime, detail: str = "") -> FlagView:
        """Raises a flag by hand, e.g. a referring party asking about status.

        The detail is multi-line free text (`rules/text.py`): newlines and tabs, no
        control characters.
        """
        if kind not in MANUAL_KINDS:
            allowed = ", ".join(MANUAL_KINDS)
            raise InvalidInput(
                [f"kind: {echo(kind)} cannot be raised by hand (allowed: {allowed})"]
            )
        detail = checked_text("detail", detail, multiline=True, max_length=FLAG_TEXT_MAX)
        with self.writer.writing() as session:
            referral = referral_row(session, referral_id)
            flag = raise_flag(
                session,
                kind,
                now,
                detail or kind.replace("_", " "),
                referral_id=referral.id,
                source_id=referral.source_id,
                settings=settings_of(session),
            )
            self.writer.record(session, referral.id, "flag", now, detail=f"{kind}: {flag.detail}")
            return FlagView.of(flag)

    def resolve_flag(self, flag_id: str, note: str, now: datetime) -> FlagView:
        """Resolves a flag with a note (multi-line free text); it stays in the history."""
        note = checked_text("note", note, multiline=True, max_length=FLAG_TEXT_MAX)
        if not note:
            raise InvalidInput(["note: say how the flag was resolved"])
        with self.writer.writing() as session:
            number = parse_id("flag", flag_id)
            flag = session.execute(select(m.flag).where(m.flag.c.id == number)).one_or_none()
            if flag is None:
                raise NotFound(f"flag: no flag {echo(flag_id.strip())}")
            if flag.resolved_at is not None:
                raise Refused(f"flag: {format_id('flag', flag.id or 0)} is already resolved")
            flag = session.execute(
                update(m.flag)
                .where(m.flag.c.id == number)
                .values(resolved_at=now, resolution_note=note)
                .returning(*m.flag.c)
            ).one()
            if flag.referral_id is not None:
                self.writer.record(
                    session, flag.referral_id, "flag", now, detail=f"resolved: {note}"
                )
            return FlagView.of(flag)

    def raise_due_flags(self, now: datetime) -> list[FlagView]:
        """Time-based flags (the clock runs this): closings near with no fee logged.

        A referral put in escrow with its closing already near is flagged by that
        move itself (`change_status`); what is left for the clock is closings that
        come near as the days pass. So the sweep runs at most once an hour per desk
        process (and again whenever `now` moves backwards, as replays do); it walked
        every referral in escrow, and the clock runs at every offer's expiry.
        """
        last = self._last_flag_sweep
        if last is not None and last <= now < last + self.flag_sweep_every:
            return []
        self._last_flag_sweep = now
        with self.writer.read() as session:
            today = now.astimezone(settings_of(session).zone).date()
            due = [row.id for row in flag_rules.due_fee_deadlines(session, today)]
        raised = []
        for number in due:
            with self.writer.writing() as session:
                flag = flag_rules.flag_fee_deadline_if_due(
                    session, number, now, settings_of(session)
                )
                if flag is not None:
                    raised.append(FlagView.of(flag))
        return raised
