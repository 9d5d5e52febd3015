"""What-if runs: the real desk service on an in-memory desk under a virtual clock.

`run_simulation` opens a fresh desk (`Desk.open("sqlite://")`), imports a
roster (the user's, or one generated from the seed), applies the settings
under test, and then plays a seeded stream of referrals through the desk
service in time order: each referral is taken in when it arrives, agents
answer their offers after their own delays (or never, and the offer lapses),
the reassignment clock (`desk.tick`) runs at every offer's expiry and once a
day, the team lead routes an unassigned referral again a few hours later, and
accepted referrals go on to closing or are lost. Nothing is shortcut: routing,
windows, lapses, fallbacks and fees are the engine's own. At the end the same
report as `referral-desk report` is computed over the whole span.

Inputs come from `simulation_inputs`, drawn from the seed alone, so the same
seed gives the same figures and a `--compare` variant faces the same stream.
Output formats live in `simulation_output`.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ..desk import Desk
from ..read.views import ReferralView
from ..report.figures import Report, span_period
from ..report.market_drops import MarketDrops
from ..rules.errors import DeskError
from ..rules.fees import expected_fee
from ..values.schemas import AgentIn
from ..values.settings import DeskSettings
from .config import SimulationConfig
from .inputs import (
    FALLBACK_ID,
    Arrival,
    Habits,
    agent_habits,
    answer_for,
    generated_roster,
    referral_stream,
    roster_agents,
    uncovered_markets,
    vacations,
)
from .models import ModelSteps, answer_in_mode

__all__ = ["Progress", "SimulationConfig", "SimulationResult", "run_simulation"]

Progress = Callable[[int, int], None]
"""Told (days simulated so far, days in the run) as a run goes on."""

MAX_REROUTES = 2
"""How many times the team lead routes an unassigned referral again before giving up."""
COMMISSION_RATE = Decimal(3)
"""The simulated sales' commission rate (percent)."""
FEE_PERCENT = Decimal(25)
"""The simulated referral fee, both ways (percent of the commission)."""


@dataclass
class RunCounts:
    """What happened during a run, beyond the report's figures."""

    referrals: int = 0
    offers: int = 0
    accepts: int = 0
    declines: int = 0
    silences: int = 0
    """Offers nobody answered (they lapsed)."""
    late: int = 0
    """Answers that came too late (another agent had claimed it first)."""
    reroutes: int = 0
    service_calls: int = 0


@dataclass(frozen=True)
class SimulationResult:
    """A finished run: its settings, the report over its span, and what it cost."""

    config: SimulationConfig
    settings: dict[str, Any]
    """Every desk setting as the run used it (contract keys)."""
    report: Report
    counts: RunCounts
    seconds: float
    """Wall-clock seconds the run took (not part of the figures)."""
    uncovered_markets: tuple[str, ...] = ()
    """Metros of `config.markets` that no active agent on the roster covers."""
    drops: tuple[MarketDrops, ...] = ()
    """Each metro and side the run's referrals came for, most drops first."""

    @property
    def ms_per_referral(self) -> float:
        return self.seconds * 1000 / max(1, self.counts.referrals)


Event = tuple[datetime, int, str, Any]
OfferKey = tuple[str, str]
"""(referral id, agent id): an agent holds at most one offer of a referral at a time."""


