"""What the simulator feeds the desk: a roster, a stream of referrals, agents' habits.

Everything is drawn from the seed alone, never from the settings under test,
so two runs that differ only in settings (`simulate --compare`) see the same
referrals at the same moments and the same agents behaving the same way. An
agent's answer to an offer is drawn from a generator seeded by (seed,
referral, agent, attempt): whichever variant offers that referral to that
agent, the agent answers alike ("common random numbers"), so a difference
between the variants comes from the rules, not from luck.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from ..desk.roster_csv import read_roster_csv
from ..read.people import ROSTER_COLUMNS
from ..values.schemas import AgentIn

__all__ = [
    "FALLBACK_ID",
    "Arrival",
    "Habits",
    "Vacation",
    "agent_habits",
    "answer_for",
    "generated_roster",
    "poisson",
    "referral_stream",
    "roster_agents",
    "vacations",
]

FALLBACK_ID = "T-SIM-HQ"
"""The generated roster's fallback agent (a team lead who covers every market)."""

METROS = (
    ("Austin", 787),
    ("Denver", 802),
    ("Phoenix", 850),
    ("Nashville", 372),
    ("Raleigh", 276),
    ("Tampa", 336),
    ("Charlotte", 282),
    ("Boise", 837),
    ("Columbus", 432),
    ("Salt Lake City", 841),
    ("Kansas City", 641),
    ("Indianapolis", 462),
    ("San Antonio", 782),
    ("Orlando", 328),
    ("Atlanta", 303),
    ("Dallas", 752),
)
FIRST = ("Maria", "James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Ethan")
LAST = ("Lopez", "Smith", "Nguyen", "Brown", "Garcia", "Miller", "Davis", "Patel", "Kim", "Reed")
SOURCE_TYPES = ("client", "sphere", "agent", "professional")
SOURCE_WEIGHTS = (35, 25, 25, 15)
TYPES = ("residential", "condo", "townhouse", "multi-family", "land")


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth below 30, a rounded normal above: close enough for arrivals)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def generated_roster(seed: int, per_day: float) -> str:
    """A roster CSV sized to the referral rate (about five agents per daily referral)."""
    rng = random.Random(f"{seed}:roster")
    agents = max(12, min(2000, round(per_day * 5)))
    markets = METROS[: max(3, min(len(METROS), agents // 8))]
    rows: list[dict[str, Any]] = []
    for index in range(agents):
        metro, prefix = markets[index % len(markets)]
        team = rng.random() < 0.25
        low = rng.choice((250_000, 350_000, 450_000, 600_000, 800_000))
        zips = sorted({f"{prefix}{rng.randint(0, 99):02d}" for _ in range(rng.randint(2, 5))})
        rows.append(
            {
                "id": f"{'T' if team else 'P'}-SIM-{index + 1:04d}",
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "kind": "team" if team else "partner",
                "brokerage": "Keystone Realty" if team else f"{metro} Realty {index % 5 + 1}",
                "email": f"agent{index + 1}@example.com",
                "preferred_channel": rng.choice(("sms", "email", "call")),
                "metros": metro,
                "zips": ";".join(zips),
                "sides": rng.choices(("both", "buyer", "seller"), (80, 12, 8))[0],
                "price_min": low,
                "price_max": low + rng.choice((250_000, 400_000, 600_000, 1_000_000)),
                "property_types": ";".join(
                    ["residential", *rng.sample(TYPES[1:], rng.randint(0, 2))]
                ),
                "capacity": rng.randint(4, 10),
                "on_duty": "mon-fri 08:00-18:00" if team else "",
                "weight": rng.choice((1, 1, 2)),
                "network": f"sim-{index % len(markets) % 3}",
            }
        )
    rows.append(
        {
            "id": FALLBACK_ID,
            "name": "Desk Lead",
            "kind": "team",
            "brokerage": "Keystone Realty",
            "email": "lead@example.com",
            "preferred_channel": "email",
            "metros": ";".join(metro for metro, _ in markets),
            "sides": "both",
            "price_min": 0,
            "price_max": 50_000_000,
            "property_types": ";".join(TYPES),
            "capacity": min(1000, max(50, agents * 2)),
        }
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROSTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"active": "true", "weight": 1, **row})
    return buffer.getvalue()


def roster_agents(roster_csv: str) -> list[AgentIn]:
    """The roster's agents, validated as `partners import` would (names every bad row)."""
    return read_roster_csv(roster_csv)


@dataclass(frozen=True)
class Arrival:
    """One simulated referral: when it arrives and the intake object the VA types in."""

    index: int
    at: datetime
    payload: dict[str, Any]
    source_type: str


def _band(rng: random.Random, agent: AgentIn) -> tuple[int, int]:
    low, high = agent.price_min, max(agent.price_max, agent.price_min + 100_000)
    middle = rng.randint(low, high) if rng.random() < 0.8 else rng.randint(low // 2, high * 2)
    width = rng.choice((50_000, 100_000, 200_000))
    start = max(50_000, (middle - width // 2) // 10_000 * 10_000)
    return start, start + width


def _covers(agent: AgentIn, metro: str) -> bool:
    """Whether the agent lists the metro (as routing compares them: case aside)."""
    return metro.casefold() in {listed.casefold() for listed in agent.metros}


def uncovered_markets(markets: Mapping[str, float], agents: list[AgentIn]) -> tuple[str, ...]:
    """The metros of a set mix that no active agent covers (the fallback aside), in order."""
    working = [agent for agent in agents if agent.active and agent.id != FALLBACK_ID]
    return tuple(metro for metro in markets if not any(_covers(agent, metro) for agent in working))


def _market_picker(
    rng: random.Random, routable: list[AgentIn], markets: Mapping[str, float]
) -> Callable[[], tuple[AgentIn, str]]:
    """Draws (an agent to take the band from, a metro) for a set mix of metros."""
    names, weights = list(markets), list(markets.values())
    covering = {name: [a for a in routable if _covers(a, name)] for name in names}

    def pick() -> tuple[AgentIn, str]:
        metro = rng.choices(names, weights)[0]
        return rng.choice(covering[metro] or routable), metro

    return pick


def referral_stream(
    seed: int,
    agents: list[AgentIn],
    start: datetime,
    days: int,
    per_day: float,
    zone: ZoneInfo,
    markets: Mapping[str, float] | None = None,
) -> Iterator[Arrival]:
    """Referrals day by day, mostly in daytime, for markets and bands the roster serves.

    `markets` (metro → weight) sets the mix of metros instead: each referral's
    metro is drawn by weight, and its band, side and type from an agent who
    covers that metro, or from any agent when nobody does (a market the roster
    has no one for, which is what trying such a mix is for).
    """
    rng = random.Random(f"{seed}:stream")
    routable = [a for a in agents if a.active and a.metros and a.id != FALLBACK_ID] or agents
    pick_market = _market_picker(rng, routable, markets) if markets else None
    pool = max(20, round(per_day * days / 8))
    weights = [1.0 / (1 + rank) ** 0.8 for rank in range(pool)]
    kinds = [""] * pool
    """Each referring party's type, drawn when it first sends a referral."""
    index = 0
    local_start = start.astimezone(zone)
    for day in range(days):
        midnight = datetime.combine(local_start.date() + timedelta(days=day), local_start.timetz())
        moments = []
        for _ in range(poisson(rng, per_day)):
            hours = rng.uniform(8, 20) if rng.random() < 0.8 else rng.uniform(0, 24)
            moments.append(midnight + timedelta(hours=hours))
        for moment in sorted(moments):
            index += 1
            agent, market = pick_market() if pick_market else (rng.choice(routable), None)
            party = rng.choices(range(pool), weights)[0]
            if not kinds[party]:
                kinds[party] = rng.choices(SOURCE_TYPES, SOURCE_WEIGHTS)[0]
            low, high = _band(rng, agent)
            usual = agent.sides if agent.sides != "both" else rng.choice(("buyer", "seller"))
            first = rng.choice(FIRST)
            # Drawn in this order so a given seed keeps giving the same stream.
            last = rng.choice(LAST)
            side = usual if rng.random() < 0.9 else rng.choice(("buyer", "seller"))
            metro = market or rng.choice(agent.metros)
            covers = market is None or _covers(agent, market)
            own_zips = agent.zips if covers else []
            zip_code = rng.choice(own_zips) if own_zips and rng.random() < 0.7 else None
            payload = {
                "client_first_name": first,
                "client_last_name": last,
                "client_email": f"client{index}@example.com",
                "client_phone": "",
                "side": side,
                "metro": metro,
                "zip": zip_code,
                "price_min": low,
                "price_max": high,
                "property_type": rng.choice(agent.property_types or ["residential"])
                if rng.random() < 0.9
                else rng.choice(TYPES),
                "timeline": "",
                "notes": "",
                "source": {
                    "name": f"Source {party + 1:04d}",
                    "type": kinds[party],
                    "email": f"source{party + 1}@example.net",
                    "phone": "",
                    "brokerage": "",
                },
                "received_at": moment.astimezone(UTC).isoformat(),
            }
            yield Arrival(index, moment, payload, kinds[party])


@dataclass(frozen=True)
class Habits:
    """How one agent answers offers and how their referrals turn out."""

    accept: float
    """Chance of taking an offer."""
    decline: float
    """Chance of saying no (otherwise: no answer, the offer lapses)."""
    median_minutes: float
    """Typical time to answer (log-normal around it; 0 = at once)."""
    closes: float
    """Chance that a referral this agent took ends in a sale."""


class ObservedHabits(NamedTuple):
    """How an agent has answered on a real desk: shares of offers, and a typical time."""

    accept: float
    decline: float
    """The rest of the offers lapsed unanswered."""
    minutes: float
    """Mean time to answer."""


def agent_habits(
    seed: int,
    agent_id: str,
    accept: float | None,
    response_minutes: float | None,
    observed: ObservedHabits | None = None,
) -> Habits:
    """An agent's habits: `observed` ones if given, else drawn from the seed; `accept` and
    `response_minutes` override every agent's either way."""
    rng = random.Random(f"{seed}:habits:{agent_id}")
    if observed is None:
        accept_p = rng.uniform(0.5, 0.95) if accept is None else accept
        minutes = rng.uniform(2, 25) if response_minutes is None else response_minutes
        return Habits(accept_p, (1 - accept_p) * 0.6, minutes, rng.uniform(0.3, 0.75))
    if accept is None:
        accept_p, decline = observed.accept, observed.decline
    else:
        accept_p, decline = accept, (1 - accept) * 0.6
    minutes = observed.minutes if response_minutes is None else response_minutes
    return Habits(accept_p, decline, minutes, rng.uniform(0.3, 0.75))


def answer_for(
    seed: int, referral: int, agent_id: str, attempt: int, habits: Habits
) -> tuple[str, timedelta]:
    """What this agent answers this offer (`accept`, `decline` or `silent`) and after how long."""
    rng = random.Random(f"{seed}:answer:{referral}:{agent_id}:{attempt}")
    roll, spread = rng.random(), rng.gauss(0, 0.8)
    answer = "accept" if roll < habits.accept else "decline"
    if roll >= habits.accept + habits.decline:
        answer = "silent"
    if habits.median_minutes <= 0:
        return answer, timedelta(0)
    return answer, timedelta(minutes=habits.median_minutes * math.exp(spread))


@dataclass(frozen=True)
class Vacation:
    agent_id: str
    away_from: date
    away_until: date


def vacations(seed: int, agents: list[AgentIn], first_day: date, days: int) -> list[Vacation]:
    """About one agent in seven takes 5–14 days off during the run (not the fallback)."""
    rng = random.Random(f"{seed}:vacations")
    chosen = []
    for agent in sorted(agents, key=lambda a: a.id):
        if agent.id == FALLBACK_ID or agent.away_from or rng.random() >= 0.15:
            continue
        begin = first_day + timedelta(days=rng.randint(0, max(0, days - 1)))
        chosen.append(Vacation(agent.id, begin, begin + timedelta(days=rng.randint(5, 14))))
    return chosen
