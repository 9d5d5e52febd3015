"""Two clocks on one database never handle an offer twice.

The TUI's clock worker and a headless `referral-desk clock` may run at the same
time against one SQLite file. Here two `clock --once` processes start together
on a desk holding 2,000 offers whose windows have all passed; afterwards every
offer has lapsed exactly once, and each lapse was reported by exactly one process.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from referral_desk.engine.desk import Desk
from tests.factories import agent_row, intake, roster_csv

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
LATER = "2026-11-23T14:31:00Z"
"""One minute after every seeded window closed."""
OFFERS = 2_000
STORED_BY_THE_SERVICE = 50
"""Referrals the desk service stores (one intake call); the rest are copies of them.

The service stores about 40 referrals a second on a slow machine, so storing all
2,000 would take most of a minute; copying its rows keeps the setup under a second
and leaves the clock (the code under test) with the same rows it would have made.
"""
AGENTS = 4
TIME_LIMIT = 180
"""Seconds the two clocks may take; about 20 s on an idle 2-core machine, so only a
pathological slowdown (say, clocks waiting on each other's locks) reaches it."""


def seed(path: Path) -> None:
    """2,000 private referrals, one offer each, offered at T0 (windows close at 14:30)."""
    desk = Desk.open(str(path))
    try:
        rows = [agent_row(id=f"P-{index:02d}", capacity="1000") for index in range(AGENTS)]
        desk.import_roster(roster_csv(rows), T0)
        stored = desk.intake(
            [
                intake(mode="private", agent_id=f"P-{index % AGENTS:02d}")
                for index in range(STORED_BY_THE_SERVICE)
            ],
            T0,
        )
        assert [len(referral.offers) for referral in stored] == [1] * STORED_BY_THE_SERVICE
    finally:
        desk.close()
    copy_referrals(path, OFFERS // STORED_BY_THE_SERVICE)


def copy_referrals(path: Path, times: int) -> None:
    """Copies the stored referrals, their offers and events `times - 1` more times."""
    batch = STORED_BY_THE_SERVICE
    with closing(sqlite3.connect(path)) as connection, connection:

        def columns(table: str) -> list[str]:
            return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]

        referral = [name for name in columns("referral") if name != "id"]
        offer = [name for name in columns("offer") if name not in ("id", "referral_id")]
        event = [name for name in columns("event") if name not in ("id", "referral_id", "offer_id")]
        for copy in range(1, times):
            shift = copy * batch
            connection.execute(
                f"INSERT INTO referral (id, {', '.join(referral)}) "
                f"SELECT id + {shift}, {', '.join(referral)} FROM referral WHERE id <= {batch}"
            )
            connection.execute(
                f"INSERT INTO offer (id, referral_id, {', '.join(offer)}) "
                f"SELECT id + {shift}, referral_id + {shift}, {', '.join(offer)} "
                f"FROM offer WHERE referral_id <= {batch}"
            )
            connection.execute(
                f"INSERT INTO event (referral_id, offer_id, {', '.join(event)}) "
                f"SELECT referral_id + {shift}, offer_id + {shift}, {', '.join(event)} "
                f"FROM event WHERE referral_id <= {batch}"
            )


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.slow
def test_two_clock_processes_handle_each_lapsed_offer_exactly_once(tmp_path: Path) -> None:
    """Two clocks running at once lapse every overdue offer once: never twice, never missed."""
    path = tmp_path / "desk.db"
    seed(path)
    assert query(path, "SELECT COUNT(*) FROM offer WHERE status = 'offered'") == [(OFFERS,)]
    assert query(path, "SELECT COUNT(DISTINCT referral_id) FROM offer") == [(OFFERS,)]

    command = [sys.executable, "-m", "referral_desk", "--db", str(path), "--now", LATER]
    started = time.monotonic()
    clocks = [
        subprocess.Popen(
            [*command, "clock", "--once", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [clock.communicate(timeout=TIME_LIMIT) for clock in clocks]
    except subprocess.TimeoutExpired:
        for clock in clocks:
            clock.kill()
            clock.communicate()
        pytest.fail(f"the two clocks did not finish within {TIME_LIMIT} s")
    elapsed = time.monotonic() - started

    for clock, (_, stderr) in zip(clocks, outputs, strict=True):
        assert clock.returncode == 0, stderr
    per_offer = query(
        path, "SELECT offer_id, COUNT(*) FROM event WHERE kind = 'lapsed' GROUP BY offer_id"
    )
    assert len(per_offer) == OFFERS
    assert {count for _, count in per_offer} == {1}
    assert query(
        path,
        "SELECT COUNT(*) FROM offer "
        "WHERE status = 'offered' AND expires_at <= '2026-11-23 14:31:00'",
    ) == [(0,)]
    assert query(path, "SELECT status, COUNT(*) FROM offer GROUP BY status") == [("lapsed", OFFERS)]
    # Each private referral went unassigned once, with one flag for the team lead.
    assert query(path, "SELECT status, COUNT(*) FROM referral GROUP BY status") == [
        ("unassigned", OFFERS)
    ]
    assert query(
        path, "SELECT COUNT(*), COUNT(DISTINCT referral_id) FROM event WHERE kind = 'unassigned'"
    ) == [(OFFERS, OFFERS)]
    assert query(
        path,
        "SELECT COUNT(*), COUNT(DISTINCT referral_id) FROM flag WHERE kind = 'roster_exhausted'",
    ) == [(OFFERS, OFFERS)]
    # Between them the two clocks reported every lapse, and no lapse twice.
    reported = Counter(
        lapse["referral_id"] for stdout, _ in outputs for lapse in json.loads(stdout)["lapsed"]
    )
    assert len(reported) == OFFERS
    assert set(reported.values()) == {1}
    assert elapsed < TIME_LIMIT
