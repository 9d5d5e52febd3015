"""Start to first paint of the queue on a 100,000-referral desk, against a bare DataTable app.

Desk: 2,000 partner agents over 100 metros, 100,000 past referrals across the
lifecycle (most of them closed, lost or archived), plus 150 referrals waiting
with an open offer and 50 left unassigned: the queue shows only those 200.

Each run is a fresh interpreter (`python benchmarks/tui_startup.py --child …`),
so imports count. Wall figures on a shared machine depend on its load (printed);
the child's CPU seconds are printed too. The figure is the time from the child's
first statement to
the first paint of the queue with its rows (headless, 120×40, measured after
`pilot.pause()` has let the screen refresh), and the child's peak RSS. The
baseline child imports Textual only and paints one DataTable holding the same
number of rows. Targets: desk under 1.5 s, and within 2× of the baseline;
memory under 200 MB with the 100,000-referral desk open.

    python benchmarks/tui_startup.py            # 5 runs each
    python benchmarks/tui_startup.py --quick    # 10x smaller desk, 3 runs
"""

from __future__ import annotations

import time

START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

PAINT_TARGET = 1.5
RATIO_TARGET = 2.0
RSS_TARGET_MB = 200


def _report(result: dict[str, float]) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # ru_maxrss survives exec on Linux (it would report the seeding parent's peak);
    # VmHWM is this process's own peak resident set.
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    result["rss_mb"] = peak_kb / 1024
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(result), flush=True)


def child_desk(database: str) -> None:
    """Opens the desk's app and reports when the queue is painted with its rows."""
    from _common import NOW

    from referral_desk.app import make_app
    from referral_desk.engine.clock import FixedClock
    from referral_desk.screens.queue import QueueScreen

    app = make_app(database, FixedClock(NOW))

    async def probe(pilot) -> None:  # type: ignore[no-untyped-def]
        import asyncio

        while True:
            screen = app.screen
            if isinstance(screen, QueueScreen) and screen.table.row_count:
                break
            await asyncio.sleep(0.001)
        await pilot.pause()
        rows = screen.table.row_count
        _report({"paint_s": time.perf_counter() - START, "rows": rows})
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=probe)


def child_bare(rows: int, with_sqlalchemy: bool = False) -> None:
    """A bare Textual app with one DataTable of `rows` rows, for comparison.

    `with_sqlalchemy`: the same app after `import sqlalchemy`, the floor any desk
    on SQLAlchemy starts from (printed for context; the target compares the bare app).
    """
    if with_sqlalchemy:
        import sqlalchemy  # noqa: F401

    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Referral", "Left", "Status", "Offered to", "Client", "Market")
            for index in range(rows):
                table.add_row(f"R-{index:06d}", "29:59", "offered", "Dana", "Maria L.", "Austin")

    app = Bare()

    async def probe(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        _report({"paint_s": time.perf_counter() - START, "rows": rows})
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=probe)


def _runs(results: list[dict[str, float]]) -> str:
    cpu = statistics.median(result["cpu_s"] for result in results)
    walls = ", ".join(f"{result['paint_s']:.3f}" for result in results)
    return f"{walls}; cpu p50 {cpu:.3f} s"


def run_child(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *argv],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"child {argv} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--cache", action="store_true", help="reuse a seeded desk across runs")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, value = args.child
        if kind == "desk":
            child_desk(value)
        else:
            child_bare(int(value), with_sqlalchemy=kind == "bare-sqlalchemy")
        return 0

    from _common import machine_line, seed_history, seed_roster, seeded_desk

    scale = 10 if args.quick else 1
    runs = args.runs or (3 if args.quick else 5)
    print(f"machine: {machine_line()}")
    with tempfile.TemporaryDirectory() as folder:

        def build(desk):  # type: ignore[no-untyped-def]
            rng = random.Random(7)
            roster = seed_roster(desk, 2000 // scale, 100 // scale, rng)
            counts = seed_history(
                desk, roster, 20_000 // scale, 100_000 // scale, rng, open_offers=150
            )
            # The history's mix leaves ~6% unassigned or pending: a desk that never
            # cleared its escalations. Keep 50 of them waiting; the rest were lost.
            with desk.store.engine.begin() as connection:
                connection.exec_driver_sql(
                    "UPDATE referral SET status = 'lost' WHERE status IN "
                    "('unassigned', 'pending') AND id NOT IN (SELECT id FROM referral "
                    "WHERE status = 'unassigned' ORDER BY id LIMIT 50)"
                )
            return counts

        path, counts = seeded_desk(folder, f"tui-startup-{scale}", build, cache=args.cache)
        print(f"desk: {counts}")
        # Bytecode as an installed wheel has it: written once (a warm-up run), then loaded.
        # This machine sets PYTHONDONTWRITEBYTECODE=1, which would recompile every module.
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(Path(folder) / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("NO_COLOR", None)
        rows = int(run_child(["desk", path], env)["rows"])
        run_child(["bare", str(rows)], env)
        run_child(["bare-sqlalchemy", str(rows)], env)
        desk_runs, bare_runs, floor_runs = [], [], []
        for _ in range(runs):  # alternate, so all see the same load
            desk_runs.append(run_child(["desk", path], env))
            bare_runs.append(run_child(["bare", str(rows)], env))
            floor_runs.append(run_child(["bare-sqlalchemy", str(rows)], env))
    desk_paint = statistics.median(run["paint_s"] for run in desk_runs)
    bare_paint = statistics.median(run["paint_s"] for run in bare_runs)
    desk_rss = max(run["rss_mb"] for run in desk_runs)
    bare_rss = max(run["rss_mb"] for run in bare_runs)
    ratio = desk_paint / bare_paint
    print(f"queue rows painted: {rows}")
    print(
        f"desk  first paint p50={desk_paint:.3f} s (runs: "
        f"{_runs(desk_runs)})  peak RSS {desk_rss:.0f} MB"
    )
    print(
        f"bare  first paint p50={bare_paint:.3f} s (runs: "
        f"{_runs(bare_runs)})  peak RSS {bare_rss:.0f} MB"
    )
    floor_paint = statistics.median(run["paint_s"] for run in floor_runs)
    print(
        f"bare after `import sqlalchemy` p50={floor_paint:.3f} s (runs: {_runs(floor_runs)}): "
        f"{floor_paint / bare_paint:.2f}x the bare app before the desk does anything"
    )
    verdicts = [
        ("first paint", desk_paint <= PAINT_TARGET, f"{desk_paint:.2f} s < {PAINT_TARGET} s"),
        ("vs bare", ratio <= RATIO_TARGET, f"{ratio:.2f}× < {RATIO_TARGET}×"),
        ("memory", desk_rss <= RSS_TARGET_MB, f"{desk_rss:.0f} MB < {RSS_TARGET_MB} MB"),
    ]
    for name, ok, text in verdicts:
        print(f"{name:<12} {text:<24} {'OK' if ok else 'MISSED'}")
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    os.environ.pop("NO_COLOR", None)
    raise SystemExit(main())
