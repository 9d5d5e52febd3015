"""The desk service: the one place that writes.

Each public method is one transaction: it validates everything first, writes,
appends the events that explain the change, bumps the desk's revision counter
(so screens in other processes notice) and commits — or writes nothing at all.
Methods take `now`; the service never reads the system clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from . import dispatch, lapses, queries, responses
from . import models as m
from .errors import InvalidInput, NotFound, Refused
from .ids import format_id, parse_id
from .previews import preview_decision
from .roster_io import read_roster_csv, write_roster_csv
from .routing import RoutingDecision
from .schemas import AgentIn, IntakeIn, parse_agent, parse_intake
from .settings import DeskSettings, load, with_setting
from .store import Store, open_store
from .views import AgentView, ReferralView, SourceView
from .vocabulary import WAITING_STATUSES


class Desk:
    """Every operation of the referral desk, over one database."""

    def __init__(self, store: Store, actor: str = "desk") -> None:
        self.store = store
        self.actor = actor

    @classmethod
    def open(cls, url_or_path: str, actor: str = "desk") -> Desk:
        """Opens (creating or migrating) the desk at a path or SQLAlchemy URL."""
        return cls(open_store(url_or_path), actor)

    def close(self) -> None:
        self.store.dispose()

    # ----------------------------------------------------------------- settings
    def settings(self) -> DeskSettings:
        """The desk's settings (defaults for anything never set)."""
        with self.store.read() as session:
            return _settings(session)

    def set_setting(self, key: str, text: str, now: datetime) -> DeskSettings:
        """Changes one setting after validating it; names the key when the value is bad."""
        with self.store.write() as session:
            current = _settings(session)
            updated, value = with_setting(current, key, text)
            if key == "fallback_agent_id" and value is not None:
                _agent_row(session, value, field=key)
            _put_setting(session, key, value)
            self._touch(session)
            return updated

    # ------------------------------------------------------------------- roster
    def agents(self) -> list[AgentView]:
        """The whole roster, by id, with each agent's current load."""
        with self.store.read() as session:
            loads = queries.agent_loads(session)
            rows = session.execute(select(m.Agent).order_by(m.Agent.id)).scalars()
            return [AgentView.of(row, loads.get(row.id, 0)) for row in rows]

    def agent(self, agent_id: str) -> AgentView:
        """One agent, or NotFound."""
        with self.store.read() as session:
            row = _agent_row(session, agent_id)
            return AgentView.of(row, queries.agent_loads(session, [row.id]).get(row.id, 0))

    def save_agent(self, data: AgentIn | dict[str, Any], now: datetime) -> AgentView:
        """Creates the agent, or updates the one with that id."""
        agent = data if isinstance(data, AgentIn) else parse_agent(data)
        with self.store.write() as session:
            row = _upsert_agent(session, agent, now)
            self._touch(session)
            return AgentView.of(row)

    def import_roster(self, csv_text: str, now: datetime) -> tuple[int, int]:
        """Imports a roster CSV, all or nothing; returns (created, updated)."""
        agents = read_roster_csv(csv_text)
        with self.store.write() as session:
            existing = set(
                session.execute(
                    select(m.Agent.id).where(col(m.Agent.id).in_([a.id for a in agents]))
                )
                .scalars()
                .all()
            )
            for agent in agents:
                _upsert_agent(session, agent, now)
            self._touch(session)
        return len(agents) - len(existing), len(existing)

    def export_roster(self) -> str:
        """The roster as CSV with the import columns."""
        return write_roster_csv(self.agents())

    def set_active(self, agent_id: str, active: bool, now: datetime) -> AgentView:
        """Activates or deactivates an agent (a deactivated agent gets no new offers)."""
        with self.store.write() as session:
            row = _agent_row(session, agent_id)
            row.active = active
            row.updated_at = now
            self._touch(session)
            return AgentView.of(row)

    def set_vacation(
        self, agent_id: str, away_from: date | None, away_until: date | None, now: datetime
    ) -> AgentView:
        """Records (or clears, with two Nones) an agent's time away, inclusive dates."""
        if away_from and away_until and away_from > away_until:
            raise InvalidInput(["away_from: must not be after away_until"])
        with self.store.write() as session:
            row = _agent_row(session, agent_id)
            row.away_from, row.away_until, row.updated_at = away_from, away_until, now
            self._touch(session)
            return AgentView.of(row)

    # ------------------------------------------------------------------- intake
    def intake(self, payload: Any, now: datetime) -> list[ReferralView]:
        """Stores one referral (an object) or several (a list, all or nothing)."""
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            raise InvalidInput(["input: the list holds no referral"])
        parsed = _parse_all(items, single=not isinstance(payload, list))
        with self.store.write() as session:
            settings = _settings(session)
            ids = []
            for index, referral in enumerate(parsed):
                suffix = "" if len(parsed) == 1 else f" (item {index + 1})"
                ids.append(self._intake_one(session, referral, settings, now, suffix))
            self._touch(session)
        return [self.referral(format_id("referral", number)) for number in ids]

    def _intake_one(
        self, session: Session, data: IntakeIn, settings: DeskSettings, now: datetime, suffix: str
    ) -> int:
        if data.agent_id is not None:
            _agent_row(session, data.agent_id, field="agent_id", suffix=suffix)
        received_at = data.received_at or now
        party = _find_or_create_party(session, data, now)
        local_day = received_at.astimezone(settings.zone).date().isoformat()
        party.referral_count += 1
        note = f"{local_day} — referred {data.client_first_name}"
        party.notes = f"{party.notes}\n{note}" if party.notes else note
        referral = m.Referral(
            received_at=received_at,
            client_first_name=data.client_first_name,
            client_last_name=data.client_last_name,
            client_email=data.client_email,
            client_phone=data.client_phone,
            side=data.side,
            metro=data.metro,
            zip=data.zip,
            price_min=data.price_min,
            price_max=data.price_max,
            property_type=data.property_type,
            timeline=data.timeline,
            notes=data.notes,
            source_id=party.id,
            lead_source=f"Referral — {party.name}",
            mode=data.mode or settings.default_mode,
            network=data.network,
            private_agent_id=data.agent_id if data.mode == "private" else None,
            status="new",
            created_at=now,
            updated_at=now,
        )
        session.add(referral)
        session.flush()
        assert referral.id is not None
        self.record(session, referral.id, "received", received_at, detail=referral.lead_source)
        run = dispatch.RoutingRun(session, self, settings, now)
        if referral.mode == "private":
            refusal = dispatch.private_refusal(run, referral)
            if refusal is not None:
                raise InvalidInput(
                    [f"agent_id: {data.agent_id} is not eligible: {refusal}{suffix}"]
                )
        dispatch.start(run, referral)
        return referral.id

    # ------------------------------------------------------------------ routing
    def respond(
        self,
        referral_id: str,
        agent_id: str,
        response: str,
        now: datetime,
        reason: str | None = None,
    ) -> ReferralView:
        """Records an agent's answer: accept / claim, decline, or interest (network)."""
        with self.store.write() as session:
            referral = _referral_row(session, referral_id)
            run = dispatch.RoutingRun(session, self, _settings(session), now)
            responses.respond(run, referral, agent_id.strip(), response.strip().lower(), reason)
            self._touch(session)
        return self.referral(referral_id)

    def award(self, referral_id: str, agent_id: str, now: datetime) -> ReferralView:
        """Picks the receiver among interested agents of a network referral."""
        with self.store.write() as session:
            referral = _referral_row(session, referral_id)
            run = dispatch.RoutingRun(session, self, _settings(session), now)
            responses.award(run, referral, agent_id.strip())
            self._touch(session)
        return self.referral(referral_id)

    def reroute(self, referral_id: str, now: datetime, agent_id: str | None = None) -> ReferralView:
        """Routes an unassigned referral again, or offers it privately to one agent."""
        with self.store.write() as session:
            referral = _referral_row(session, referral_id)
            if referral.status != "unassigned":
                raise Refused(
                    "status: only an unassigned referral can be routed again "
                    f"(it is {referral.status})"
                )
            run = dispatch.RoutingRun(session, self, _settings(session), now)
            if agent_id is not None:
                _agent_row(session, agent_id, field="agent_id")
                referral.mode, referral.private_agent_id = "private", agent_id
                refusal = dispatch.private_refusal(run, referral)
                if refusal is not None:
                    raise InvalidInput([f"agent_id: {agent_id} is not eligible: {refusal}"])
            self.record(
                session,
                referral.id,
                "rerouted",
                now,
                agent_id=agent_id,
                detail=f"routing again ({referral.mode})",
            )
            dispatch.start(run, referral)
            self._touch(session)
        return self.referral(referral_id)

    def preview(self, payload: Any, now: datetime) -> RoutingDecision:
        """Who would get this referral and why each other agent would not; writes nothing."""
        data = parse_intake(payload)
        with self.store.read() as session:
            settings = _settings(session)
            return preview_decision(session, data, settings, now)

    def tick(self, now: datetime) -> list[lapses.Lapse]:
        """The clock: lapses every offer past its window and routes what follows."""

        def write_one(offer_id: int) -> lapses.Lapse | None:
            with self.store.write() as session:
                lapse = lapses.lapse_one(session, self, _settings(session), offer_id, now)
                if lapse is not None:
                    self._touch(session)
                return lapse

        return lapses.handle_due(self.store.read, write_one, now)

    def queue(self) -> list[ReferralView]:
        """Every referral the desk is waiting on, oldest first."""
        with self.store.read() as session:
            return queries.referral_views(
                session, WAITING_STATUSES, limit=100_000, oldest_first=True
            )

    # -------------------------------------------------------------------- reads
    def referral(self, referral_id: str) -> ReferralView:
        """A referral with its offers, history, fees, tasks and flags."""
        number = parse_id("referral", referral_id)
        with self.store.read() as session:
            view = queries.referral_view(session, number)
        if view is None:
            raise NotFound(f"referral: no referral {referral_id.strip()[:40]!r}")
        return view

    def referrals(
        self, statuses: Sequence[str] | None = None, limit: int = 200
    ) -> list[ReferralView]:
        """Referrals (newest first), optionally only those in some statuses."""
        with self.store.read() as session:
            return queries.referral_views(session, statuses, limit=limit)

    def sources(self) -> list[SourceView]:
        """Referring parties, most referrals first."""
        with self.store.read() as session:
            return queries.source_views(session)

    def revision(self) -> int:
        """A counter every write bumps: poll it to notice changes from other processes."""
        with self.store.read() as session:
            value = session.execute(select(m.DeskRevision.revision)).scalar()
            return int(value or 0)

    # ---------------------------------------------------------------- internals
    def record(
        self,
        session: Session,
        referral_id: int | None,
        kind: str,
        at: datetime,
        *,
        agent_id: str | None = None,
        offer_id: int | None = None,
        detail: str = "",
    ) -> None:
        """Appends one event to a referral's history."""
        session.add(
            m.Event(
                referral_id=referral_id,
                at=at,
                kind=kind,
                actor=self.actor,
                agent_id=agent_id,
                offer_id=offer_id,
                detail=detail,
            )
        )

    def _touch(self, session: Session) -> None:
        session.execute(update(m.DeskRevision).values(revision=m.DeskRevision.revision + 1))


