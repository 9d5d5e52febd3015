"""Intake: referrals taken in, each with its referring party, tasks, flags and first routing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert

from ..read.views import ReferralView
from ..rules.errors import InvalidInput
from ..rules.schemas import IntakeIn, parse_intake
from ..rules.settings import DeskSettings
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.records import Referral
from ..storage.rows import agent_row
from ..storage.transaction import Transaction
from .closing.acknowledgments import add_intake_tasks
from .closing.flags import check_source_burst
from .intake_parties import PartyBook, identity_key
from .routing import dispatch
from .writer import DeskWriter, settings_of

__all__ = ["IntakeService", "identity_key"]

_INSERT_REFERRAL = Prepared(insert(m.referral).returning(*m.referral.c))


class IntakeService:
    """Taking referrals in: validated all or nothing, stored, thanked and routed."""

    def __init__(self, writer: DeskWriter) -> None:
        self.writer = writer

    def intake(self, payload: Any, now: datetime) -> list[ReferralView]:
        """Stores one referral (an object) or several (a list, all or nothing), routing each."""
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            raise InvalidInput(["input: the list holds no referral"])
        parsed = _parse_all(items, single=not isinstance(payload, list))
        with self.writer.writing() as session:
            settings = settings_of(session)
            parties = PartyBook(session)
            numbers = []
            for index, referral in enumerate(parsed):
                suffix = "" if len(parsed) == 1 else f" (item {index + 1})"
                numbers.append(self._intake_one(session, parties, referral, settings, now, suffix))
            parties.settle()
            return self.writer.written_all(session, numbers)

    def _intake_one(
        self,
        session: Transaction,
        parties: PartyBook,
        data: IntakeIn,
        settings: DeskSettings,
        now: datetime,
        suffix: str,
    ) -> int:
        if data.agent_id is not None:
            agent_row(session, data.agent_id, field="agent_id", suffix=suffix)
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
        run = dispatch.RoutingRun(session, self.writer, settings, now)
        if referral.mode == "private":
            refusal = dispatch.private_refusal(run, referral)
            if refusal is not None:
                raise InvalidInput(
                    [f"agent_id: {data.agent_id} is not eligible: {refusal}{suffix}"]
                )
        dispatch.start(run, referral)
        return referral.id


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
