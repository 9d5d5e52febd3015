"""Whole-run time of headless commands on a current (already migrated) small desk.

Each command runs as `python -m referral_desk --db X --now T ...` in a fresh
interpreter (`subprocess.run`), 10 runs each; the figure is the median, the max
is printed too. Target: under 0.5 s per command.

Two bytecode conditions are measured, because this machine's environment sets
PYTHONDONTWRITEBYTECODE=1 and the editable install has no `__pycache__` for
`referral_desk`, so every run would recompile the package from source:
  * "cached" — PYTHONPYCACHEPREFIX points at a temporary folder and bytecode
    writing is allowed (after a warm-up run every module loads from .pyc): what
    a user of a pip-installed wheel sees. This is the figure held to the target.
  * "as-is" — the inherited environment, unchanged.

For context it prints the bare interpreter start (`python -c pass`), `import
sqlalchemy`, the desk engine's import, and whether `alembic` / `textual` were imported
by a headless command (from `python -X importtime`), with the slowest imports.

    python benchmarks/startup.py            # 10 runs each
    python benchmarks/startup.py --quick    # 3 runs each, a smoke test
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import NOW, Samples, machine_line

from referral_desk.demo import seed_demo
from referral_desk.engine.desk import Desk

TARGET = 0.5
NOW_TEXT = NOW.isoformat().replace("+00:00", "Z")
SHOW_OVER_SQLALCHEMY = 1.6
"""`show --json` may take at most this many times `python -c 'import sqlalchemy'`: the
desk's own start (its modules, opening the database, the view) stays small beside
the one library every command needs."""


def run_times(argv: list[str], runs: int, env: dict[str, str]) -> Samples:
    """Wall seconds per run, with the child's CPU seconds (user + system) in `.cpu`."""
    samples = Samples()
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        samples.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise CommandFailed(f"exited {done.returncode}: {done.stderr.strip()[:300]}")
    return samples


class CommandFailed(Exception):
    """The measured command did not succeed: no figure for it."""


def line(name: str, samples: Samples, target: float | None = None) -> float | None:
    median = statistics.median(samples)
    text = (
        f"  {name:<40} median={median * 1e3:7.1f} ms  max={max(samples) * 1e3:7.1f} ms"
        f"  cpu median={statistics.median(samples.cpu) * 1e3:7.1f} ms"
    )
    if target is None:
        print(text)
        return None
    ratio = median / target
    print(
        f"{text}  target<{target * 1e3:.0f} ms  ratio={ratio:.2f}"
        f" {'OK' if ratio <= 1 else 'MISSED'}"
    )
    return ratio


def paired_ratios(
    argv: list[str], baseline: list[str], runs: int, env: dict[str, str]
) -> list[float]:
    """`argv`'s wall time over `baseline`'s, run in turn (A B A B …) so a drift of the
    machine's speed touches both sides of each pair alike."""
    return [run_times(argv, 1, env)[0] / run_times(baseline, 1, env)[0] for _ in range(runs)]


def import_profile(argv: list[str], env: dict[str, str]) -> tuple[int, int, list[tuple[int, str]]]:
    """(alembic lines, textual lines, slowest top-level imports) from -X importtime."""
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True
    )
    lines = [x for x in done.stderr.splitlines() if x.startswith("import time:")]
    alembic = sum(1 for x in lines if "alembic" in x)
    textual = sum(1 for x in lines if "textual" in x)
    top: list[tuple[int, str]] = []
    for x in lines[1:]:
        parts = x.split("|")
        if len(parts) != 3:
            continue
        name = parts[2]
        if name.startswith(" ") and not name.startswith("  "):  # top-level imports only
            top.append((int(parts[1]), name.strip()))
    top.sort(reverse=True)
    return alembic, textual, top[:8]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 10")
    args = parser.parse_args()
    runs = 3 if args.quick else 10
    py = sys.executable

    with tempfile.TemporaryDirectory(prefix="rd-bench-startup-") as folder:
        db = str(Path(folder) / "desk.db")
        desk = Desk.open(db)
        count = seed_demo(desk, NOW)
        desk.close()
        print(f"startup benchmark: demo desk with {count} referrals, {runs} runs each ({py})")
        print(f"  machine: {machine_line()}")

        as_is = dict(os.environ)
        cached = dict(os.environ)
        cached.pop("PYTHONDONTWRITEBYTECODE", None)
        cached["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        base = [py, "-m", "referral_desk", "--db", db, "--now", NOW_TEXT]
        commands = {
            "settings --json": [*base, "settings", "--json"],
            "show R-000001 --json": [*base, "show", "R-000001", "--json"],
            "queue --json": [*base, "queue", "--json"],
        }
        context = {
            "python -c pass": [py, "-c", "pass"],
            "python -c 'import sqlalchemy'": [py, "-c", "import sqlalchemy"],
            "python -c 'import referral_desk.engine.desk'": [
                py,
                "-c",
                "import referral_desk.engine.desk",
            ],
            "python -c 'import referral_desk.cli'": [py, "-c", "import referral_desk.cli"],
        }
        ratios: list[float] = []
        failures = 0
        for label, env in (("cached bytecode", cached), ("as-is environment", as_is)):
            for argv in [*context.values(), *commands.values()]:
                # warm-up: fills the bytecode cache, page cache; failures reported below
                with contextlib.suppress(CommandFailed):
                    run_times(argv, 1, env)
            print(f"\n[{label}]")
            for name, argv in context.items():
                line(name, run_times(argv, runs, env))
            for name, argv in commands.items():
                try:
                    ratio = line(name, run_times(argv, runs, env), TARGET)
                except CommandFailed as error:
                    print(f"  {name:<40} FAILED: {error}")
                    failures += 1
                    continue
                if label == "cached bytecode":
                    assert ratio is not None
                    ratios.append(ratio)

        show_over_sqlalchemy = paired_ratios(
            commands["show R-000001 --json"],
            context["python -c 'import sqlalchemy'"],
            runs,
            cached,
        )
        median_ratio = statistics.median(show_over_sqlalchemy)
        print(
            "\n[show R-000001 --json over python -c 'import sqlalchemy', run in turn, cached]\n"
            f"  ratio median={median_ratio:.2f}x  min={min(show_over_sqlalchemy):.2f}x"
            f"  max={max(show_over_sqlalchemy):.2f}x  target<={SHOW_OVER_SQLALCHEMY:.1f}x"
            f" {'OK' if median_ratio <= SHOW_OVER_SQLALCHEMY else 'MISSED'}"
        )

        print("\n[imports of a headless command, -X importtime, cached bytecode]")
        for name, argv in commands.items():
            alembic, textual, top = import_profile(argv, cached)
            print(f"  {name:<24} alembic import lines: {alembic}  textual import lines: {textual}")
        _, _, top = import_profile(commands["show R-000001 --json"], cached)
        print("  slowest top-level imports of `show` (cumulative µs):")
        for micros, name in top:
            print(f"    {micros:>8} µs  {name}")

    print(f"\nmachine: {machine_line()}")
    if ratios:
        print(f"worst ratio figure/target (cached bytecode): {max(ratios):.2f}")
    if failures:
        print(f"{failures} command measurement(s) FAILED: the command itself is broken")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
