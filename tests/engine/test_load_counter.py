"""Each agent's load, kept by the database, always equals what its rows say.

Routing reads `agent_stats.load` (triggers of migration 0007) instead of counting
an agent's open offers and active assigned referrals on every decision. Whatever
the desk does — intakes in every mode, answers, awards, lapses, re-routing, every
status move a user can make — the counter must equal the count, on both backends.
The count here is written independently of the engine, straight from the tables.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.views import ReferralView
from referral_desk.engine.rules.errors import DeskError
from referral_desk.engine.rules.lifecycle import USER_MOVES
from tests.factories import intake

COUNTED_LOADS = """
SELECT agent.id,
       (SELECT count(*) FROM offer
         WHERE offer.agent_id = agent.id AND offer.status IN ('offered', 'interested'))
     + (SELECT count(*) FROM referral
         WHERE referral.assigned_agent_id = agent.id
           AND referral.status IN ('pending', 'awarded', 'working', 'in_escrow'))
  FROM agent
"""
"""Open offers plus referrals assigned in an active status (DESIGN.md, Routing)."""

METROS = (("Austin", "78704"), ("Austin", None), ("Denver", "80202"), ("Round Rock", None))
MODES = (
    "best_fit",
    "best_fit",
    "round_robin",
    "broadcast",
    "network",
    "isa",
    "open",
    "private",
    "warm_transfer",
)
HANDOFF_MODES = ("best_fit", "round_robin", "broadcast", "network", "open", "warm_transfer")
RESPONSES = ("accept", "claim", "decline", "interest")


def counted_loads(desk: Desk) -> dict[str, int]:
    with desk.store.engine.connect() as connection:
        return {agent: count for agent, count in connection.execute(text(COUNTED_LOADS))}


def kept_loads(desk: Desk) -> dict[str, int]:
    with desk.store.engine.connect() as connection:
        rows = connection.execute(text("SELECT agent_id, load FROM agent_stats"))
        return {agent: load for agent, load in rows}


def open_holders(desk: Desk) -> list[tuple[str, str]]:
    """(referral, agent) of every open offer, so answers mostly land on real offers."""
    with desk.store.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT referral_id, agent_id FROM offer"
                " WHERE status IN ('offered', 'interested') ORDER BY id"
            )
        )
        return [(f"R-{number:06d}", agent) for number, agent in rows]


def referral_ids(desk: Desk) -> list[str]:
    """Referrals an agent works on, if any (their moves change loads), else all of them."""
    working = desk.referrals(statuses=("pending", "awarded", "working", "in_escrow"))
    return [referral.id for referral in working or desk.referrals(limit=10_000)]


INTAKE = st.tuples(st.just("intake"), st.sampled_from(METROS), st.sampled_from(MODES))
RESPOND = st.tuples(st.just("respond"), st.integers(0, 50), st.sampled_from(RESPONSES))
STATUS = st.tuples(st.just("status"), st.integers(0, 50), st.integers(0, 3))
STEP = st.one_of(
    INTAKE,
    INTAKE,
    RESPOND,
    RESPOND,
    STATUS,
    STATUS,
    STATUS,
    st.tuples(st.just("award"), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.integers(1, 90)),
    st.tuples(st.just("reroute"), st.integers(0, 50)),
    st.tuples(st.just("handoff"), st.integers(0, 50), st.sampled_from(HANDOFF_MODES)),
    st.tuples(st.just("invite"), st.integers(0, 50), st.sampled_from(("P-ATX-05", "T-ATX-01"))),
)
"""Status moves weigh most: a referral needs several to reach escrow and closing."""


def move_options(referral: ReferralView, target: str) -> dict[str, Any]:
    """What the `status` command asks for with each move (CONTRACT.md)."""
    options: dict[str, Any] = {}
    if target == "lost":
        options["reason"] = "client went quiet"
    if target in ("in_escrow", "fee_sent", "fee_received", "closed"):
        options["closing_date"] = date(2027, 1, 15)
    if target in ("fee_sent", "closed") and referral.status == "in_escrow":
        options.update(sale_price=500_000, commission_rate=Decimal("3"))
    return options


def play(desk: Desk, clock: ManualClock, step: tuple[Any, ...]) -> None:
    """One desk operation; a refusal is fine (the check reads what was stored)."""
    action, *options = step
    holders = open_holders(desk)
    known = referral_ids(desk)
    try:
        if action == "intake":
            (metro, zip_code), mode = options
            agent = {"agent_id": "P-ATX-02"} if mode == "private" else {}
            desk.intake(
                intake(metro=metro, zip=zip_code, mode=mode, received_at=None, **agent), clock.now()
            )
        elif action in ("respond", "award") and holders:
            referral, agent = holders[options[0] % len(holders)]
            if action == "award":
                desk.award(referral, agent, clock.now())
            else:
                desk.respond(referral, agent, options[1], clock.now())
        elif action == "advance":
            clock.advance(timedelta(minutes=options[0]))
            desk.tick(clock.now())
        elif action == "status" and known:
            referral = desk.referral(known[options[0] % len(known)])
            moves = USER_MOVES[referral.status] or ("lost",)  # a refused move is fine too
            target = moves[options[1] % len(moves)]
            desk.change_status(referral.id, target, clock.now(), **move_options(referral, target))
        elif action == "reroute" and known:
            desk.reroute(known[options[0] % len(known)], clock.now())
        elif action == "handoff":
            qualifying = [r.id for r in desk.referrals(statuses=("qualifying",))]
            if qualifying:
                referral_id = qualifying[options[0] % len(qualifying)]
                desk.routing.handoff(referral_id, clock.now(), options[1])
        elif action == "invite" and known:
            desk.routing.invite(known[options[0] % len(known)], [options[1]], clock.now())
    except DeskError:
        pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=30))
def test_the_kept_load_equals_the_counted_load_after_any_history(
    roster_desk: Desk, clock: ManualClock, steps: list[tuple[Any, ...]]
) -> None:
    """After every operation, each agent's kept load is its open offers plus active work.

    The desk carries over from one example to the next, so later examples start
    from ever busier desks: the counter must hold from any state, not only from empty.
    """
    roster_desk.set_setting("isa_agent_id", "T-HQ-01", clock.now())  # mode `isa` has its ISA
    roster_desk.set_setting("warm_transfer_agent_ids", "P-DEN-01", clock.now())
    for step in steps:
        play(roster_desk, clock, step)
        assert kept_loads(roster_desk) == counted_loads(roster_desk), step


def test_the_roster_shows_the_kept_load(roster_desk: Desk, clock: ManualClock) -> None:
    """An agent holding an offer and an accepted referral shows a load of 2."""
    [first] = roster_desk.intake(intake(received_at=None), clock.now())
    holder = first.offers[0].agent_id
    roster_desk.respond(first.id, holder, "accept", clock.now())
    [second] = roster_desk.intake(intake(received_at=None), clock.now())
    second_holder = second.offers[0].agent_id
    loads = {agent.id: agent.load for agent in roster_desk.agents()}
    assert loads == counted_loads(roster_desk)
    assert loads[holder] == (2 if second_holder == holder else 1)
    assert roster_desk.agent(second_holder).load == loads[second_holder]
    roster_desk.change_status(first.id, "lost", clock.now(), reason="client went quiet")
    assert roster_desk.agent(holder).load == loads[holder] - 1