def _referral_row(session: Session, referral_id: str) -> m.Referral:
    row = session.get(m.Referral, parse_id("referral", referral_id))
    if row is None:
        raise NotFound(f"referral: no referral {referral_id.strip()[:40]!r}")
    return row


def _parse_all(items: list[Any], single: bool) -> list[IntakeIn]:
    parsed, problems = [], []
    for index, item in enumerate(items):
        try:
            parsed.append(parse_intake(item))
        except InvalidInput as error:
            suffix = "" if single else f" (item {index + 1})"
            problems.extend(f"{problem}{suffix}" for problem in error.problems)
    if problems:
        raise InvalidInput(problems)
    return parsed


def _settings(session: Session) -> DeskSettings:
    rows = session.execute(select(m.Setting.key, m.Setting.value)).all()
    return load({key: value for key, value in rows})


def _put_setting(session: Session, key: str, value: Any) -> None:
    import json

    row = session.get(m.Setting, key)
    if row is None:
        session.add(m.Setting(key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


def _agent_row(session: Session, agent_id: str, field: str = "agent", suffix: str = "") -> m.Agent:
    row = session.get(m.Agent, agent_id.strip())
    if row is None:
        if field == "agent":
            raise NotFound(f"agent: no agent {agent_id.strip()[:64]!r} on the roster")
        raise InvalidInput([f"{field}: unknown agent {agent_id.strip()[:64]!r}{suffix}"])
    return row


def _upsert_agent(session: Session, agent: AgentIn, now: datetime) -> m.Agent:
    row = session.get(m.Agent, agent.id)
    values = {
        "name": agent.name,
        "kind": agent.kind,
        "brokerage": agent.brokerage,
        "email": agent.email,
        "phone": agent.phone,
        "preferred_channel": agent.preferred_channel,
        "metros": ";".join(agent.metros),
        "zips": ";".join(agent.zips),
        "sides": agent.sides,
        "price_min": agent.price_min,
        "price_max": agent.price_max,
        "property_types": ";".join(agent.property_types),
        "capacity": agent.capacity,
        "active": agent.active,
        "away_from": agent.away_from,
        "away_until": agent.away_until,
        "on_duty": agent.on_duty,
        "weight": agent.weight,
        "network": agent.network,
        "updated_at": now,
    }
    if row is None:
        row = m.Agent(id=agent.id, created_at=now, **values)
        session.add(row)
        session.add(m.AgentStats(agent_id=agent.id))
    else:
        for key, value in values.items():
            setattr(row, key, value)
        session.execute(
            m.AgentTerritory.__table__.delete().where(m.AgentTerritory.agent_id == agent.id)
        )
    territories = [
        {"agent_id": agent.id, "kind": "metro", "value": metro.casefold()} for metro in agent.metros
    ]
    territories += [{"agent_id": agent.id, "kind": "zip", "value": code} for code in agent.zips]
    session.flush()
    session.execute(m.AgentTerritory.__table__.insert(), territories)
    return row


def _find_or_create_party(session: Session, data: IntakeIn, now: datetime) -> m.ReferringParty:
    """Same name, type and email (ignoring case) is the same referring party."""
    source = data.source
    row = session.execute(
        select(m.ReferringParty).where(
            func.lower(m.ReferringParty.name) == source.name.lower(),
            m.ReferringParty.type == source.type,
            func.lower(m.ReferringParty.email) == source.email.lower(),
        )
    ).scalar()
    if row is None:
        row = m.ReferringParty(
            name=source.name,
            type=source.type,
            email=source.email,
            phone=source.phone,
            brokerage=source.brokerage,
            gift_policy=source.gift_policy,
            created_at=now,
        )
        session.add(row)
        session.flush()
    return row
