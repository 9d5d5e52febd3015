"""The roster: agents created, updated, imported, sent away and brought back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update

from ..read.people import AgentView
from ..rules.errors import InvalidInput
from ..storage import tables as m
from ..storage.rows import agent_row
from ..storage.transaction import Transaction
from ..values.schemas import AgentIn, parse_agent
from .roster_csv import read_roster_csv
from .writer import DeskWriter


class RosterService:
    """Reading and changing the roster."""

    def __init__(self, writer: DeskWriter) -> None:
        self.writer = writer

    def save_agent(self, data: AgentIn | dict[str, Any], now: datetime) -> AgentView:
        """Creates the agent, or updates the one with that id."""
        agent = data if isinstance(data, AgentIn) else parse_agent(data)
        with self.writer.writing() as session:
            return AgentView.of(upsert_agent(session, agent, now))

    def import_roster(self, csv_text: str, now: datetime) -> tuple[int, int]:
        """Imports a roster CSV, all or nothing; returns (created, updated)."""
        agents = read_roster_csv(csv_text)
        with self.writer.writing() as session:
            ids = [agent.id for agent in agents]
            existing = set(
                session.execute(select(m.agent.c.id).where(m.agent.c.id.in_(ids))).scalars()
            )
            for agent in agents:
                upsert_agent(session, agent, now)
        return len(agents) - len(existing), len(existing)

    def set_active(self, agent_id: str, active: bool, now: datetime) -> AgentView:
        """Activates or deactivates an agent (a deactivated agent gets no new offers)."""
        with self.writer.writing() as session:
            _change_agent(session, agent_id, active=active, updated_at=now)
            return AgentView.of(agent_row(session, agent_id))

    def set_vacation(
        self, agent_id: str, away_from: date | None, away_until: date | None, now: datetime
    ) -> AgentView:
        """Records (or clears, with two Nones) an agent's time away, inclusive dates."""
        if away_from and away_until and away_from > away_until:
            raise InvalidInput(["away_from: must not be after away_until"])
        with self.writer.writing() as session:
            _change_agent(
                session, agent_id, away_from=away_from, away_until=away_until, updated_at=now
            )
            return AgentView.of(agent_row(session, agent_id))


def _change_agent(session: Transaction, agent_id: str, **values: Any) -> None:
    """Sets some of an agent's columns; NotFound when the id is not on the roster."""
    row = agent_row(session, agent_id)
    session.execute(update(m.agent).where(m.agent.c.id == row.id).values(**values))


def upsert_agent(session: Transaction, agent: AgentIn, now: datetime) -> Row[Any]:
    """Creates or updates one agent with its territories (metros casefolded, ZIPs)."""
    exists = session.execute(select(m.agent.c.id).where(m.agent.c.id == agent.id)).first()
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
    territory = m.agent_territory
    if exists is None:
        row = session.execute(
            insert(m.agent).returning(*m.agent.c), {"id": agent.id, "created_at": now, **values}
        ).one()
        session.execute(insert(m.agent_stats), {"agent_id": agent.id})
    else:
        row = session.execute(
            update(m.agent).where(m.agent.c.id == agent.id).values(values).returning(*m.agent.c)
        ).one()
        session.execute(territory.delete().where(territory.c.agent_id == agent.id))
    places = [
        {"agent_id": agent.id, "kind": "metro", "value": metro.casefold()} for metro in agent.metros
    ]
    places += [{"agent_id": agent.id, "kind": "zip", "value": code} for code in agent.zips]
    if places:
        session.execute(territory.insert(), places)
    return row
