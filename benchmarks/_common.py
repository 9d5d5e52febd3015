"""Shared helpers for the benchmark scripts: timing, reporting and fast seeding.

Not a benchmark itself (the leading underscore keeps it apart). The scripts in
this folder run as `python benchmarks/NAME.py`, so this module is importable as
`_common` from them.

Seeding goes around the desk service on purpose: a database is first created by
`Desk.open(path)` (so the schema is the migrated one), then filled in bulk
through the model tables' columns: on SQLite with raw `executemany`, each value
converted exactly as the desk's column types store it (`UTCDateTime` → naive
UTC text '2026-11-23 14:00:00.000000', `ExactDecimal` → text, dates → ISO), which
is several times faster than Core `insert()` for ~700k rows; on other backends
with Core `insert(table)`. Foreign keys are on while seeding, so the data is
checked as it goes in. Every derived table the engine relies on is kept
consistent: `agent_territory` (one row per casefolded metro and per ZIP),
`agent_stats` (per-agent offer counts), `referring_party.referral_count` and
`identity_key`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, bindparam, event, insert

from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import tables as m
from referral_desk.engine.storage.columns import ExactDecimal, UTCDateTime
from referral_desk.engine.storage.store import SCHEMA_HEAD

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
"""The benchmarks' "now": a Monday, 08:00 in the desk's default zone (America/Chicago)."""

CHUNK = 20_000
"""Rows per bulk insert statement batch (keeps memory flat for 100k+ rows)."""

FIRST_NAMES = (
    "Maria",
    "James",
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Lucas",
    "Sophia",
    "Mason",
    "Isabella",
    "Ethan",
    "Mia",
    "Logan",
    "Amelia",
    "Elijah",
    "Harper",
    "Aiden",
    "Evelyn",
    "Caleb",
    "Abigail",
    "Owen",
    "Emily",
    "Wyatt",
    "Ella",
    "Jack",
    "Avery",
)
LAST_NAMES = (
    "Lopez",
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
)
CITY_WORDS = (
    "Cedar",
    "Maple",
    "Oak",
    "River",
    "Lake",
    "Pine",
    "Spring",
    "Fair",
    "Green",
    "Clear",
    "Stone",
    "Silver",
    "Bay",
    "Hill",
    "Rock",
    "Glen",
    "Brook",
    "Elm",
    "Ash",
    "Willow",
)
CITY_TAILS = ["ville", "field", "ton", "wood", "port", "view", "dale", "ridge", "haven", "burg"]
PROPERTY_TYPES = ("residential", "condo", "townhouse", "multi-family", "land")


# ------------------------------------------------------------------------- timing
def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


class Samples(list[float]):
    """Wall-clock seconds per call, with the process CPU seconds of each call in `.cpu`.

    The CPU figure is what the call itself cost; the wall figure also holds time
    lost to other processes on a shared machine (printed with the load average).
    """

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def time_calls(fn: Callable[[int], Any], runs: int) -> Samples:
    """Seconds taken by `fn(i)` for i in range(runs): wall clock, and CPU in `.cpu`."""
    samples = Samples()
    for i in range(runs):
        cpu = time.process_time()
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
        samples.cpu.append(time.process_time() - cpu)
    return samples


def report(name: str, samples: list[float], target_s: float, unit: str = "ms") -> float:
    """Prints median / p90 / max (and the CPU median), and the ratio median/target.

    Returns the ratio of the wall-clock median to the target.
    """
    scale = {"ms": 1e3, "s": 1.0}[unit]
    median = statistics.median(samples)
    ratio = median / target_s
    verdict = "OK" if ratio <= 1 else "MISSED"
    cpu = getattr(samples, "cpu", None)
    cpu_text = f"  cpu p50={statistics.median(cpu) * scale:8.3f} {unit}" if cpu else ""
    print(
        f"{name:<42} n={len(samples):<4}"
        f"p50={median * scale:8.3f} {unit}  p90={percentile(samples, 0.9) * scale:8.3f} {unit}  "
        f"max={max(samples) * scale:8.3f} {unit}{cpu_text}  target<{target_s * scale:g} {unit}  "
        f"ratio={ratio:.2f} {verdict}"
    )
    return ratio


def machine_line() -> str:
    """CPU count and load average: on a shared machine, wall-clock figures depend on it."""
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


@dataclass
class Stopwatch:
    """Prints how long a setup step took."""

    label: str
    start: float = field(default_factory=time.perf_counter)

    def done(self, extra: str = "") -> None:
        took = time.perf_counter() - self.start
        print(f"  [setup] {self.label}: {took:.2f} s{(' ' + extra) if extra else ''}", flush=True)


class SqlTimer:
    """Times every SQL statement an engine runs (for `--sql`): where a slow call waits."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, str] = {}

    def __enter__(self) -> SqlTimer:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
        self.plan = ""
        worst = self._ranked()[:1]
        if worst and self.engine.dialect.name == "sqlite" and worst[0][0].startswith("SELECT"):
            statement = self.statements[worst[0][0]]
            with self.engine.connect() as connection:  # while the database still exists
                rows = connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, tuple([None] * statement.count("?"))
                ).all()
            self.plan = " | ".join(str(row[-1]) for row in rows)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["sql_timer_start"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        key = " ".join(statement.split())[:110]
        self.times[key].append(time.perf_counter() - conn.info["sql_timer_start"])
        self.statements[key] = statement

    def _ranked(self) -> list[tuple[str, list[float]]]:
        return sorted(self.times.items(), key=lambda kv: -sum(kv[1]))

    def print(self, operations: int, top: int = 8) -> None:
        """The statements taking most time, per measured operation, and the top one's plan."""
        print(f"  SQL per operation (top {top} by time, {operations} operations):")
        for key, samples in self._ranked()[:top]:
            print(
                f"    {sum(samples) / operations * 1e3:7.3f} ms  x{len(samples) / operations:4.1f}"
                f"  {key}"
            )
        if self.plan:
            print(f"    plan of the top statement: {self.plan}")


# ------------------------------------------------------------------- seeded desks
CACHE_DIR = Path(tempfile.gettempdir()) / "referral-desk-bench-cache"


def seeded_desk(
    folder: str, name: str, build: Callable[[Desk], Any], *, cache: bool = False
) -> tuple[str, Any]:
    """A desk database in `folder`, filled by `build(desk)`; returns (path, build's result).

    With `cache`, the seeded file (and build's result, pickled) is kept under
    CACHE_DIR keyed on `name`, the schema head and the source of this module and
    the calling script, and copied on later runs instead of seeding again. The
    copy is then opened with `Desk.open`, so a newer schema still migrates it.
    """
    path = Path(folder) / "desk.db"
    key = hashlib.sha1(Path(__file__).read_bytes() + Path(sys.argv[0]).read_bytes())
    cached = CACHE_DIR / f"{name}-{SCHEMA_HEAD}-{key.hexdigest()[:12]}.db"
    meta = cached.with_suffix(".pickle")
    if cache and cached.exists() and meta.exists():
        watch = Stopwatch(f"copy cached seeded desk {cached}")
        shutil.copyfile(cached, path)
        watch.done()
        return str(path), pickle.loads(meta.read_bytes())
    watch = Stopwatch("Desk.open (create + migrate)")
    desk = Desk.open(str(path))
    watch.done()
    result = build(desk)
    desk.close()
    print(f"  [setup] database file: {path.stat().st_size / 2**20:.1f} MiB", flush=True)
    if cache:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        shutil.copyfile(path, partial)
        meta.write_bytes(pickle.dumps(result))
        partial.replace(cached)
    return str(path), result


# ------------------------------------------------------------------------ seeding
@dataclass
class Market:
    """One seeded metro: display name, its ZIP pool and the agents covering it."""

    name: str
    zips: list[str]
    agent_ids: list[str] = field(default_factory=list)


@dataclass
class Roster:
    markets: list[Market]
    agent_capacity: dict[str, int]
    fallback_id: str


def _utc_text(value: datetime | None) -> str | None:
    """UTCDateTime on SQLite: aware in, naive UTC text out (SQLAlchemy's DATETIME format)."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # the common case, fast: drop the "+00:00"
        return value.isoformat(" ", "microseconds")[:26]
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} in seed data")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _converter(column: Any) -> Callable[[Any], Any]:
    """How the desk's column type stores a Python value in SQLite."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _utc_text
    if isinstance(kind, ExactDecimal):
        return lambda v: None if v is None else str(Decimal(v))
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    return lambda v: v


def _bulk(desk: Desk, table: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Bulk inserts in chunks; returns the row count.

    On SQLite, raw `executemany` with values converted exactly as the desk's
    column types would (`_converter`): 5-10x faster than Core for 100k rows
    with several datetimes each. Elsewhere, SQLAlchemy Core `insert(table)`.
    """
    count = 0
    batch: list[dict[str, Any]] = []
    sqlite = desk.store.is_sqlite
    with desk.store.engine.begin() as connection:
        raw = connection.connection.driver_connection if sqlite else None
        columns: list[str] = []
        defaults: dict[str, Any] = {}

        def flush() -> None:
            nonlocal columns
            if not sqlite:
                connection.execute(insert(table), batch)
                return
            if not columns:
                columns = list(batch[0])
                # Core fills Python-side scalar defaults; raw executemany must do it here.
                for column in table.columns:
                    default = column.default
                    if column.name not in columns and default is not None and default.is_scalar:
                        defaults[column.name] = default.arg
                columns += list(defaults)
            sql = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            convert = [(c, _converter(table.c[c])) for c in columns]
            raw.cursor().executemany(  # type: ignore[union-attr]
                sql,
                [
                    tuple(f(row[c] if c in row else defaults[c]) for c, f in convert)
                    for row in batch
                ],
            )

        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                flush()
                count += len(batch)
                batch = []
        if batch:
            flush()
            count += len(batch)
    return count


def _metro_names(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(CITY_WORDS) + rng.choice(CITY_TAILS)
        if rng.random() < 0.3:
            name = f"{name} {rng.choice(['Heights', 'Springs', 'Falls', 'Park'])}"
        if name.casefold() in seen:
            name = f"{name} {len(names)}"
        seen.add(name.casefold())
        names.append(name)
    return names


def seed_roster(
    desk: Desk, agents: int, metros: int, rng: random.Random, *, zips_per_metro: int = 20
) -> Roster:
    """`agents` agents, each covering one metro (~agents/metros per metro) and 2–6 of its ZIPs.

    Plus a team fallback agent covering every metro (as a real desk has), set as
    the desk's `fallback_agent_id`. Fills `agent`, `agent_territory` and `agent_stats`
    (the stats are overwritten by `seed_history` when history is seeded).
    """
    markets = [
        Market(name, [f"{10000 + index * zips_per_metro + j:05d}" for j in range(zips_per_metro)])
        for index, name in enumerate(_metro_names(metros, rng))
    ]
    created = NOW - timedelta(days=800)
    agent_rows, territory_rows, stats_rows = [], [], []
    capacity: dict[str, int] = {}
    networks = ["texas-relo", "sunbelt", "midwest-connect", None, None, None]
    for index in range(agents):
        market = markets[index % metros]
        agent_id = f"P-{index:05d}"
        market.agent_ids.append(agent_id)
        zips = rng.sample(market.zips, rng.randint(2, 6))
        low = rng.choice([100_000, 200_000, 300_000, 400_000, 600_000])
        high = low + rng.choice([200_000, 400_000, 600_000, 1_000_000])
        roll = rng.random()
        away_from = away_until = None
        if roll < 0.03:  # on vacation now
            away_from, away_until = NOW.date() - timedelta(days=3), NOW.date() + timedelta(days=7)
        elif roll < 0.06:  # vacation later
            away_from, away_until = NOW.date() + timedelta(days=20), NOW.date() + timedelta(days=30)
        capacity[agent_id] = rng.randint(4, 10)
        agent_rows.append(
            {
                "id": agent_id,
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "kind": "partner",
                "brokerage": f"{market.name} Realty {index % 7}",
                "email": f"agent{index}@example.com",
                "phone": f"+1512555{index % 10000:04d}",
                "preferred_channel": rng.choice(["sms", "email", "call"]),
                "metros": market.name,
                "zips": ";".join(zips),
                "sides": rng.choices(["both", "buyer", "seller"], [70, 15, 15])[0],
                "price_min": low,
                "price_max": high,
                "property_types": ";".join(
                    ["residential", *rng.sample(PROPERTY_TYPES[1:], rng.randint(0, 2))]
                ),
                "capacity": capacity[agent_id],
                "active": rng.random() > 0.02,
                "away_from": away_from,
                "away_until": away_until,
                "on_duty": rng.choice(["", "", "mon-fri 09:00-17:00", "sat 10:00-14:00"]),
                "weight": rng.choice([1, 1, 1, 2]),
                "network": rng.choice(networks),
                "created_at": created,
                "updated_at": created,
            }
        )
        territory_rows.append(
            {"agent_id": agent_id, "kind": "metro", "value": market.name.casefold()}
        )
        territory_rows.extend({"agent_id": agent_id, "kind": "zip", "value": z} for z in zips)
        stats_rows.append({"agent_id": agent_id})
    fallback = "T-HQ-01"
    agent_rows.append(
        {
            "id": fallback,
            "name": "Desk Lead",
            "kind": "team",
            "brokerage": "HQ",
            "email": "lead@example.com",
            "phone": "+15125550100",
            "preferred_channel": "email",
            "metros": ";".join(market.name for market in markets),
            "zips": "",
            "sides": "both",
            "price_min": 0,
            "price_max": 50_000_000,
            "property_types": ";".join(PROPERTY_TYPES),
            "capacity": 1000,
            "active": True,
            "away_from": None,
            "away_until": None,
            "on_duty": "",
            "weight": 1,
            "network": None,
            "created_at": created,
            "updated_at": created,
        }
    )
    capacity[fallback] = 1000
    territory_rows.extend(
        {"agent_id": fallback, "kind": "metro", "value": market.name.casefold()}
        for market in markets
    )
    stats_rows.append({"agent_id": fallback})
    _bulk(desk, m.agent, agent_rows)
    _bulk(desk, m.agent_territory, territory_rows)
    _bulk(desk, m.agent_stats, stats_rows)
    desk.set_setting("fallback_agent_id", fallback, NOW - timedelta(days=800))
    return Roster(markets, capacity, fallback)


def seed_parties(desk: Desk, count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Referring parties; returns (name, type, email) of each, index = id - 1."""
    types = ["client", "sphere", "agent", "professional"]
    identities, rows = [], []
    created = NOW - timedelta(days=900)
    for index in range(count):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {index}"
        kind = rng.choices(types, [35, 25, 30, 10])[0]
        email = f"source{index}@example.net"
        identities.append((name, kind, email))
        row = {
            "id": index + 1,
            "name": name,
            "type": kind,
            "email": email,
            "phone": "",
            "brokerage": "Elsewhere Realty" if kind == "agent" else "",
            "tag": "Referral Source",
            "notes": "",
            "referral_count": 0,
            "gift_policy": "gifts",
            "created_at": created,
        }
        if "identity_key" in m.referring_party.c:  # schema 0003 and later
            row["identity_key"] = _party_key(name, kind, email)
        rows.append(row)
    _bulk(desk, m.referring_party, rows)
    return identities


def _party_key(name: str, kind: str, email: str) -> str:
    """The engine's identity key of a referring party (what intake looks parties up by)."""
    from referral_desk.engine.desk.intake import identity_key

    return identity_key(name, kind, email)


@dataclass
class _Stats:
    offers_total: int = 0
    accepted: int = 0
    declined: int = 0
    lapsed: int = 0
    response_seconds_sum: float = 0.0
    responses: int = 0


OLD_STATUSES = (
    ("closed", 30),
    ("lost", 22),
    ("archived", 18),
    ("fee_received", 14),
    ("fee_sent", 4),
    ("unassigned", 5),
    ("working", 4),
    ("in_escrow", 0.5),
)
RECENT_STATUSES = (
    ("working", 28),
    ("in_escrow", 12),
    ("awarded", 12),
    ("pending", 3),
    ("closed", 12),
    ("lost", 15),
    ("fee_sent", 5),
    ("fee_received", 5),
    ("unassigned", 8),
)
ACTIVE = ("pending", "awarded", "working", "in_escrow")
FEE_STATUSES = ("working", "in_escrow", "fee_sent", "fee_received", "closed", "archived")
"""Statuses in which most referrals have their fee agreement logged."""


def _pick_status(age_days: float, rng: random.Random) -> str:
    table = RECENT_STATUSES if age_days <= 120 else OLD_STATUSES
    return rng.choices([s for s, _ in table], [w for _, w in table])[0]


def _eligible_holder(
    market: Market, roster: Roster, load: dict[str, int], rng: random.Random
) -> str:
    """An agent of the market with a free slot (keeps seeded loads within capacity)."""
    for _ in range(8):
        agent_id = rng.choice(market.agent_ids)
        if load[agent_id] < roster.agent_capacity[agent_id] - 1:
            return agent_id
    return rng.choice(market.agent_ids)


def seed_history(
    desk: Desk,
    roster: Roster,
    parties: int,
    referrals: int,
    rng: random.Random,
    *,
    open_offers: int = 0,
    open_expiry: Callable[[int], datetime] | None = None,
    days: int = 730,
    analyze: bool = False,
) -> dict[str, int]:
    """Past referrals (1–2 offers each, statuses across the lifecycle) plus open offers.

    `open_offers` more referrals are left `offered`, each with one open offer
    (after a lapsed or declined one for a third of them); `open_expiry(i)` gives
    offer i's `expires_at` (default: 1–29 minutes after NOW). Events are written
    for every referral (received, offered, answered, status moves), and
    `agent_stats` / `referral_count` are made consistent with the rows.
    The desk itself never runs ANALYZE, so neither does this by default
    (`analyze=True` shows what SQLite's planner would do with statistics).
    Returns row counts per table.
    """
    identities = seed_parties(desk, parties, rng)
    party_counts = [0] * parties
    # A few parties refer a lot, most refer once or twice.
    party_weights = [1.0 / (1 + (i % 97)) for i in range(parties)]
    party_pool = rng.choices(range(parties), party_weights, k=referrals + open_offers)

    stats: dict[str, _Stats] = defaultdict(_Stats)
    load: dict[str, int] = defaultdict(int)
    referral_rows: list[dict[str, Any]] = []
    offer_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    fee_rows: list[dict[str, Any]] = []
    offer_id = 0
    window = timedelta(minutes=30)

    def add_offer(
        referral_id: int, agent_id: str, sequence: int, offered_at: datetime, status: str
    ) -> datetime:
        """Appends one offer with its events; returns when it ended (or its expiry)."""
        nonlocal offer_id
        offer_id += 1
        expires = offered_at + window
        responded: datetime | None
        if status == "accepted":
            responded = offered_at + timedelta(seconds=rng.randint(60, 1500))
        elif status == "declined":
            responded = offered_at + timedelta(seconds=rng.randint(60, 900))
        elif status == "lapsed":
            responded = expires
        else:
            responded = None
        score = round(rng.uniform(0.55, 0.95), 4)
        offer_rows.append(
            {
                "id": offer_id,
                "referral_id": referral_id,
                "agent_id": agent_id,
                "sequence": sequence,
                "offered_at": offered_at,
                "expires_at": expires,
                "status": status,
                "responded_at": responded,
                "reason": "busy this month" if status == "declined" else None,
                "score": score,
                "breakdown": '{"territory": 1.0, "price": 0.8, "capacity": 0.6, '
                '"history": 0.5, "property_type": 1.0}',
            }
        )
        event_rows.append(
            {
                "referral_id": referral_id,
                "at": offered_at,
                "kind": "offered",
                "actor": "desk",
                "agent_id": agent_id,
                "offer_id": offer_id,
                "detail": f"score {score:.2f}",
            }
        )
        s = stats[agent_id]
        s.offers_total += 1
        if status in ("accepted", "declined", "lapsed"):
            assert responded is not None
            setattr(s, status, getattr(s, status) + 1)
            event_rows.append(
                {
                    "referral_id": referral_id,
                    "at": responded,
                    "kind": status,
                    "actor": "desk",
                    "agent_id": agent_id,
                    "offer_id": offer_id,
                    "detail": "",
                }
            )
            if status != "lapsed":
                s.responses += 1
                s.response_seconds_sum += (responded - offered_at).total_seconds()
        return responded or expires

    total = referrals + open_offers
    for index in range(total):
        referral_id = index + 1
        is_open = index >= referrals
        market = rng.choice(roster.markets)
        if is_open:
            open_index = index - referrals
            expires_at = (
                open_expiry(open_index)
                if open_expiry
                else NOW + timedelta(seconds=rng.randint(60, 29 * 60))
            )
            last_offered = expires_at - window
            received = last_offered - timedelta(minutes=rng.choice([1, 2, 5, 35, 70]))
            status = "offered"
        else:
            age = rng.uniform(0.1, days)
            received = NOW - timedelta(days=age, minutes=rng.randint(0, 1439))
            status = _pick_status(age, rng)
        party = party_pool[index]
        party_counts[party] += 1
        side = rng.choice(["buyer", "seller"])
        low = rng.choice([150_000, 250_000, 350_000, 450_000, 600_000, 900_000])
        first_name = rng.choice(FIRST_NAMES)
        last_name = rng.choice(LAST_NAMES)
        event_rows.append(
            {
                "referral_id": referral_id,
                "at": received,
                "kind": "received",
                "actor": "desk",
                "agent_id": None,
                "offer_id": None,
                "detail": f"Referral — {identities[party][0]}",
            }
        )
        first_offered = received + timedelta(seconds=rng.randint(5, 600))
        assigned = None
        accepted_at = None
        two = rng.random() < 0.3
        if is_open:
            if rng.random() < 0.33:
                earlier = _eligible_holder(market, roster, load, rng)
                first_offered = last_offered - window
                add_offer(
                    referral_id, earlier, 1, first_offered, rng.choice(["lapsed", "declined"])
                )
                holder = _eligible_holder(market, roster, load, rng)
                add_offer(referral_id, holder, 2, last_offered, "offered")
            else:
                first_offered = last_offered
                holder = _eligible_holder(market, roster, load, rng)
                add_offer(referral_id, holder, 1, last_offered, "offered")
            load[holder] += 1
        elif status == "unassigned":
            at = first_offered
            for sequence in (1, 2) if two else (1,):
                at = add_offer(
                    referral_id,
                    rng.choice(market.agent_ids),
                    sequence,
                    at,
                    rng.choice(["lapsed", "declined"]),
                )
        else:
            sequence, at = 1, first_offered
            if two:
                at = add_offer(
                    referral_id,
                    rng.choice(market.agent_ids),
                    1,
                    at,
                    rng.choices(["lapsed", "declined"], [60, 40])[0],
                )
                sequence = 2
            assigned = (
                _eligible_holder(market, roster, load, rng)
                if status in ACTIVE
                else rng.choice(market.agent_ids)
            )
            accepted_at = add_offer(referral_id, assigned, sequence, at, "accepted")
            if status in ACTIVE:
                load[assigned] += 1
        if not is_open:
            event_rows.append(
                {
                    "referral_id": referral_id,
                    "at": (accepted_at or first_offered) + timedelta(minutes=1),
                    "kind": "status",
                    "actor": "desk",
                    "agent_id": None,
                    "offer_id": None,
                    "detail": f"→ {status}",
                }
            )
        terminal = status in ("closed", "fee_sent", "fee_received", "archived")
        closing = (received + timedelta(days=rng.randint(30, 90))) if terminal else None
        expected_closing = None
        if status == "in_escrow":  # the expected closing date, mostly weeks ahead
            expected_closing = NOW.date() + timedelta(days=rng.randint(-3, 60))
        if assigned is not None and status in FEE_STATUSES and rng.random() < 0.9:
            fee_rows.append(
                {
                    "referral_id": referral_id,
                    "direction": "receivable",
                    "counterparty": assigned,
                    "percent": Decimal("25"),
                    "agreed_by": "Priya Raman",
                    "agreed_on": ((accepted_at or received) + timedelta(days=1)).date(),
                    "expected_cents": (low + 50_000) * 3 * 25 if terminal else None,
                    "due_on": (closing + timedelta(days=10)).date() if closing else None,
                    "paid_cents": (low + 50_000) * 3 * 25 if status == "fee_received" else None,
                    "paid_on": (closing + timedelta(days=12)).date()
                    if closing and status == "fee_received"
                    else None,
                    "created_at": (accepted_at or received) + timedelta(days=1),
                }
            )
        referral_rows.append(
            {
                "id": referral_id,
                "received_at": received,
                "client_first_name": first_name,
                "client_last_name": last_name,
                "client_email": f"{first_name.lower()}.{last_name.lower()}{index}@example.com",
                "client_phone": f"+1512555{index % 10000:04d}",
                "side": side,
                "metro": market.name,
                "zip": rng.choice(market.zips) if rng.random() < 0.8 else None,
                "price_min": low,
                "price_max": low + rng.choice([100_000, 200_000, 300_000]),
                "property_type": rng.choices(PROPERTY_TYPES, [70, 12, 10, 4, 4])[0],
                "timeline": rng.choice(["", "30-60 days", "spring", "touring this weekend"]),
                "notes": "",
                "source_id": party + 1,
                "lead_source": f"Referral — {identities[party][0]}",
                "mode": rng.choices(["best_fit", "round_robin", "broadcast"], [85, 10, 5])[0]
                if not is_open
                else "best_fit",
                "network": None,
                "private_agent_id": None,
                "status": status,
                "assigned_agent_id": assigned,
                "sale_price": (low + 50_000) if terminal else None,
                "commission_rate": Decimal("3.0") if terminal else None,
                "closing_date": closing.date() if closing else expected_closing,
                "lost_reason": "went with a friend" if status == "lost" else None,
                "archived_from": "closed" if status == "archived" else None,
                "first_offered_at": first_offered,
                "accepted_at": accepted_at,
                "closed_at": closing,
                "created_at": received,
                "updated_at": received,
            }
        )
    counts = {
        "referring_party": parties,
        "referral": _bulk(desk, m.referral, referral_rows),
        "offer": _bulk(desk, m.offer, offer_rows),
        "event": _bulk(desk, m.event, event_rows),
        "fee_agreement": _bulk(desk, m.fee_agreement, fee_rows),
    }
    with desk.store.engine.begin() as connection:
        connection.execute(
            m.referring_party.update()
            .where(m.referring_party.c.id == bindparam("pid"))
            .values(referral_count=bindparam("n")),
            [{"pid": i + 1, "n": n} for i, n in enumerate(party_counts) if n],
        )
        stats_table = m.agent_stats
        connection.execute(
            stats_table.update()
            .where(stats_table.c.agent_id == bindparam("aid"))
            .values(
                offers_total=bindparam("t"),
                accepted=bindparam("a"),
                declined=bindparam("d"),
                lapsed=bindparam("l"),
                response_seconds_sum=bindparam("rs"),
                responses=bindparam("r"),
            ),
            [
                {
                    "aid": agent_id,
                    "t": s.offers_total,
                    "a": s.accepted,
                    "d": s.declined,
                    "l": s.lapsed,
                    "rs": s.response_seconds_sum,
                    "r": s.responses,
                }
                for agent_id, s in stats.items()
            ],
        )
    if analyze:
        with desk.store.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    return counts


def intake_payload(
    market: Market, index: int, rng: random.Random, **changes: Any
) -> dict[str, Any]:
    """A contract-shaped intake object for a market (new client; source repeats sometimes)."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    low = rng.choice([250_000, 350_000, 450_000, 600_000])
    payload = {
        "client_first_name": first,
        "client_last_name": last,
        "client_email": f"{first.lower()}.{last.lower()}.bench{index}@example.com",
        "client_phone": "+1 512 555 0142",
        "side": rng.choice(["buyer", "seller"]),
        "metro": market.name,
        "zip": rng.choice(market.zips),
        "price_min": low,
        "price_max": low + 250_000,
        "property_type": "residential",
        "timeline": "touring this weekend",
        "notes": "relocating, pre-approved",
        "source": {
            "name": "John Smith",
            "type": "agent",
            "email": f"john{index % 20}@denverhomes.example",
            "phone": "",
            "brokerage": "Denver Homes",
        },
        "mode": "best_fit",
        "agent_id": None,
        "network": None,
        "received_at": "2026-11-23T14:00:00Z",
    }
    payload.update(changes)
    return payload
