"""The coverage check on a large desk: `desk.reports.coverage(now)` and the command.

Desk: as `routing.py`'s: 5,000 partner agents over 200 metros (~25 per metro) plus
a team fallback agent, 25,000 referring parties and 100,000 past referrals over
two years (about 12,000 of them in the last 90 days), seeded with Core bulk
inserts on a database created by `Desk.open`.

Measured:
  * `desk.reports.coverage(NOW)` in-process: the first call (it reads and parses
    every agent's roster row), then 20 more; target < 1 s.
  * `referral-desk --db FILE --now NOW coverage --json` as a new process, start to
    exit, 5 runs; target < 1 s.

    python benchmarks/coverage.py
    python benchmarks/coverage.py --cache   # reuse the seeded desk of an earlier run
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    NOW,
    Roster,
    Stopwatch,
    machine_line,
    report,
    seed_history,
    seed_roster,
    seeded_desk,
    time_calls,
)

from referral_desk.engine.desk import Desk

TARGET = 1.0
AGENTS, METROS, REFERRALS, PARTIES, RUNS = 5000, 200, 100_000, 25_000, 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", action="store_true", help="reuse an earlier run's seeded desk")
    args = parser.parse_args()
    rng = random.Random(20261123)

    def build(desk: Desk) -> Roster:
        watch = Stopwatch("seed roster")
        roster = seed_roster(desk, AGENTS, METROS, rng)
        watch.done()
        watch = Stopwatch("seed history")
        counts = seed_history(desk, roster, PARTIES, REFERRALS, rng)
        watch.done(", ".join(f"{k}={v}" for k, v in counts.items()))
        return roster

    with tempfile.TemporaryDirectory(prefix="rd-bench-coverage-") as folder:
        print(f"coverage benchmark: {AGENTS} agents / {METROS} metros, {REFERRALS} referrals")
        path, _roster = seeded_desk(folder, "coverage", build, cache=args.cache)
        desk = Desk.open(path)
        first = time_calls(lambda i: desk.reports.coverage(NOW), 1)
        rows = desk.reports.coverage(NOW)
        warm = time_calls(lambda i: desk.reports.coverage(NOW), RUNS)
        desk.close()
        thin = sum(row.thin for row in rows)
        received = sum(row.received_90d for row in rows)
        print(f"  {len(rows)} markets and sides, {thin} thin, {received} received in 90 days")

        command = [sys.executable, "-m", "referral_desk", "--db", path, "--now", NOW.isoformat()]
        walls = []
        for _ in range(5):
            start = time.perf_counter()
            done = subprocess.run([*command, "coverage", "--json"], capture_output=True, check=True)
            walls.append(time.perf_counter() - start)
        assert len(json.loads(done.stdout)) == len(rows)

    print(f"\nmachine: {machine_line()}")
    ratios = [
        report("coverage, first call (roster parsed)", first, TARGET),
        report("coverage, later calls", warm, TARGET),
        report("`coverage --json`, a new process", walls, TARGET, unit="s"),
    ]
    print(f"worst ratio figure/target: {max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
