"""`referral-desk simulate` at scale: 10,000 referrals through the real desk service.

One run of the simulator with its defaults except the size: 100 days at 100
referrals a day (Poisson, so about 10,000), a generated roster of 500 agents
over 16 markets plus the fallback, per-agent habits and vacations, every
accepted referral followed to closing or loss with its fees. Target: the
whole run (desk creation, roster, stream, report) under 60 s.

Printed: the run's wall and CPU time, the cost per referral, the desk-service
calls and SQL statements per referral, and where the time went by service
operation, so a miss can be traced to the operation that costs it.

    python benchmarks/simulate.py                 # ~10,000 referrals
    python benchmarks/simulate.py --quick         # ~1,000 referrals
    python benchmarks/simulate.py --no-lifecycle  # routing only (no closings or fees)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line
from sqlalchemy import event
from sqlalchemy.engine import Engine

from referral_desk.engine.simulate import run as simulate
from referral_desk.engine.simulate.run import SimulationConfig, run_simulation

TARGET = 60.0
"""Seconds for 10,000 referrals."""


def count_statements(config: SimulationConfig) -> float:
    """SQL statements per referral (BEGIN, COMMIT and trigger statements included).

    Counted on two short runs of the same kind, 3 and 6 days, and taken as the
    difference per referral between them, so setting up the desk (the roster's
    import fires a trigger per row) does not count. SQLite itself counts them
    (its trace callback), since prepared statements go to the driver without
    SQLAlchemy's events. Counting costs a few percent: the timed run goes
    without it.
    """
    statements = [0]

    def count(_: str) -> None:
        statements[0] += 1

    def trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(count)

    event.listen(Engine, "connect", trace)
    try:
        counted = []
        for days in (3, 6):
            statements[0] = 0
            result = run_simulation(replace(config, days=days))
            counted.append((statements[0], result.counts.referrals))
    finally:
        event.remove(Engine, "connect", trace)
    (short, short_referrals), (longer, longer_referrals) = counted
    return (longer - short) / max(1, longer_referrals - short_referrals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 1,000 referrals")
    parser.add_argument("--no-lifecycle", action="store_true", help="routing only")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    days, per_day = (20, 50.0) if args.quick else (100, 100.0)
    config = SimulationConfig(
        days=days, per_day=per_day, seed=args.seed, lifecycle=not args.no_lifecycle
    )

    statements_per_referral = count_statements(config)
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    original = simulate._Run.call

    def timed_call(run: Any, operation: Callable[..., Any], *a: Any, **k: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(run, operation, *a, **k)
        finally:
            entry = spent[operation.__name__]
            entry[0] += time.perf_counter() - began
            entry[1] += 1

    simulate._Run.call = timed_call  # type: ignore[method-assign]
    cpu, wall = time.process_time(), time.perf_counter()
    result = run_simulation(config)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    simulate._Run.call = original  # type: ignore[method-assign]

    counts, report = result.counts, result.report
    referrals = max(1, counts.referrals)
    print(
        f"simulate: {days} days x {per_day:g}/day, seed {args.seed}, "
        f"lifecycle {'on' if config.lifecycle else 'off'}: {counts.referrals:,} referrals, "
        f"{counts.offers:,} offers, {counts.accepts:,} accepted, {counts.reroutes:,} re-routed"
    )
    print(
        f"  report: closed/lost/active {report.outcomes}, dropped {report.dropped_rate}, "
        f"first offer p50/p90 {report.assignment_delay_median}/{report.assignment_delay_p90} s, "
        f"acceptance p50 {report.acceptance_median} s"
    )
    print(
        f"  per referral: {counts.service_calls / referrals:.1f} desk-service calls, "
        f"{statements_per_referral:.0f} SQL statements (between a 3- and a 6-day run)"
    )
    total = sum(seconds for seconds, _ in spent.values()) or 1.0
    for name, (seconds, calls) in sorted(spent.items(), key=lambda item: -item[1][0]):
        print(
            f"    {name:<16} {calls:>7,} calls  {seconds:8.1f} s  "
            f"{seconds / calls * 1e3:7.2f} ms/call  {seconds / total:5.1%}"
        )
    outside = wall - total
    print(f"    {'(simulator, setup, report)':<16}                {outside:8.1f} s")
    print(f"machine: {machine_line()}")
    scaled = wall * 10_000 / referrals
    verdict = "OK" if scaled <= TARGET else "MISSED"
    print(
        f"simulate {counts.referrals:,} referrals: {wall:.1f} s wall, {cpu:.1f} s cpu; "
        f"{wall / referrals * 1e3:.2f} ms per referral (cpu {cpu / referrals * 1e3:.2f} ms); "
        f"10,000 referrals ~ {scaled:.0f} s, target < {TARGET:.0f} s, "
        f"ratio {scaled / TARGET:.2f} {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
