"""The routing models that reach many agents at once: an open referral, a warm transfer's lapse.

Desk: 5,000 partner agents over 10 metros (~500 per metro, capacity 4–10 each, about
3 % away now) plus the team fallback agent, seeded with Core bulk inserts on a
database created by `Desk.open`.

Measured (in-process, warm):
  * `desk.intake(payload, NOW)` of an `open` referral: the whole write (referral,
    an offer, a message and an event for each of the ~500 eligible agents of its
    metro, commit) plus the returned view; 20 runs cycling over the metros, once
    each metro has had one (a running desk keeps its agents' roster rows, parsed,
    until the roster changes: that first one is printed apart, for information);
    target median < 50 ms.
  * `desk.tick(at)` handling one warm transfer whose three alerts (two named agents
    and the fallback) lapsed together: three lapses, the referral unassigned, the
    flag and the team lead's notice; 20 runs, each warm transfer due at its own
    minute; target median < 10 ms.

    python benchmarks/routing_models.py
    python benchmarks/routing_models.py --cache   # reuse the seeded desk of an earlier run
    python benchmarks/routing_models.py --profile # also cProfile the open intakes
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    NOW,
    Roster,
    Stopwatch,
    intake_payload,
    machine_line,
    report,
    seed_roster,
    seeded_desk,
    time_calls,
)

from referral_desk.engine.desk import Desk

OPEN_TARGET = 0.050
WARM_LAPSE_TARGET = 0.010
AGENTS, METROS, RUNS = 5000, 10, 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", action="store_true", help="reuse an earlier run's seeded desk")
    parser.add_argument("--profile", action="store_true", help="cProfile the open intakes")
    args = parser.parse_args()
    rng = random.Random(20261203)

    def build(desk: Desk) -> Roster:
        watch = Stopwatch("seed roster")
        roster = seed_roster(desk, AGENTS, METROS, rng)
        watch.done()
        return roster

    with tempfile.TemporaryDirectory(prefix="rd-bench-models-") as folder:
        print(f"routing models benchmark: {AGENTS} agents / {METROS} metros, {RUNS} runs each")
        path, roster = seeded_desk(folder, "routing-models", build, cache=args.cache)
        rng = random.Random(1203)
        desk = Desk.open(path)
        markets = roster.markets
        opens = [
            intake_payload(markets[i % len(markets)], i, rng, mode="open", price_min=100_000,
                           price_max=5_000_000)
            for i in range(METROS + RUNS)
        ]  # fmt: skip
        desk.set_setting("acceptance_window_minutes", "10080", NOW)  # none lapse meanwhile
        offers: list[int] = []

        def one_open(i: int) -> None:
            offers.append(len(desk.intake(opens[i], NOW)[0].offers))

        # The first open referral of each metro since the roster last changed also reads
        # and parses its ~500 agents' roster rows (kept per roster version after that).
        first_samples = time_calls(one_open, METROS)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        open_samples = time_calls(lambda i: one_open(METROS + i), RUNS)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        print(f"  offers per open referral: {min(offers)}–{max(offers)}")

        named = [markets[0].agent_ids[0], markets[1].agent_ids[0]]
        desk.set_setting("warm_transfer_agent_ids", ";".join(named), NOW)
        calls = []
        for i in range(RUNS + 1):
            at = NOW + timedelta(minutes=10 * i + 1)
            payload = intake_payload(markets[i % len(markets)], 1000 + i, rng, mode="warm_transfer")
            referral = desk.intake(payload, at)[0]
            calls.append((referral.id, max(o.expires_at for o in referral.offers)))
        desk.tick(calls[0][1])  # warm-up
        outcomes: list[str] = []

        def one_lapse(i: int) -> None:
            referral_id, due = calls[i + 1]
            lapses = desk.tick(due)
            assert {lapse.referral_id for lapse in lapses} == {referral_id}
            outcomes.append(f"{len(lapses)} lapses, {lapses[-1].referral_status}")

        warm_samples = time_calls(one_lapse, RUNS)
        print(f"  each tick: {sorted(set(outcomes))}")
        desk.close()

    print(f"\nmachine: {machine_line()}")
    report("  first of its metro (roster rows parsed)", first_samples, OPEN_TARGET)
    ratios = [
        report(f"open referral intake (~{AGENTS // METROS} agents)", open_samples, OPEN_TARGET),
        report("warm transfer's lapse by the clock", warm_samples, WARM_LAPSE_TARGET),
    ]
    print(f"worst ratio figure/target: {max(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
