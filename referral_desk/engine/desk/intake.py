"""Intake: referrals taken in, each with its referring party, tasks, flags and first routing.

A list is all or nothing (CONTRACT.md): every item is checked before anything is
written — its fields (`values.schemas`), then what only the desk can tell
(`intake_checks.py`). A list longer than `BATCH_SIZE` is then written in batches,
one transaction each, with a pause between them (`Store.hand_over`), so the clock
and other desks keep writing during a long import: one transaction for 10,000
referrals held the write lock for minutes and the clock failed `database: busy`.
Each referral is written whole within its batch (referral, party credit, tasks,
flags, offers, events, messages), so a crash leaves only whole referrals: the
batches committed before it, and none of the rest (`PartlyStored` says which).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Protocol

from sqlalchemy import insert

from ..read.views import ReferralView
from ..rules.errors import InvalidInput, PartlyStored
from ..rules.timefmt import check_not_ahead
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.records import Referral
from ..storage.transaction import Transaction
from ..values.schemas import IntakeIn, parse_intake
from ..values.settings import DeskSettings
from .closing.acknowledgments import add_intake_tasks
from .closing.flags import check_source_burst
from .intake_checks import check_against_desk, item_suffix
from .intake_parties import PartyBook, identity_key
from .routing import dispatch
from .writer import DeskWriter, settings_of

__all__ = ["BATCH_SIZE", "IntakeGuard", "IntakeService", "identity_key"]

BATCH_SIZE: Final = 500
"""Referrals written per transaction. A batch holds the write lock about half a second
on a quiet machine (up to two on a busy one or on PostgreSQL): the longest the clock or
another seat waits during an import. Each batch on a SQLite file is followed by a pause
of 0.12 s (`Store.hand_over`); with batches of 200 the pauses alone added 0.6 ms to
every referral, half of what one costs. A count, not a time, so which items share the
first transaction does not depend on the machine's speed (`_intake_one`)."""

_INSERT_REFERRAL = Prepared(insert(m.referral).returning(*m.referral.c))


class IntakeGuard(Protocol):
    """Steps run inside an intake's write transaction (raise to write nothing)."""

    def before(self, session: Transaction) -> None: ...

    def after(self, session: Transaction, views: list[ReferralView]) -> None: ...


