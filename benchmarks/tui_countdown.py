"""What the queue's per-second countdown costs with 2,000 live offers.

Desk: 400 agents over 20 metros, 2,000 past referrals, and 2,000 referrals
waiting, each with one open offer whose window ends 15–29 minutes after the
start (so nothing lapses during the measurement). The app runs headless at
120×40 in this process on a clock that moves in real time from the seeded
moment; once the queue is painted, the process's CPU time (all threads) is
divided by the wall time over 30 s. Two runs: the whole app as a user has it
(countdown timer + the background clock beat every second), and the countdown
alone (clock beat off). Target: under 10% of one core.

    python benchmarks/tui_countdown.py            # 30 s per run
    python benchmarks/tui_countdown.py --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import NOW, machine_line, seed_history, seed_roster, seeded_desk

from referral_desk.app import make_app
from referral_desk.engine.clock import OffsetClock
from referral_desk.screens.queue import QueueScreen

TARGET = 0.10


async def measure(path: str, seconds: float, clock_on: bool) -> tuple[float, int, int]:
    """CPU share over `seconds` once the queue shows its rows; also rows and cells updated."""
    app = make_app(path, OffsetClock(NOW), clock_interval=1.0 if clock_on else None)
    updates = 0
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, QueueScreen) and app.screen.table.row_count):
            await asyncio.sleep(0.01)
        await pilot.pause()
        await asyncio.sleep(2)  # let the first beat and the first ticks pass
        table = app.screen.table
        original = table.update_cell

        def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal updates
            updates += 1
            return original(*args, **kwargs)

        table.update_cell = counting  # type: ignore[method-assign]
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)
        share = (time.process_time() - cpu) / (time.perf_counter() - wall)
        rows = table.row_count
    return share, rows, updates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cache", action="store_true", help="reuse a seeded desk across runs")
    args = parser.parse_args()
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory() as folder:

        def build(desk):  # type: ignore[no-untyped-def]
            rng = random.Random(11)
            roster = seed_roster(desk, 400, 20, rng)
            counts = seed_history(
                desk,
                roster,
                2_000,
                2_000,
                rng,
                open_offers=2_000,
                open_expiry=lambda i: NOW + timedelta(minutes=15, seconds=(i * 7) % 840),
            )
            # Only the 2,000 live offers wait: the history's unassigned and pending
            # referrals (which would sit at the top, not ticking) were lost.
            with desk.store.engine.begin() as connection:
                connection.exec_driver_sql(
                    "UPDATE referral SET status = 'lost' WHERE status IN ('unassigned', 'pending')"
                )
            return counts

        path, counts = seeded_desk(folder, "tui-countdown", build, cache=args.cache)
        print(f"desk: {counts}")
        ok = True
        for label, clock_on in (("app (countdown + clock beat)", True), ("countdown only", False)):
            share, rows, updates = asyncio.run(measure(path, args.seconds, clock_on))
            verdict = "OK" if share <= TARGET else "MISSED"
            ok = ok and share <= TARGET
            print(
                f"{label:<30} rows={rows}  cells updated={updates} "
                f"({updates / args.seconds:.1f}/s)  cpu/wall={share * 100:.1f}% "
                f"target<{TARGET * 100:.0f}%  {verdict}"
            )
    print(f"machine after: {machine_line()}")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.pop("NO_COLOR", None)
    raise SystemExit(main())
