"""The coverage check, figured by hand on a small roster (no fallback agent).

| agent | metros         | sides  | capacity | now (2026-11-30)                          |
|-------|----------------|--------|----------|-------------------------------------------|
| A1    | Denver         | both   | 2        | holds one accepted Denver referral        |
| A2    | Denver         | seller | 1        | away 11-20 to 12-10                       |
| A3    | Denver;Boulder | buyer  | 3        | free                                      |
| A4    | Denver         | both   | 5        | inactive                                  |
| A5    | Austin         | both   | 1        | holds the open offer of an Austin referral |

Referrals: Houston (nobody covers it: dropped) 10 days ago, and one 100 days ago
(outside the 90 days); the Denver and Austin ones above. All buyers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.coverage import CoverageRow
from tests.cli.conftest import Run
from tests.factories import agent_row, intake, roster_csv

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@pytest.fixture
def covered(desk: Desk) -> Desk:
    rows = [
        agent_row(id="A1", metros="Denver", zips="", capacity="2"),
        agent_row(
            id="A2", metros="Denver", zips="", sides="seller", capacity="1",
            away_from="2026-11-20", away_until="2026-12-10",
        ),
        agent_row(id="A3", metros="Denver;Boulder", zips="", sides="buyer", capacity="3"),
        agent_row(id="A4", metros="Denver", zips="", capacity="5", active="false"),
        agent_row(id="A5", metros="Austin", zips="78704", capacity="1"),
    ]  # fmt: skip
    desk.import_roster(roster_csv(rows), NOW - timedelta(days=200))

    def receive(days_ago: int, metro: str, **changes: object) -> str:
        moment = NOW - timedelta(days=days_ago)
        payload = intake(
            metro=metro,
            zip="78704" if metro == "Austin" else "",
            received_at=moment.isoformat(),
            client_email=f"{metro.lower()}{days_ago}@example.com",
            **changes,
        )
        return desk.intake(payload, moment)[0].id

    receive(100, "Houston")
    receive(10, "Houston")
    denver = receive(5, "Denver", mode="private", agent_id="A1")
    desk.respond(denver, "A1", "accept", NOW - timedelta(days=5) + timedelta(minutes=5))
    desk.set_setting("acceptance_window_minutes", "1440", NOW - timedelta(hours=1))
    receive(0, "Austin")
    return desk


EXPECTED = [
    CoverageRow("Houston", "buyer", 0, 0, 1, 1),
    CoverageRow("Austin", "buyer", 0, 0, 1, 0),
    CoverageRow("Austin", "seller", 0, 0, 0, 0),
    CoverageRow("Boulder", "seller", 0, 0, 0, 0),
    CoverageRow("Houston", "seller", 0, 0, 0, 0),
    CoverageRow("Boulder", "buyer", 1, 3, 0, 0),
    CoverageRow("Denver", "seller", 1, 1, 0, 0),
    CoverageRow("Denver", "buyer", 2, 4, 1, 0),
]


def test_each_market_and_side_counted_by_hand_worst_first(covered: Desk) -> None:
    rows = covered.reports.coverage(NOW)
    assert rows == EXPECTED
    assert all(row.thin for row in rows)
    assert rows[0].reason == "Houston buyers: nobody eligible; 1 of 1 dropped"
    assert rows[-1].reason == "Denver buyers: 2 agents (4 free slots); 0 of 1 dropped"
    assert rows[5].reason == "Boulder buyers: 1 agent (3 free slots); none received in 90 days"


def test_a_market_with_three_agents_now_is_not_thin(covered: Desk) -> None:
    """A2 back from vacation and serving both sides makes Denver sellers three-strong."""
    later = datetime(2026, 12, 11, 15, 0, tzinfo=UTC)
    covered.set_vacation("A2", None, None, later)
    covered.import_roster(
        roster_csv([agent_row(id="A2", metros="Denver", zips="", sides="both", capacity="1")]),
        later,
    )
    rows = {(row.metro, row.side): row for row in covered.reports.coverage(later)}
    assert rows["Denver", "buyer"].eligible_agents == 3
    assert not rows["Denver", "buyer"].thin
    assert rows["Denver", "seller"].eligible_agents == 2
    assert rows["Houston", "buyer"].received_90d == 1


def test_the_command_prints_the_contract_list_and_the_reasons(
    covered: Desk, desk_url: str, run_cli: Callable[..., Run]
) -> None:
    done = run_cli("--db", desk_url, "--now", NOW.isoformat(), "coverage", "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out) == [row.to_json() for row in EXPECTED]
    assert json.loads(done.out)[0] == {
        "metro": "Houston",
        "side": "buyer",
        "eligible_agents": 0,
        "free_slots": 0,
        "received_90d": 1,
        "dropped_90d": 1,
        "thin": True,
    }
    text = run_cli("--db", desk_url, "--now", NOW.isoformat(), "coverage")
    assert text.code == 0
    lines = text.out.splitlines()
    assert lines[0] == "coverage: 8 markets and sides, 8 thin (fewer than 3 agents now)"
    assert lines[1] == "THIN Houston buyers: nobody eligible; 1 of 1 dropped"


def test_an_empty_desk_says_what_to_do(
    desk: Desk, desk_url: str, run_cli: Callable[..., Run]
) -> None:
    done = run_cli("--db", desk_url, "coverage")
    assert done.code == 0
    assert "partners import FILE" in done.out
    assert json.loads(run_cli("--db", desk_url, "coverage", "--json").out) == []