class IntakeService:
    """Taking referrals in: validated all or nothing, stored, thanked and routed."""

    def __init__(self, writer: DeskWriter) -> None:
        self.writer = writer

    def intake(
        self, payload: Any, now: datetime, guard: IntakeGuard | None = None
    ) -> list[ReferralView]:
        """Stores one referral (an object) or several (a list, all or nothing), routing each.

        A `guard` (the intake API's idempotency) acts inside the write transaction:
        before anything is written, and once the views are read; it applies to a list
        short enough to be written in one transaction (`BATCH_SIZE`) only.

        An error in a later batch of a long list (the database busy beyond its
        timeout, the process stopped) leaves the earlier batches stored, whole, and
        routed: it is raised as `PartlyStored`, which names the items not stored.
        A process killed outright leaves the same, without the message:
        `sources` and `queue` show what was stored.
        """
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            raise InvalidInput(["input: the list holds no referral"])
        single = not isinstance(payload, list)
        parsed = _parse_all(items, single)
        _check_received(parsed, now, single)
        if any(data.agent_id is not None or data.network is not None for data in parsed):
            with self.writer.read() as session:
                check_against_desk(session, parsed, settings_of(session), now)
        if guard is not None:
            if len(parsed) > BATCH_SIZE:
                raise InvalidInput([f"input: at most {BATCH_SIZE} referrals in one request"])
            return self._write_batch(parsed, 0, now, guard, single=single)
        views: list[ReferralView] = []
        for start in range(0, len(parsed), BATCH_SIZE):
            if start:
                self.writer.store.hand_over()
            try:
                views += self._write_batch(parsed, start, now, single=single)
            except Exception as error:
                if not views:
                    raise  # nothing committed: the whole list was refused
                stored = [view.id for view in views]
                raise PartlyStored(error, stored, len(parsed)) from error
        return views

    def _write_batch(
        self,
        parsed: list[IntakeIn],
        start: int,
        now: datetime,
        guard: IntakeGuard | None = None,
        *,
        single: bool,
    ) -> list[ReferralView]:
        """Items `start` to `start + BATCH_SIZE` in one transaction, as views. The first
        batch checks the whole list against the settings it reads (nothing is written yet)."""
        with self.writer.writing() as session:
            if guard is not None:
                guard.before(session)
            settings = settings_of(session)
            if start == 0:
                _check_isa(parsed, settings, single)
            parties = PartyBook(session)
            numbers = [
                self._intake_one(
                    session, parties, data, settings, now, item_suffix(index, len(parsed)), start
                )
                for index, data in enumerate(parsed[start : start + BATCH_SIZE], start)
            ]
            parties.settle()
            views = self.writer.written_all(session, numbers)
            if guard is not None:
                guard.after(session, views)
            return views

    def _intake_one(
        self,
        session: Transaction,
        parties: PartyBook,
        data: IntakeIn,
        settings: DeskSettings,
        now: datetime,
        suffix: str,
        batch_start: int,
    ) -> int:
        received_at = data.received_at or now
        party = parties.party(data, now)
        note = f"{received_at.astimezone(settings.zone).date()} — referred {data.client_first_name}"
        parties.credit(party, note)
        values = {
            "received_at": received_at,
            "client_first_name": data.client_first_name,
            "client_last_name": data.client_last_name,
            "client_email": data.client_email,
            "client_phone": data.client_phone,
            "side": data.side,
            "metro": data.metro,
            "zip": data.zip,
            "price_min": data.price_min,
            "price_max": data.price_max,
            "property_type": data.property_type,
            "timeline": data.timeline,
            "notes": data.notes,
            "source_id": party.id,
            "lead_source": f"Referral — {party.name}",
            "mode": data.mode or settings.default_mode,
            "network": data.network,
            "private_agent_id": data.agent_id if data.mode == "private" else None,
            "status": "new",
            "created_at": now,
            "updated_at": now,
        }
        referral = session.track(Referral.of(session.execute(_INSERT_REFERRAL, values).one()))
        self.writer.record(
            session, referral.id, "received", received_at, detail=referral.lead_source
        )
        add_intake_tasks(session, referral, party, settings)
        check_source_burst(session, party, received_at, now, settings)
        run = self.writer.routing_run(session, now, settings)
        if referral.mode == "private" and batch_start == 0:
            # Checked before the write too (`intake_checks.py`); until the first batch
            # commits, what the list itself did to the agent may still refuse it whole.
            refusal = dispatch.private_refusal(run, referral)
            if refusal is not None:
                raise InvalidInput(
                    [f"agent_id: {data.agent_id} is not eligible: {refusal}{suffix}"]
                )
        if settings.routing_enabled:
            dispatch.start(run, referral)
        return referral.id


def _check_isa(parsed: list[IntakeIn], settings: DeskSettings, single: bool) -> None:
    """Refuses an `isa` referral (named, or the desk's default mode) while the desk has
    no inside sales agent: it would wait with nobody."""
    if settings.isa_agent_id is not None:
        return
    for index, data in enumerate(parsed):
        if (data.mode or settings.default_mode) == "isa":
            suffix = "" if single else f" (item {index + 1})"
            raise InvalidInput(
                [f"mode: isa needs the setting isa_agent_id (the inside sales agent){suffix}"]
            )


def _check_received(parsed: list[IntakeIn], now: datetime, single: bool) -> None:
    """Refuses a referral received more than a day after now, naming the item."""
    problems: list[str] = []
    for index, data in enumerate(parsed):
        if data.received_at is None:
            continue
        try:
            check_not_ahead("received_at", data.received_at, now, UTC)
        except InvalidInput as error:
            suffix = "" if single else f" (item {index + 1})"
            problems.extend(f"{problem}{suffix}" for problem in error.problems)
    if problems:
        raise InvalidInput(problems)


def _parse_all(items: list[Any], single: bool) -> list[IntakeIn]:
    parsed: list[IntakeIn] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        try:
            parsed.append(parse_intake(item))
        except InvalidInput as error:
            suffix = "" if single else f" (item {index + 1})"
            problems.extend(f"{problem}{suffix}" for problem in error.problems)
    if problems:
        raise InvalidInput(problems)
    return parsed
