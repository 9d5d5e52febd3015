"""A clock killed at any moment loses nothing and doubles nothing.

A burst of 1,000 offers lapses at once. A real `referral-desk clock` service
works through it and is killed with SIGKILL at random moments — mid-transaction,
more often than not — and restarted, again and again. After every kill the
database is consistent (a lapse and the offer that follows it are one
transaction); after the restart's first tick nothing is left past its window,
every lapse was handled exactly once, and SQLite's integrity check passes.

Set `CRASH_SEED` to replay a run: the seed is printed when the test fails.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import tables as m
from tests.reliability.burst import after_windows, check_invariants, integrity, seed_burst
from tests.reliability.processes import run_command, start_command

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
KILLS = 6
"""How many times the clock is killed; it then runs to the end of the burst."""


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def lapsed_count(desk: Desk) -> int:
    with desk.store.read() as session:
        return int(
            session.execute(select(func.count()).where(m.offer.c.status == "lapsed")).scalar_one()
        )


def wait_for_lapses(desk: Desk, target: int, clock: subprocess.Popen[str]) -> None:
    """Waits until the clock has handled `target` lapses, so the kill lands mid-burst.

    Aiming at a count, not at a delay, keeps the kill inside the burst however fast
    the clock works through it (a fixed delay missed it once the clock got faster).
    """
    deadline = time.monotonic() + 60
    while lapsed_count(desk) < target and clock.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


def test_a_clock_killed_at_random_moments_handles_every_lapse_exactly_once(
    desk: Desk, desk_url: str, tmp_path: Path
) -> None:
    """SIGKILL during a burst of 1,000 lapses, restart: every invariant still holds."""
    seed = int(os.environ.get("CRASH_SEED") or random.SystemRandom().randrange(2**32))
    chance = random.Random(seed)
    due = seed_burst(desk, NOW, broadcast=32, sequential=40)
    assert due == 1000
    started = after_windows(NOW)
    command = ["--db", desk_url, "--now", iso(started), "clock", "--interval", "0.2"]
    progress = [0]
    for target in sorted(chance.sample(range(1, due), KILLS)):
        if target <= progress[-1]:
            continue  # the last kill landed past this one
        clock = start_command(command)  # start-up takes a second or more
        try:
            wait_for_lapses(desk, target, clock)
            time.sleep(chance.uniform(0.0, 0.005))  # anywhere in the transaction under way
            assert clock.poll() is None, f"the clock stopped by itself: {clock.stderr.read()}"  # type: ignore[union-attr]
        finally:  # a failed check must not leave a clock running after the test
            clock.send_signal(signal.SIGKILL)
            clock.wait(timeout=30)
            clock.stderr.close()  # type: ignore[union-attr]
        check_invariants(desk, NOW)  # consistent at the moment of the crash
        progress.append(lapsed_count(desk))
        if progress[-1] == due:
            break
    assert any(0 < count < due for count in progress), (
        f"no kill landed during the burst (seed {seed}, lapsed after each kill: {progress})"
    )
    final = started + timedelta(minutes=5)
    restart = run_command(["--db", desk_url, "--now", iso(final), "clock", "--once", "--json"])
    assert restart.code == 0, restart.err
    counts = check_invariants(desk, final)
    assert counts["lapsed"] == due, f"seed {seed}: {counts}"
    assert counts["unassigned"] == 32, "every broadcast ended unclaimed, once"
    assert counts["offers"] == due + 40, "each best-fit referral got exactly one next offer"
    if "://" not in desk_url:
        assert integrity(desk_url) == "ok"
    assert progress == sorted(progress), f"lapses went backwards: {progress}"
