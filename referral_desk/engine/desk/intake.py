"""Intake: referrals taken in, each with its referring party, tasks, flags and first routing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update

from ..read.views import ReferralView
from ..rules.errors import InvalidInput
from ..rules.schemas import IntakeIn, parse_intake
from ..rules.settings import DeskSettings
from ..rules.timefmt import check_not_ahead
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.records import Referral
from ..storage.rows import agent_row
from ..storage.transaction import Transaction
from .closing.acknowledgments import add_intake_tasks
from .closing.flags import check_source_burst
from .routing import dispatch
from .writer import DeskWriter, settings_of

_PARTY = m.referring_party
# Built once: every intake finds (or adds) its referring party and counts the referral.
_PARTY_BY_KEY = Prepared(select(_PARTY).where(_PARTY.c.identity_key == bindparam("key")))
_INSERT_PARTY = Prepared(insert(_PARTY).returning(*_PARTY.c))
_DEFAULT_TAG = "Referral Source"
_INSERT_REFERRAL = Prepared(insert(m.referral).returning(*m.referral.c))
_COUNT_REFERRAL = Prepared(
    update(_PARTY)
    .where(_PARTY.c.id == bindparam("party_id"))
    .values(referral_count=_PARTY.c.referral_count + 1, notes=bindparam("new_notes"))
)


class IntakeService:
    """Taking referrals in: validated all or nothing, stored, thanked and routed."""

    def __init__(self, writer: DeskWriter) -> None:
        self.writer = writer

    def intake(self, payload: Any, now: datetime) -> list[ReferralView]:
        """Stores one referral (an object) or several (a list, all or nothing), routing each."""
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            raise InvalidInput(["input: the list holds no referral"])
        single = not isinstance(payload, list)
        parsed = _parse_all(items, single)
        _check_received(parsed, now, single)
        with self.writer.writing() as session:
            settings = settings_of(session)
            numbers = []
            for index, referral in enumerate(parsed):
                suffix = "" if len(parsed) == 1 else f" (item {index + 1})"
                numbers.append(self._intake_one(session, referral, settings, now, suffix))
            return [self.writer.written(session, number) for number in numbers]

    def _intake_one(
        self,
        session: Transaction,
        data: IntakeIn,
        settings: DeskSettings,
        now: datetime,
        suffix: str,
    ) -> int:
        if data.agent_id is not None:
            agent_row(session, data.agent_id, field="agent_id", suffix=suffix)
        received_at = data.received_at or now
        party = find_or_create_party(session, data, now)
        note = f"{received_at.astimezone(settings.zone).date()} — referred {data.client_first_name}"
        notes = f"{party.notes}\n{note}" if party.notes else note
        session.execute(_COUNT_REFERRAL, {"party_id": party.id, "new_notes": notes})
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


def identity_key(name: str, source_type: str, email: str) -> str:
    """What makes two referring parties the same: name, type and email, ignoring case."""
    return "|".join((" ".join(name.casefold().split()), source_type, email.casefold()))


def find_or_create_party(session: Transaction, data: IntakeIn, now: datetime) -> Row[Any]:
    """The referring party with the same name, type and email, or a new one (as a row)."""
    source = data.source
    key = identity_key(source.name, source.type, source.email)
    row = session.execute(_PARTY_BY_KEY, {"key": key}).one_or_none()
    if row is None:
        values = {
            "name": source.name,
            "type": source.type,
            "email": source.email,
            "phone": source.phone,
            "brokerage": source.brokerage,
            "tag": _DEFAULT_TAG,
            "notes": "",
            "referral_count": 0,
            "gift_policy": source.gift_policy,
            "identity_key": key,
            "created_at": now,
        }
        row = session.execute(_INSERT_PARTY, values).one()
    return row


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
