"""A long intake: one list of 10,000 referrals from one source, against 4,000 (issue 16).

Desk: 2,000 partner agents over 100 metros (~20 per metro, capacity 4–10 each,
room for all 10,000) plus the team fallback agent, seeded with Core bulk inserts
on a database created by `Desk.open`. No past referrals: the list's own
referrals are the history that grows (the source's notes, its burst count, the
desk's tables).

Measured: `referral-desk --db DESK intake LIST.json --json` run in this process
(open, read, check, write in batches with their pauses, print the stored
referrals), once with 4,000 referrals and once with 10,000, each on a fresh copy
of the seeded desk, from one source, spread over the metros (after an unmeasured
run of 50, so neither pays for first imports and caches), three rounds of the
pair by default, their medians compared. Targets: 10,000 in < 20 s, and at most
2.5 times the time of 4,000 (linear: 10,000 / 4,000 = 2.5).
Issue 16 reported 43 s and 398 s (9.3 times) before it was fixed.

    python benchmarks/intake.py            # 4,000 and 10,000
    python benchmarks/intake.py --quick    # 400 and 1,000, a smoke test
    python benchmarks/intake.py --sizes 1000 2000   # any two lengths (older code: PYTHONPATH)
    python benchmarks/intake.py --profile  # also cProfile the longer run (--sort tottime)
    python benchmarks/intake.py --cache    # reuse the seeded desk of an earlier --cache run
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import NOW, Roster, Stopwatch, intake_payload, machine_line, seed_roster, seeded_desk

import referral_desk
from referral_desk.cli import main as cli_main
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.views import ReferralView

TARGET_SECONDS = 20.0
"""For 10,000 referrals (2 ms each); other lengths get their share, and the ratio of the
two runs is held to their ratio of lengths (linear)."""
SOURCE = {
    "name": "John Smith",
    "type": "agent",
    "email": "john@denverhomes.example",
    "phone": "",
    "brokerage": "Denver Homes",
}
"""The one referring party every referral of the list comes from."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 and 1,000 referrals")
    parser.add_argument(
        "--sizes", type=int, nargs=2, metavar=("SHORT", "LONG"), help="other list lengths"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="pairs of runs, short then long, whose medians are compared (default 3: on a "
        "shared machine one pair's ratio swings by a tenth either way)",
    )
    parser.add_argument("--profile", action="store_true", help="print cProfile top functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (e.g. tottime)")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the seeded desk in the temp dir and reuse it on later runs",
    )
    args = parser.parse_args()
    short, long = args.sizes or ((400, 1000) if args.quick else (4000, 10_000))
    print(
        f"intake benchmark: one list from one source, {short:,} and {long:,} referrals,"
        f" 2,000 agents / 100 metros (python {sys.version.split()[0]},"
        f" code in {Path(referral_desk.__file__).parent.parent})"
    )

    def build(desk: Desk) -> Roster:
        watch = Stopwatch("seed roster")
        roster = seed_roster(desk, 2000, 100, random.Random(20261123))
        watch.done()
        return roster

    with tempfile.TemporaryDirectory(prefix="rd-bench-intake-") as folder:
        seeded, roster = seeded_desk(folder, "intake", build, cache=args.cache)
        rng = random.Random(16)
        markets = roster.markets
        payload = [
            intake_payload(markets[i % len(markets)], i, rng, source=SOURCE) for i in range(long)
        ]
        print("  warm-up (not measured):", end="")
        _one_run(Path(folder), seeded, payload[:50], None)
        runs: dict[int, list[float]] = {short: [], long: []}
        for round_number in range(max(1, args.rounds)):
            for count in (short, long):
                last = round_number == args.rounds - 1
                profiler = cProfile.Profile() if args.profile and count == long and last else None
                runs[count].append(_one_run(Path(folder), seeded, payload[:count], profiler))
                if profiler:
                    print(f"\n--- cProfile: {count:,} referrals ---")
                    pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)
        pairs = [f"{b / a:.2f}×" for a, b in zip(runs[short], runs[long], strict=True)]
        print(f"  each round's ratio: {', '.join(pairs)}")
        seconds = {count: statistics.median(times) for count, times in runs.items()}

    print(f"\nmachine: {machine_line()}")
    took, ratio = seconds[long], seconds[long] / seconds[short]
    target, linear = TARGET_SECONDS * long / 10_000, long / short  # 20 s and 2.5x at full size
    print(
        f"{f'{long:,} referrals in one intake':<42} {took:8.2f} s  target<{target:g} s  "
        f"ratio={took / target:.2f} {_verdict(took <= target)}"
    )
    print(
        f"{f'{long:,} against {short:,} (medians; {seconds[short]:.2f} s)':<42} {ratio:8.2f}×  "
        f"target≤{linear:g}×  ratio={ratio / linear:.2f} {_verdict(ratio <= linear)}"
    )
    return 0


def _one_run(
    folder: Path, seeded: str, payload: list[dict[str, object]], profiler: cProfile.Profile | None
) -> float:
    """Seconds of one `intake --json` of the payload on a fresh copy of the seeded desk."""
    count = len(payload)
    desk_path = folder / f"desk-{count}.db"
    shutil.copyfile(seeded, desk_path)
    list_path = folder / f"list-{count}.json"
    list_path.write_text(json.dumps(payload), encoding="utf-8")
    arguments = ["--db", str(desk_path), "--now", NOW.isoformat(), "intake", str(list_path)]
    printed = io.StringIO()
    inside: list[float] = []
    cpu, start = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    with contextlib.redirect_stdout(printed), _timed_intake(inside):
        code = cli_main([*arguments, "--json"])
    if profiler:
        profiler.disable()
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    stored = json.loads(printed.getvalue()) if code == 0 else []
    offered = sum(1 for referral in stored if referral["offers"])
    print(
        f"  {count:>6,} referrals: {took:7.2f} s ({took / count * 1e3:.2f} ms each, cpu "
        f"{cpu:.2f} s; Desk.intake {sum(inside):.2f} s, the rest is reading and printing), "
        f"exit {code}, {len(stored):,} stored, {offered:,} offered at once"
    )
    return took


@contextlib.contextmanager
def _timed_intake(seconds: list[float]) -> Iterator[None]:
    """Adds the seconds spent in `Desk.intake` (checks, batches and their pauses)."""
    original = Desk.intake

    def timed(desk: Desk, payload: Any, now: datetime) -> list[ReferralView]:
        began = time.perf_counter()
        try:
            return original(desk, payload, now)
        finally:
            seconds.append(time.perf_counter() - began)

    with mock.patch.object(Desk, "intake", timed):
        yield


def _verdict(met: bool) -> str:
    return "OK" if met else "MISSED"


if __name__ == "__main__":
    raise SystemExit(main())
