"""Agents as routing sees them: the roster's part kept per roster version, the rest read fresh.

An agent's routing columns (markets, sides, price band, property types,
capacity, away dates, schedule, weight, network) change only when the roster
does; its history and load (`agent_stats`) change with every offer and answer.
Each decision reads the running part of its candidates, with the database's
`roster_version` (migration 0008: a new random value whenever a roster row is
written, by anyone), in one statement; the roster's part is read and parsed
once per version and desk, and kept here.

Territory is filtered in SQL (the `agent_territory` index), so a 5,000-agent
roster costs only the agents who cover the market. Offers of the last 30 days
break ties only, so they are not read here (`candidates.rank_candidates`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.engine import Engine

from ...read.mapping import view_of
from ...rules.schedule import WeeklySchedule, parse_schedule
from ...rules.scoring import AgentHistory, AgentProfile, ReferralProfile
from ...storage import tables as m
from ...storage.columns import split_list
from ...storage.prepared import Prepared
from ...storage.transaction import Transaction

PROFILE_COLUMNS = (
    "id",
    "name",
    "kind",
    "active",
    "metros",
    "zips",
    "sides",
    "price_min",
    "price_max",
    "property_types",
    "capacity",
    "away_from",
    "away_until",
    "on_duty",
    "weight",
    "network",
)
"""The agent columns routing reads (contact details and timestamps it does not)."""

_AGENT = m.agent
_STATS = m.agent_stats
_TERRITORY = m.agent_territory
_RUNNING = (
    _STATS.c.agent_id,
    _STATS.c.accepted,
    _STATS.c.declined,
    _STATS.c.lapsed,
    _STATS.c.response_seconds_sum,
    _STATS.c.responses,
    _STATS.c.rotation_served,
    _STATS.c.load,
    select(m.desk_revision.c.roster_version).scalar_subquery().label("roster_version"),
)
"""An agent's history and load (kept by the database), and the roster's version."""


def _covering(*places: Any) -> Prepared:
    territory = select(_TERRITORY.c.agent_id).where(or_(*places))
    return Prepared(select(*_RUNNING).where(_STATS.c.agent_id.in_(territory)))


_METRO = and_(_TERRITORY.c.kind == "metro", _TERRITORY.c.value == bindparam("metro"))
_ZIP = and_(_TERRITORY.c.kind == "zip", _TERRITORY.c.value == bindparam("zip"))
_RUNNING_IN_METRO = _covering(_METRO)
_RUNNING_IN_METRO_OR_ZIP = _covering(_METRO, _ZIP)
_RUNNING_OF = Prepared(
    select(*_RUNNING).where(_STATS.c.agent_id.in_(bindparam("ids", expanding=True)))
)
_ROSTER_ROWS = Prepared(
    select(*(_AGENT.c[name] for name in PROFILE_COLUMNS)).where(
        _AGENT.c.id.in_(bindparam("ids", expanding=True))
    )
)

KEPT_PROFILES = 20_000
"""Profiles kept per desk (an agent's running part moves with each offer and answer)."""


@dataclass
class _Roster:
    """One desk's roster as of one version: parsed routing columns, and built profiles."""

    version: int
    parsed: dict[str, AgentProfile] = field(default_factory=dict)
    """Per agent: the roster's part, with history and load still empty."""
    built: dict[tuple[Any, ...], AgentProfile] = field(default_factory=dict)
    """Per running row: the whole profile."""
    ids: list[str] | None = None
    """Every agent's id, sorted (read when a preview first asks)."""


_ROSTERS: WeakKeyDictionary[Engine, _Roster] = WeakKeyDictionary()
"""Per desk database (its engine: two in-memory desks share a URL, not an engine)."""
_VERSION = Prepared(select(m.desk_revision.c.roster_version))


def _kept(engine: Engine, version: int) -> _Roster:
    """What this process keeps of the desk's roster at this version (new if it moved)."""
    roster = _ROSTERS.get(engine)
    if roster is None or roster.version != version:
        roster = _ROSTERS[engine] = _Roster(version)
    return roster


def roster_ids(session: Transaction) -> list[str]:
    """Every agent's id, sorted as Python sorts (PostgreSQL's collation may differ)."""
    roster = _kept(session.connection.engine, session.execute(_VERSION).scalar_one())
    if roster.ids is None:
        cursor = session.connection.connection.cursor()  # the driver's own: no per-row wrapping
        try:
            cursor.execute("SELECT id FROM agent")
            roster.ids = sorted(agent_id for (agent_id,) in cursor.fetchall())
        finally:
            cursor.close()
    return roster.ids


def covering_profiles(session: Transaction, referral: ReferralProfile) -> list[AgentProfile]:
    """Profiles of the agents who list the referral's ZIP or metro."""
    if referral.zip:
        wanted = {"metro": referral.metro, "zip": referral.zip}
        rows = session.execute(_RUNNING_IN_METRO_OR_ZIP, wanted).all()
    else:
        rows = session.execute(_RUNNING_IN_METRO, {"metro": referral.metro}).all()
    return _profiles(session, rows)


def load_profiles(session: Transaction, agent_ids: Iterable[str]) -> list[AgentProfile]:
    """Profiles of these agents (the unknown ones left out)."""
    ids = list(agent_ids)
    if not ids:
        return []
    return _profiles(session, session.execute(_RUNNING_OF, {"ids": ids}).all())


def _profiles(session: Transaction, running: list[Any]) -> list[AgentProfile]:
    if not running:
        return []
    roster = _kept(session.connection.engine, running[0].roster_version)
    missing = [row.agent_id for row in running if row.agent_id not in roster.parsed]
    if missing:
        for row in session.execute(_ROSTER_ROWS, {"ids": missing}):
            roster.parsed[row.id] = _parsed(row)
    if len(roster.built) > KEPT_PROFILES:
        roster.built.clear()
    profiles = []
    for row in running:
        profile = roster.built.get(row)
        if profile is None:
            profile = roster.built[row] = _with_running(roster.parsed[row.agent_id], row)
        profiles.append(profile)
    return profiles


def _with_running(parsed: AgentProfile, row: Any) -> AgentProfile:
    """The roster's part with this history and load."""
    answered = row.accepted + row.declined + row.lapsed
    mean = row.response_seconds_sum / row.responses if row.responses else None
    profile = object.__new__(AgentProfile)
    # A copy of the frozen profile with three fields set: `dataclasses.replace` would
    # pass all eighteen through `__init__` again, for each of an open referral's
    # hundreds of agents on every decision (their load moves with each offer).
    profile.__dict__.update(
        parsed.__dict__,
        load=row.load,
        rotation_served=row.rotation_served,
        history=AgentHistory(answered, row.accepted, mean),
    )
    return profile


def _parsed(agent: Any) -> AgentProfile:
    """One roster row (`PROFILE_COLUMNS`) as a profile with no history and no load yet."""
    return view_of(
        AgentProfile,
        agent,
        metros=_split(agent.metros, fold=True),
        zips=_split(agent.zips),
        property_types=_split(agent.property_types),
        on_duty=_schedule(agent.on_duty),
        load=0,
        offers_last_30_days=0,
        rotation_served=0,
        history=AgentHistory(0, 0, None),
    )


@lru_cache(maxsize=1024)
def _schedule(text: str) -> WeeklySchedule | None:
    return parse_schedule(text) if text else None


@lru_cache(maxsize=16384)
def _split(text: str, fold: bool = False) -> frozenset[str]:
    """A stored list as a set (metros casefolded, as routing compares them)."""
    return frozenset(part.casefold() if fold else part for part in split_list(text))
