"""`simulate --tune` at the size the target names: 30 settings on about 1,000 referrals.

The stream: 50 days at 20 referrals a day (seed 1) on the generated roster, the
base settings a deliberately slow start (a 10-minute window, 2 offers before the
fallback). Successive halving runs all 30 settings on the first 16 days (routing
only), then the best 9 and today's on all 50 days, in one worker process per core.

Measured: wall-clock time of the whole search, start to answer; target < 2 min on
two cores. Also printed: the runs made, and today's dropped rate against the best.

    python benchmarks/tune.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line, report

from referral_desk.engine.simulate.config import SimulationConfig
from referral_desk.engine.simulate.tune import tune

TARGET = 120.0
CONFIG = SimulationConfig(
    days=50,
    per_day=20,
    seed=1,
    settings={"acceptance_window_minutes": "10", "max_offers_before_fallback": "2"},
)


def main() -> int:
    print(
        f"tune benchmark: 30 settings, {CONFIG.days} days × {CONFIG.per_day:g}/day, "
        f"{os.cpu_count()} cores"
    )
    start = time.perf_counter()
    found = tune(CONFIG, 30)
    wall = time.perf_counter() - start
    today = found.today.result.report
    best = found.best[0].result.report
    print(
        f"  {today.received} referrals; {found.tried} settings screened on {found.short_days} "
        f"days, {found.finalists} run on all {CONFIG.days}"
    )
    print(f"  dropped: today {today.dropped_rate:.1%}, best {best.dropped_rate:.1%}")
    print(f"\nmachine: {machine_line()}")
    ratio = report("simulate --tune, 30 settings", [wall], TARGET, unit="s")
    print(f"worst ratio figure/target: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
