"""Routing cost on a large desk: `preview` and a whole `intake` (which routes at once).

Desk: 5,000 partner agents over 200 metros (~25 per metro, each with 2–6 of the
metro's 5-digit ZIPs) plus a team fallback agent, 25,000 referring parties and
100,000 past referrals (1–2 offers each, mostly accepted / lapsed / declined,
statuses across the lifecycle, events for each), seeded with Core bulk inserts
on a database created by `Desk.open`.

Measured (in-process, warm):
  * `desk.preview(payload, NOW)` — 200 runs, payloads cycling over the metros;
    target median < 5 ms.
  * `desk.intake(payload, NOW)` — 200 runs, each a new referral in a different
    metro, the whole write transaction (party look-up, referral, routing,
    offer, events, commit) plus the returned view; target median < 20 ms.

    python benchmarks/routing.py            # full size
    python benchmarks/routing.py --quick    # 10x smaller, a smoke test
    python benchmarks/routing.py --profile  # also cProfile each measured call
    python benchmarks/routing.py --sql      # also time each SQL statement (extra runs)
    python benchmarks/routing.py --cache    # reuse the seeded desk of an earlier --cache run
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    NOW,
    Roster,
    SqlTimer,
    Stopwatch,
    intake_payload,
    machine_line,
    report,
    seed_history,
    seed_roster,
    seeded_desk,
    time_calls,
)

from referral_desk.engine.desk import Desk

PREVIEW_TARGET = 0.005
INTAKE_TARGET = 0.020


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller desk, fewer runs")
    parser.add_argument("--profile", action="store_true", help="print cProfile top functions")
    parser.add_argument(
        "--sql", action="store_true", help="after measuring, time each SQL statement (extra runs)"
    )
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE after seeding")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the seeded desk in the temp dir and reuse it on later runs (saves ~1 min)",
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    agents, metros = 5000 // scale, 200 // scale
    referrals, parties = 100_000 // scale, 25_000 // scale
    runs = args.runs or (50 if args.quick else 200)
    rng = random.Random(20261123)

    def build(desk: Desk) -> tuple[Roster, dict[str, int]]:
        watch = Stopwatch("seed roster")
        roster = seed_roster(desk, agents, metros, rng)
        watch.done()
        watch = Stopwatch("seed history")
        counts = seed_history(desk, roster, parties, referrals, rng, analyze=args.analyze)
        watch.done(", ".join(f"{k}={v}" for k, v in counts.items()))
        return roster, counts

    with tempfile.TemporaryDirectory(prefix="rd-bench-routing-") as folder:
        print(
            f"routing benchmark: {agents} agents / {metros} metros, {referrals} past referrals,"
            f" {parties} referring parties, {runs} runs each (python {sys.version.split()[0]})"
        )
        label = f"routing-{'quick' if args.quick else 'full'}{'-analyze' if args.analyze else ''}"
        path, (roster, _counts) = seeded_desk(folder, label, build, cache=args.cache)
        rng = random.Random(1123)  # payloads: the same whether the desk was seeded or cached

        desk = Desk.open(path)  # a fresh process-like open: cold pool, current schema
        markets = roster.markets
        previews = [intake_payload(markets[i % len(markets)], i, rng) for i in range(runs)]
        intakes = [
            intake_payload(markets[(i * 7) % len(markets)], 10_000 + i, rng) for i in range(runs)
        ]

        # Warm-up: first use of the engine, statement caches, pydantic validators.
        first = time.perf_counter()
        decision = desk.preview(previews[0], NOW)
        print(
            f"  first preview (cold caches): {(time.perf_counter() - first) * 1e3:.1f} ms;"
            f" ranked={len(decision.ranked)} excluded={len(decision.excluded)}"
        )
        for payload in previews[:5]:
            desk.preview(payload, NOW)

        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        preview_samples = time_calls(lambda i: desk.preview(previews[i], NOW), runs)
        if profiler:
            profiler.disable()
            print("\n--- cProfile: preview ---")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        results: list[int] = []

        def one_intake(i: int) -> None:
            views = desk.intake(intakes[i], NOW)
            results.append(len(views[0].offers))

        intake_samples = time_calls(one_intake, runs)
        if profiler:
            profiler.disable()
            print("\n--- cProfile: intake ---")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        offered = sum(1 for n in results if n)
        print(f"  intakes that got an offer at once: {offered} of {runs}")
        if args.sql:
            extra = min(runs, 50)
            print("\n[--sql: extra unmeasured runs]")
            with SqlTimer(desk.store.engine) as timer:
                for payload in previews[:extra]:
                    desk.preview(payload, NOW)
            print("preview")
            timer.print(extra)
            more = [
                intake_payload(markets[(i * 11) % len(markets)], 20_000 + i, rng)
                for i in range(extra)
            ]
            with SqlTimer(desk.store.engine) as timer:
                for payload in more:
                    desk.intake(payload, NOW)
            print("intake")
            timer.print(extra)
        desk.close()

    print(f"\nmachine: {machine_line()}")
    ratios = [
        report(
            f"preview ({agents} agents, {referrals} referrals)", preview_samples, PREVIEW_TARGET
        ),
        report("intake incl. routing + commit", intake_samples, INTAKE_TARGET),
    ]
    print(f"worst ratio figure/target: {max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
