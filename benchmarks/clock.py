"""The reassignment clock: an idle tick over many open offers, and the cost per lapse.

Desk: 5,000 partner agents over 200 metros (~25 per metro) plus a fallback
agent, 100,000 past referrals (history for routing's loads and statistics) and
10,000 referrals in `offered` status, each holding one open best-fit offer.
Of those offers, 500 expire one second apart at NOW+1 s … NOW+500 s; every
other one expires 15–29 minutes after NOW.

Measured (in-process, warm):
  1. `desk.tick(NOW)` with nothing due, 200 runs — target median < 2 ms.
  2. `desk.tick(NOW + k s)` for k = 1…200: each tick finds exactly one offer due
     and handles it (conditional update, stats, events, re-routing to the next
     agent, commit) — the cost per lapsed offer; target median < 10 ms. The
     time inside `lapses.lapse_one` (same transaction, before commit) is printed
     too, from a wrapper.
  3. One `desk.tick(NOW + 600 s)` handling the remaining 300 due offers at once:
     total and mean per offer.

    python benchmarks/clock.py            # full size
    python benchmarks/clock.py --quick    # 10x smaller, a smoke test
    python benchmarks/clock.py --profile  # cProfile the single-lapse ticks
    python benchmarks/clock.py --sql      # time each SQL statement
    python benchmarks/clock.py --cache    # reuse the seeded desk of an earlier --cache run
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    NOW,
    SqlTimer,
    Stopwatch,
    machine_line,
    report,
    seed_history,
    seed_roster,
    seeded_desk,
    time_calls,
)

from referral_desk.engine.desk import Desk
from referral_desk.engine.desk.routing import lapses

IDLE_TARGET = 0.002
LAPSE_TARGET = 0.010


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller desk, fewer runs")
    parser.add_argument("--profile", action="store_true", help="cProfile the single-lapse ticks")
    parser.add_argument(
        "--sql",
        action="store_true",
        help="time each SQL statement (idle: extra runs; lapses: "
        "during the single-lapse ticks, which adds a little to them)",
    )
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE after seeding")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the seeded desk in the temp dir and reuse it on later runs (saves ~1 min)",
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    agents, metros = 5000 // scale, 200 // scale
    history, parties = 100_000 // scale, 25_000 // scale
    open_offers, lapsing = 10_000 // scale, 500 // scale
    single = lapsing * 2 // 5  # 200 of the 500 one tick each, the other 300 in one tick
    idle_runs = 50 if args.quick else 200
    rng = random.Random(20261124)
    spread = random.Random(7)

    def expiry(index: int):
        if index < lapsing:
            return NOW + timedelta(seconds=index + 1)
        return NOW + timedelta(minutes=15, seconds=spread.randint(0, 14 * 60))

    def build(desk: Desk) -> dict[str, int]:
        watch = Stopwatch("seed roster")
        roster = seed_roster(desk, agents, metros, rng)
        watch.done()
        watch = Stopwatch("seed history + open offers")
        counts = seed_history(
            desk,
            roster,
            parties,
            history,
            rng,
            open_offers=open_offers,
            open_expiry=expiry,
            analyze=args.analyze,
        )
        watch.done(", ".join(f"{k}={v}" for k, v in counts.items()))
        return counts

    with tempfile.TemporaryDirectory(prefix="rd-bench-clock-") as folder:
        print(
            f"clock benchmark: {agents} agents / {metros} metros, {history} past referrals,"
            f" {open_offers} open offers of which {lapsing} come due"
            f" (python {sys.version.split()[0]})"
        )
        label = f"clock-{'quick' if args.quick else 'full'}{'-analyze' if args.analyze else ''}"
        path, _counts = seeded_desk(folder, label, build, cache=args.cache)

        desk = Desk.open(path)
        # 1. idle ticks (the first one also raises the seeded desk's due fee flags, if any)
        for _ in range(5):
            assert desk.tick(NOW) == []
        if hasattr(desk, "flags"):
            print(f"  open flags after the warm-up ticks: {len(desk.flags())}")
        idle = time_calls(lambda i: desk.tick(NOW), idle_runs)
        assert desk.tick(NOW) == []
        if args.sql:
            with SqlTimer(desk.store.engine) as idle_sql:
                for _ in range(50):
                    desk.tick(NOW)

        # 2. one due offer per tick
        inside: list[float] = []
        original = lapses.lapse_one

        def timed_lapse_one(*a, **k):
            start = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                inside.append(time.perf_counter() - start)

        lapses.lapse_one = timed_lapse_one  # desk.tick looks it up on the module
        outcomes: dict[str, int] = {}

        def one(i: int) -> None:
            handled = desk.tick(NOW + timedelta(seconds=i + 1))
            assert len(handled) == 1, f"tick {i + 1} handled {len(handled)} offers"
            key = handled[0].referral_status + ("" if handled[0].next_agent_ids else " (no next)")
            outcomes[key] = outcomes.get(key, 0) + 1

        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        if args.sql:
            with SqlTimer(desk.store.engine) as lapse_sql:
                per_lapse = time_calls(one, single)
        else:
            per_lapse = time_calls(one, single)
        if profiler:
            profiler.disable()
        single_inside = list(inside)

        # 3. the rest at once
        inside.clear()
        start = time.perf_counter()
        batch = desk.tick(NOW + timedelta(seconds=600))
        batch_seconds = time.perf_counter() - start
        lapses.lapse_one = original
        assert len(batch) == lapsing - single, f"batch tick handled {len(batch)}"
        for lapse in batch:
            key = lapse.referral_status + ("" if lapse.next_agent_ids else " (no next)")
            outcomes[key] = outcomes.get(key, 0) + 1
        print(f"  after the lapses, referral outcomes: {outcomes}")
        desk.close()

    if profiler:
        print("\n--- cProfile: single-lapse ticks ---")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)

    if args.sql:
        print("\n[--sql] idle tick")
        idle_sql.print(50)
        print("[--sql] tick handling one lapsed offer")
        lapse_sql.print(single)
    print(f"\nmachine: {machine_line()}")
    ratios = [
        report(f"tick, nothing due ({open_offers} open offers)", idle, IDLE_TARGET),
        report("tick handling exactly 1 lapsed offer", per_lapse, LAPSE_TARGET),
    ]
    report("  of which lapse_one (in txn, no commit)", single_inside, LAPSE_TARGET)
    handled = len(batch)
    print(
        f"one tick handling {handled} lapsed offers: total {batch_seconds * 1e3:.1f} ms,"
        f" {batch_seconds / handled * 1e3:.3f} ms per offer"
        f" (ratio {batch_seconds / handled / LAPSE_TARGET:.2f}); lapse_one median"
        f" {sorted(inside)[len(inside) // 2] * 1e3:.3f} ms"
    )
    print(f"worst ratio figure/target: {max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