class _Run(ModelSteps):
    """The event loop of one run: a queue of moments, each handled through the desk."""

    def __init__(
        self,
        config: SimulationConfig,
        desk: Desk,
        settings: DeskSettings,
        agents: list[AgentIn],
        progress: Progress | None = None,
    ) -> None:
        self.config, self.desk, self.settings = config, desk, settings
        self.progress = progress
        self.days_done = 0
        self.kinds = {agent.id: agent.kind for agent in agents}
        self.counts = RunCounts()
        self.queue: list[Event] = []
        self.sequence = 0
        self.open_offers: dict[OfferKey, datetime] = {}
        self.seen_offers: set[tuple[str, str, datetime]] = set()
        self.attempts: dict[OfferKey, int] = {}
        self.arrivals: dict[str, Arrival] = {}
        self.started: set[str] = set()
        self.reroutes: dict[str, int] = {}
        self.rerouting: set[str] = set()
        self.habits: dict[str, Habits] = {}
        self.fees: dict[str, list[str]] = {}
        self.modes: dict[str, str] = {}
        self.handing_off: set[str] = set()
        self.awarding: set[str] = set()

    def call(self, operation: Callable[..., Any], *arguments: Any, **options: Any) -> Any:
        """Every desk-service call goes through here, so a run can say what it cost."""
        self.counts.service_calls += 1
        return operation(*arguments, **options)

    def push(self, moment: datetime, kind: str, data: Any = None) -> None:
        """Queues something to happen; equal moments keep the order they were queued in."""
        self.sequence += 1
        heapq.heappush(self.queue, (moment, self.sequence, kind, data))

    def habits_of(self, agent_id: str) -> Habits:
        """An agent's habits, drawn once from the seed or as observed on a real desk (so the
        same in every variant)."""
        if agent_id not in self.habits:
            self.habits[agent_id] = agent_habits(
                self.config.seed,
                agent_id,
                self.config.accept_probability,
                self.config.response_minutes,
                self.config.habits.get(agent_id),
            )
        return self.habits[agent_id]

    def run(self, end: datetime) -> None:
        """Handles everything due before `end` in time order, then one last clock tick."""
        handlers: dict[str, Callable[[datetime, Any], None]] = {
            "arrive": self.arrive,
            "answer": self.answer,
            "expire": self.expire,
            "reroute": self.reroute,
            "step": self.step,
            "heartbeat": self.heartbeat,
            "handoff": self.handoff,
            "award": self.award,
        }
        while self.queue and self.queue[0][0] < end:
            moment, _, kind, data = heapq.heappop(self.queue)
            handlers[kind](moment, data)
        self.call(self.desk.tick, end)

    def offered(self, referral_id: str, agent_id: str, at: datetime, expires: datetime) -> None:
        """A new offer: its lapse is due at `expires`; the agent's answer, if any, before."""
        if (referral_id, agent_id, at) in self.seen_offers:
            return
        self.seen_offers.add((referral_id, agent_id, at))
        self.counts.offers += 1
        key = (referral_id, agent_id)
        self.open_offers[key] = expires
        self.push(expires, "expire", key)
        self.attempts[key] = attempt = self.attempts.get(key, 0) + 1
        index = self.arrivals[referral_id].index
        answer, delay = answer_for(
            self.config.seed, index, agent_id, attempt, self.habits_of(agent_id)
        )
        if answer == "silent" or at + delay >= expires:
            self.counts.silences += 1
            return
        self.push(at + delay, "answer", (referral_id, agent_id, expires, answer))

    def sync(self, view: ReferralView, now: datetime) -> None:
        """Learns a referral's new offers and closed ones, and where it stands."""
        self.note_models(view, now)
        for offer in view.offers:
            if offer.status == "offered":
                self.offered(view.id, offer.agent_id, offer.offered_at, offer.expires_at)
            elif self.open_offers.get((view.id, offer.agent_id)) == offer.expires_at:
                del self.open_offers[(view.id, offer.agent_id)]
        if view.status == "awarded" and view.id not in self.started:
            self.started.add(view.id)
            if self.config.lifecycle and view.assigned_agent_id:
                self.plan_lifecycle(view, view.assigned_agent_id, now)
        if view.status == "unassigned":
            self.unassigned(view.id, now)

    def unassigned(self, referral_id: str, now: datetime) -> None:
        """The team lead routes it again a few hours later (at most `MAX_REROUTES` times)."""
        if (
            referral_id in self.rerouting
            or self.config.reroute_after_hours <= 0
            or self.reroutes.get(referral_id, 0) >= MAX_REROUTES
        ):
            return
        self.rerouting.add(referral_id)
        self.reroutes[referral_id] = self.reroutes.get(referral_id, 0) + 1
        self.push(now + timedelta(hours=self.config.reroute_after_hours), "reroute", referral_id)

    def arrive(self, now: datetime, arrival: Arrival) -> None:
        """The VA takes the referral in as it arrives; the desk routes it at once."""
        view = self.call(self.desk.intake, arrival.payload, now)[0]
        self.counts.referrals += 1
        self.arrivals[view.id] = arrival
        self.sync(view, now)

    def answer(self, now: datetime, data: tuple[str, str, datetime, str]) -> None:
        """An agent answers (the VA records it), unless the offer was withdrawn meanwhile."""
        referral_id, agent_id, expires, answer = data
        answer = answer_in_mode(self.modes.get(referral_id, ""), answer)
        if self.open_offers.get((referral_id, agent_id)) != expires:
            self.counts.late += 1  # withdrawn: someone else claimed it first
            return
        try:
            view = self.call(self.desk.respond, referral_id, agent_id, answer, now)
        except DeskError:
            self.counts.late += 1
            self.open_offers.pop((referral_id, agent_id), None)
            return
        if answer == "interest":
            self.interest_shown(referral_id, now)
        if answer in ("accept", "interest"):
            self.counts.accepts += 1
        else:
            self.counts.declines += 1
        self.sync(view, now)

    def expire(self, now: datetime, key: OfferKey) -> None:
        """An offer's window ends: the clock runs, unless the offer was answered already."""
        if self.open_offers.get(key) == now:
            self.tick(now)

    def heartbeat(self, now: datetime, _: Any) -> None:
        """The clock also runs once a day, as the real one would, for its time-based flags;
        a day gone by is also when a long run says how far it got."""
        self.tick(now)
        if self.progress is not None:
            self.progress(self.days_done, self.config.days)
        self.days_done += 1
        self.push(now + timedelta(days=1), "heartbeat")

    def tick(self, now: datetime) -> None:
        """The reassignment clock; each lapse names who was offered next, if anyone."""
        for lapse in self.call(self.desk.tick, now):
            self.open_offers.pop((lapse.referral_id, lapse.agent_id), None)
            expires = self.settings.offer_window_end(now)
            for agent_id in lapse.next_agent_ids:
                self.offered(lapse.referral_id, agent_id, now, expires)
            if lapse.referral_status == "unassigned":
                self.unassigned(lapse.referral_id, now)

    def reroute(self, now: datetime, referral_id: str) -> None:
        """The team lead routes an unassigned referral again (refused if it moved on)."""
        self.rerouting.discard(referral_id)
        try:
            view = self.call(self.desk.reroute, referral_id, now)
        except DeskError:
            return
        self.counts.reroutes += 1
        self.sync(view, now)

    def plan_lifecycle(self, view: ReferralView, agent_id: str, now: datetime) -> None:
        """Working in a few days; then escrow and closing, or a loss, by the agent's record."""
        rng = random.Random(f"{self.config.seed}:life:{self.arrivals[view.id].index}")
        working = now + timedelta(days=rng.uniform(1, 3))
        self.push(working, "step", (view.id, "working", agent_id))
        if rng.random() < self.habits_of(agent_id).closes:
            escrow = working + timedelta(days=rng.uniform(15, 45))
            closing = escrow + timedelta(days=rng.uniform(25, 40))
            price = max(1000, rng.randint(view.price_min, view.price_max) // 1000 * 1000)
            self.push(escrow, "step", (view.id, "in_escrow", closing))
            self.push(closing, "step", (view.id, "closed", price))
            paid = closing + timedelta(days=rng.uniform(3, 14))
            self.push(paid, "step", (view.id, "paid", price))
        else:
            self.push(
                working + timedelta(days=rng.uniform(10, 60)), "step", (view.id, "lost", None)
            )

    def step(self, now: datetime, data: tuple[str, str, Any]) -> None:
        """One move of an accepted referral's life; a refused move is skipped, as a VA would."""
        referral_id, step, value = data
        desk = self.desk
        try:
            if step == "working":
                self.call(desk.change_status, referral_id, "working", now)
                if referral_id not in self.fees:  # an award logged them already
                    self.log_fees(referral_id, value, now)
            elif step == "in_escrow":
                day = value.astimezone(self.settings.zone).date()
                self.call(desk.change_status, referral_id, step, now, closing_date=day)
            elif step == "closed":
                rate = COMMISSION_RATE
                self.call(
                    desk.change_status,
                    referral_id,
                    step,
                    now,
                    sale_price=value,
                    commission_rate=rate,
                )
            elif step == "paid":
                amount = expected_fee(value, COMMISSION_RATE, FEE_PERCENT)
                for direction in self.fees.get(referral_id, []):
                    self.call(desk.fee_paid, referral_id, amount, now, None, direction)
            elif step == "lost":
                self.call(desk.change_status, referral_id, "lost", now)
        except DeskError:
            return

    def log_fees(self, referral_id: str, agent_id: str, now: datetime) -> None:
        """The agents' fee agreements: 25% from a partner, 25% to a referring agent."""
        directions = []
        if self.kinds.get(agent_id) == "partner":
            directions.append("receivable")
        if self.arrivals[referral_id].source_type == "agent":
            directions.append("payable")
        for direction in directions:
            self.call(self.desk.log_fee, referral_id, direction, FEE_PERCENT, "Agent", now)
        self.fees[referral_id] = directions


def run_simulation(config: SimulationConfig, progress: Progress | None = None) -> SimulationResult:
    """Plays one seeded run through a fresh in-memory desk and reports on its span.

    `progress(days_done, days)` is called at the start of every simulated day (and
    once at the end), so a command can show how far a long run has got.
    """
    config.check()
    began = time.perf_counter()
    desk = Desk.open("sqlite://", actor="simulator", views_with_history=False)
    try:
        setup = datetime.combine(config.start - timedelta(days=1), datetime.min.time(), UTC)
        roster = config.roster_csv or generated_roster(config.seed, config.per_day)
        agents = roster_agents(roster)
        desk.import_roster(roster, setup)
        if config.roster_csv is None and "fallback_agent_id" not in config.settings:
            desk.set_setting("fallback_agent_id", FALLBACK_ID, setup)
        for key, value in config.settings.items():
            desk.set_setting(key, value, setup)
        zone: ZoneInfo = desk.settings().zone
        start = datetime.combine(config.start, datetime.min.time(), zone).astimezone(UTC)
        end = start + timedelta(days=config.days)
        for away in vacations(config.seed, agents, config.start, config.days):
            desk.set_vacation(away.agent_id, away.away_from, away.away_until, setup)
        run = _Run(config, desk, desk.settings(), agents, progress)
        for arrival in referral_stream(
            config.seed, agents, start, config.days, config.per_day, zone, config.markets
        ):
            run.push(arrival.at.astimezone(UTC), "arrive", arrival)
        run.push(start, "heartbeat")
        run.run(end)
        if progress is not None:
            progress(config.days, config.days)
        label = f"simulation {config.start.isoformat()} + {config.days} days"
        report = desk.reports.report_for(span_period(label, start, end, zone), end)
        markets = desk.reports.market_drops(start, end).values()
        drops = sorted(markets, key=lambda market: (-market.dropped, -market.received))
        settings = desk.settings().as_contract()
    finally:
        desk.close()
    seconds = time.perf_counter() - began
    uncovered = uncovered_markets(config.markets, agents)
    return SimulationResult(config, settings, report, run.counts, seconds, uncovered, tuple(drops))
