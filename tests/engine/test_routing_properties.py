"""Random desk histories: whatever agents answer and whenever the clock runs, the rules hold.

Each example builds a small random roster (2–8 agents in one or two metros, with
random sides, price bands, capacities, vacations, schedules, weights and network
groups) on a fresh SQLite desk, then plays a random sequence of intakes, agent
responses (accept / claim / decline / interest by any agent), awards, reroutes and
clock advances with ticks. After every step the stored offers and events are
checked against the rules the team lead relies on.
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from referral_desk.engine.desk import Desk
from referral_desk.engine.desk.routing.lapses import Lapse
from referral_desk.engine.rules.errors import DeskError
from tests.factories import agent_row, intake

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
"""Monday 23 November 2026, 08:00 in Chicago."""
METRO_ZIPS = {"Austin": ("78704", "78745"), "Denver": ("80202", "80205")}
SEQUENTIAL = ("best_fit", "round_robin", "on_duty")
ONE_AT_A_TIME = (*SEQUENTIAL, "private")
MODES = (*ONE_AT_A_TIME, "broadcast", "network")
WEIGHT_KEYS = ("territory", "price", "capacity", "history", "property_type")
PRICES = st.integers(2, 24).map(lambda n: n * 50_000)

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def empty_desk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty desk; each example copies it instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Desk.open(str(path)).close()
    return path


# --- strategies ------------------------------------------------------------------------


@st.composite
def roster(draw: st.DrawFn) -> list[dict[str, str]]:
    """2–8 agents spread over one or two metros."""
    metros = draw(st.sampled_from([("Austin",), ("Denver",), ("Austin", "Denver")]))
    count = draw(st.integers(2, 8))
    rows = []
    for index in range(count):
        covered = draw(st.lists(st.sampled_from(metros), min_size=1, unique=True))
        zip_choices = [code for metro in covered for code in METRO_ZIPS[metro]]
        zips = draw(st.lists(st.sampled_from(zip_choices), unique=True, max_size=2))
        low = draw(PRICES)
        high = low + draw(st.integers(0, 16)) * 50_000
        vacation = draw(
            st.one_of(
                st.none(), st.none(), st.none(), st.tuples(st.integers(-2, 2), st.integers(0, 2))
            )
        )
        away_from = away_until = ""
        if vacation is not None:
            start = date(2026, 11, 23) + timedelta(days=vacation[0])
            away_from = start.isoformat()
            away_until = (start + timedelta(days=vacation[1])).isoformat()
        rows.append(
            agent_row(
                id=f"AG-{index}",
                name=f"Agent {index}",
                metros=";".join(covered),
                zips=";".join(zips),
                sides=draw(st.sampled_from(["buyer", "seller", "both", "both", "both"])),
                price_min=str(low),
                price_max=str(high),
                property_types=";".join(
                    draw(
                        st.lists(
                            st.sampled_from(["residential", "condo", "land"]),
                            min_size=1,
                            unique=True,
                        )
                    )
                ),
                capacity=str(draw(st.sampled_from([0, 1, 2, 3, 4, 4]))),
                active=draw(st.sampled_from(["true"] * 5 + ["false"])),
                away_from=away_from,
                away_until=away_until,
                on_duty=draw(st.sampled_from(["", "mon-fri 08:00-12:00", "mon-sun 06:00-22:00"])),
                weight=str(draw(st.integers(1, 3))),
                network=draw(st.sampled_from(["", "g1", "g2"])),
            )
        )
    return rows


@dataclass(frozen=True)
class DeskConfig:
    weights: dict[str, int]
    fallback: int | None
    max_offers: int
    broadcast_size: int


desk_configs = st.builds(
    DeskConfig,
    weights=st.tuples(*[st.integers(0, 50)] * len(WEIGHT_KEYS)).map(
        lambda values: dict(
            zip(WEIGHT_KEYS, values if any(values) else (1, 0, 0, 0, 0), strict=True)
        )
    ),
    fallback=st.one_of(st.none(), st.integers(0, 7)),
    max_offers=st.integers(1, 5),
    broadcast_size=st.integers(1, 4),
)

intakes = st.fixed_dictionaries(
    {
        "action": st.just("intake"),
        "metro": st.integers(0, 1),
        "zip_index": st.one_of(st.none(), st.integers(0, 1)),
        "side": st.sampled_from(["buyer", "seller"]),
        "price_min": PRICES,
        "width": st.integers(0, 12).map(lambda n: n * 50_000),
        "property_type": st.sampled_from(["residential", "condo", "land"]),
        "mode": st.sampled_from([*MODES, "broadcast", "network"]),
        "agent": st.integers(0, 7),
        "network": st.sampled_from([None, None, "g1", "g2"]),
    }
)
responses = st.fixed_dictionaries(
    {
        "action": st.just("respond"),
        "referral": st.integers(0, 50),
        "agent": st.integers(0, 7),
        "holder": st.sampled_from([True, True, True, False]),
        "response": st.sampled_from(["accept", "claim", "decline", "interest"]),
        "minutes": st.integers(0, 6),
    }
)
awards = st.fixed_dictionaries(
    {
        "action": st.just("award"),
        "referral": st.integers(0, 50),
        "agent": st.integers(0, 7),
        "holder": st.booleans(),
    }
)
reroutes = st.fixed_dictionaries(
    {
        "action": st.just("reroute"),
        "referral": st.integers(0, 50),
        "agent": st.one_of(st.none(), st.integers(0, 7)),
    }
)
advances = st.fixed_dictionaries({"action": st.just("advance"), "minutes": st.integers(1, 240)})
actions = st.lists(
    st.one_of(intakes, responses, responses, responses, awards, reroutes, advances, advances),
    min_size=6,
    max_size=24,
)
histories = st.tuples(st.lists(intakes, min_size=1, max_size=3), actions).map(
    lambda parts: parts[0] + parts[1]
)
"""A few referrals come in first, then anything can happen."""


# --- running a history -------------------------------------------------------------------


def weighted_mean(breakdown: dict[str, float], weights: dict[str, float]) -> float:
    return sum(weights[key] * breakdown[key] for key in WEIGHT_KEYS) / sum(weights.values())


@dataclass
class History:
    """What a run did, for the checks: modes at intake, and every lapse the clock reported."""

    desk: Desk
    path: Path
    weights: dict[str, float]
    referral_ids: list[str]
    intake_modes: dict[str, str]
    lapses: list[Lapse]


def open_desk(
    template: Path, folder: Path, agents: list[dict[str, str]], config: DeskConfig
) -> History:
    path = folder / "d.db"
    shutil.copyfile(template, path)
    desk = Desk.open(str(path), actor="property")
    for row in agents:
        desk.save_agent(row, T0)
    for key, value in config.weights.items():
        desk.set_setting(f"weights.{key}", str(value), T0)
    if (
        config.fallback is not None
        and config.fallback < len(agents)
        and agents[config.fallback]["active"] == "true"  # an inactive fallback is refused
    ):
        desk.set_setting("fallback_agent_id", f"AG-{config.fallback}", T0)
    desk.set_setting("max_offers_before_fallback", str(config.max_offers), T0)
    desk.set_setting("broadcast_size", str(config.broadcast_size), T0)
    weights = desk.settings().weights
    return History(desk, path, weights, [], {}, [])


def play(
    history: History, step: dict[str, Any], now: datetime, agents: list[dict[str, str]]
) -> datetime:
    """Performs one step; refusals are fine (the checks look at what was stored).

    A response or award with `holder` goes to a referral with an open offer, comes
    from an agent holding one (for an award, an interested one) and is mostly the
    word the mode expects, so histories reach claims, interest and awards; without
    `holder` it is any referral, any agent and any word.
    """
    desk = history.desk
    agent = f"AG-{step['agent'] % len(agents)}" if step.get("agent") is not None else None
    choices = history.referral_ids
    if step.get("holder"):
        waiting = rows(
            history.path,
            "SELECT DISTINCT referral_id FROM offer "
            "WHERE status IN ('offered', 'interested') ORDER BY referral_id",
        )
        choices = [f"R-{number:06d}" for (number,) in waiting] or choices
    referral = choices[step["referral"] % len(choices)] if "referral" in step and choices else None
    response = step.get("response")
    if step.get("holder") and referral is not None:
        view = desk.referral(referral)
        wanted = ("interested",) if step["action"] == "award" else ("offered", "interested")
        holders = [offer.agent_id for offer in view.offers if offer.status in wanted]
        if holders:
            agent = holders[step["agent"] % len(holders)]
        # Mostly answer the way the mode expects, so claims, interest and awards happen.
        if response in ("accept", "claim", "interest"):
            if view.mode == "network":
                response = "interest"
            elif response == "interest":
                response = "claim"
    try:
        if step["action"] == "intake":
            metros = sorted({metro for row in agents for metro in row["metros"].split(";")})
            metro = metros[step["metro"] % len(metros)]
            zips = METRO_ZIPS[metro]
            payload = intake(
                metro=metro,
                zip=None if step["zip_index"] is None else zips[step["zip_index"]],
                side=step["side"],
                price_min=step["price_min"],
                price_max=step["price_min"] + step["width"],
                property_type=step["property_type"],
                mode=step["mode"],
                agent_id=agent if step["mode"] == "private" else None,
                network=step["network"] if step["mode"] == "network" else None,
                received_at=None,
            )
            stored = desk.intake(payload, now)[0]
            history.referral_ids.append(stored.id)
            history.intake_modes[stored.id] = step["mode"]
        elif step["action"] == "respond" and referral is not None:
            now += timedelta(minutes=step["minutes"])
            desk.respond(referral, agent or "", response or "", now, reason="random")
        elif step["action"] == "award" and referral is not None:
            desk.award(referral, agent or "", now)
        elif step["action"] == "reroute" and referral is not None:
            desk.reroute(referral, now, agent_id=agent)
        elif step["action"] == "advance":
            now += timedelta(minutes=step["minutes"])
            history.lapses.extend(desk.tick(now))
    except DeskError:
        pass
    return now


def rows(path: Path, query: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(query, parameters).fetchall()


def check_rules(history: History, new_lapses: list[Lapse]) -> None:
    """Every rule the property tests promise, over what is stored now."""
    with closing(sqlite3.connect(history.path)) as connection:

        def query(sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
            return connection.execute(sql, parameters).fetchall()

        # Never two accepted offers for one referral.
        assert (
            query(
                "SELECT referral_id FROM offer WHERE status = 'accepted' "
                "GROUP BY referral_id HAVING COUNT(*) > 1"
            )
            == []
        )
        # At most one open offer per referral in the one-at-a-time modes.
        assert (
            query(
                "SELECT r.id FROM referral r JOIN offer o ON o.referral_id = r.id "
                "WHERE o.status IN ('offered', 'interested') AND r.mode IN (?, ?, ?, ?) "
                "GROUP BY r.id HAVING COUNT(*) > 1",
                *ONE_AT_A_TIME,
            )
            == []
        )
        # A referral waiting on agents has an open offer; an awarded one names its agent.
        for referral_id, status, assigned, open_count, winners in query(
            "SELECT r.id, r.status, r.assigned_agent_id, "
            "(SELECT COUNT(*) FROM offer o WHERE o.referral_id = r.id "
            " AND o.status IN ('offered', 'interested')), "
            "(SELECT group_concat(o.agent_id) FROM offer o WHERE o.referral_id = r.id "
            " AND o.status = 'accepted') "
            "FROM referral r"
        ):
            if status in ("offered", "accepted"):
                assert open_count >= 1, (referral_id, status)
            else:
                assert open_count == 0, (referral_id, status)
            if status in ("awarded", "pending"):
                assert winners == assigned, (referral_id, status)
            else:
                assert assigned is None, (referral_id, status)
        # Every stored score is the weighted mean of its stored breakdown.
        for offer_id, score, text in query("SELECT id, score, breakdown FROM offer"):
            breakdown = json.loads(text)
            assert set(breakdown) == set(WEIGHT_KEYS), offer_id
            assert all(0.0 <= value <= 1.0 for value in breakdown.values()), offer_id
            assert math.isclose(score, weighted_mean(breakdown, history.weights), abs_tol=1e-12), (
                offer_id
            )
        # Never offered again to an agent who declined or lapsed on it.
        assert (
            query(
                "SELECT a.id, b.id FROM offer a JOIN offer b ON a.referral_id = b.referral_id "
                "AND a.agent_id = b.agent_id AND b.id > a.id "
                "WHERE a.status IN ('declined', 'lapsed')"
            )
            == []
        )
        # Each lapsed offer has exactly one lapse event, dated at its real expiry.
        assert (
            query(
                "SELECT o.id FROM offer o "
                "LEFT JOIN event e ON e.offer_id = o.id AND e.kind = 'lapsed' "
                "WHERE o.status = 'lapsed' GROUP BY o.id "
                "HAVING COUNT(e.id) != 1 OR MIN(e.at) != o.expires_at"
            )
            == []
        )
        assert query("SELECT COUNT(*) FROM event WHERE kind = 'lapsed'") == query(
            "SELECT COUNT(*) FROM offer WHERE status = 'lapsed'"
        )
        # Each lapse the clock reported: exactly one next step in sequential modes.
        for lapse in new_lapses:
            number = int(lapse.referral_id.removeprefix("R-"))
            [(mode,)] = query("SELECT mode FROM referral WHERE id = ?", number)
            if mode in SEQUENTIAL:
                moved_on = len(lapse.next_agent_ids) == 1
                assert moved_on != (lapse.referral_status == "unassigned"), lapse
                assert len(lapse.next_agent_ids) <= 1, lapse
                assert lapse.agent_id not in lapse.next_agent_ids, lapse
            else:
                assert lapse.next_agent_ids == (), lapse
        # Sequential and private: each intake, reroute, decline or lapse is followed by
        # exactly one next step: a new offer (next agent or fallback) or unassigned.
        counts: dict[int, Counter[str]] = {}
        for number, kind, count in query(
            "SELECT referral_id, kind, COUNT(*) FROM event GROUP BY referral_id, kind"
        ):
            counts.setdefault(number, Counter())[kind] = count
        for referral_id, mode in history.intake_modes.items():
            if mode not in ONE_AT_A_TIME:
                continue
            number = int(referral_id.removeprefix("R-"))
            kinds = counts[number]
            causes = 1 + kinds["rerouted"] + kinds["declined"] + kinds["lapsed"]
            assert kinds["offered"] + kinds["unassigned"] == causes, (referral_id, kinds)
            # A private referral is only ever offered to its chosen agent.
            if mode == "private" and not kinds["rerouted"]:
                agents = query(
                    "SELECT DISTINCT o.agent_id, r.private_agent_id FROM offer o "
                    "JOIN referral r ON r.id = o.referral_id WHERE r.id = ?",
                    number,
                )
                assert all(agent == chosen for agent, chosen in agents), (referral_id, agents)


def settle(history: History, now: datetime) -> datetime:
    """Lets every window run out, an hour per beat, checking the rules after each beat.

    Each beat ends at most one offer per referral and every agent can be offered a
    referral once, so the roster runs out within a dozen beats.
    """
    for _ in range(12):
        if not rows(history.path, "SELECT id FROM offer WHERE status = 'offered' LIMIT 1"):
            break
        now += timedelta(hours=1)
        seen = len(history.lapses)
        history.lapses.extend(history.desk.tick(now))
        check_rules(history, history.lapses[seen:])
    assert rows(history.path, "SELECT id FROM offer WHERE status = 'offered'") == []
    return now


def describe(history: History) -> None:
    """Labels for `--hypothesis-show-statistics`: what the generated histories exercised."""
    statuses = [status for (status,) in rows(history.path, "SELECT status FROM referral")]
    kinds = {kind for (kind,) in rows(history.path, "SELECT DISTINCT kind FROM event")}
    event(f"referrals stored: {min(len(statuses), 5)}{'+' if len(statuses) >= 5 else ''}")
    for status in sorted(set(statuses)):
        event(f"a referral ended {status}")
    for kind in (
        "lapsed",
        "declined",
        "accepted",
        "claimed",
        "fallback",
        "rerouted",
        "withdrawn",
        "pending",
    ):
        if kind in kinds:
            event(f"history has {kind}")


def run(
    template: Path,
    folder: Path,
    agents: list[dict[str, str]],
    config: DeskConfig,
    steps: list[dict[str, Any]],
) -> History:
    history = open_desk(template, folder, agents, config)
    try:
        now = T0
        for step in steps:
            seen = len(history.lapses)
            now = play(history, step, now, agents)
            check_rules(history, history.lapses[seen:])
        # Finally let every window run out: the clock settles everything still open.
        settle(history, now)
        describe(history)
        return history
    finally:
        history.desk.close()


# --- the properties -----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(agents=roster(), config=desk_configs, steps=histories)
def test_random_histories_keep_every_routing_rule(
    empty_desk_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
    agents: list[dict[str, str]],
    config: DeskConfig,
    steps: list[dict[str, Any]],
) -> None:
    """Whatever agents answer and whenever the clock runs, the routing rules hold.

    Never two accepted offers for one referral; at most one open offer in sequential
    and private modes; every lapse is followed by exactly one next step (new offer,
    fallback or unassigned) and dated at its expiry; every stored score is the
    weighted mean of its breakdown; no agent is offered a referral again after
    declining or letting it lapse.
    """
    run(empty_desk_file, tmp_path_factory.mktemp("history"), agents, config, steps)


@settings(PROPERTY_SETTINGS, max_examples=30)
@given(
    agents=roster(),
    config=desk_configs,
    mode=st.sampled_from(MODES),
    count=st.integers(1, 4),
    answers=st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from(["decline", "decline", "lapse"])),
        max_size=8,
    ),
)
def test_referrals_nobody_takes_always_end_unassigned_with_one_flag(
    empty_desk_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
    agents: list[dict[str, str]],
    config: DeskConfig,
    mode: str,
    count: int,
    answers: list[tuple[int, str]],
) -> None:
    """If nobody ever takes a referral, it ends unassigned with exactly one roster flag.

    Agents only decline or let offers lapse; once every window has run out, each
    referral is unassigned, carries one `roster_exhausted` flag, and was offered
    to each agent at most once.
    """
    history = open_desk(empty_desk_file, tmp_path_factory.mktemp("refusals"), agents, config)
    desk = history.desk
    try:
        now = T0
        for index in range(count):
            play(
                history,
                {
                    "action": "intake",
                    "metro": index,
                    "zip_index": index % 3 if index % 3 < 2 else None,
                    "side": ("buyer", "seller")[index % 2],
                    "price_min": 300_000 + 50_000 * index,
                    "width": 200_000,
                    "property_type": "residential",
                    "mode": mode,
                    "agent": index,
                    "network": None,
                },
                now,
                agents,
            )
        for agent_index, answer in answers:
            for referral_id in history.referral_ids:
                open_ids = [o.agent_id for o in desk.referral(referral_id).open_offers]
                if not open_ids:
                    continue
                if answer == "decline":
                    agent_id = open_ids[agent_index % len(open_ids)]
                    desk.respond(referral_id, agent_id, "decline", now)
                else:
                    now += timedelta(minutes=31)
                    history.lapses.extend(desk.tick(now))
        settle(history, now)
        for referral_id in history.referral_ids:
            view = desk.referral(referral_id)
            assert view.status == "unassigned", (referral_id, view.status)
            assert [flag.kind for flag in view.flags] == ["roster_exhausted"]
            offered = [offer.agent_id for offer in view.offers]
            assert len(offered) == len(set(offered))
            assert {offer.status for offer in view.offers} <= {"declined", "lapsed"}
    finally:
        desk.close()
