"""`simulate --tune`: which routing settings would drop fewer referrals on this stream.

The search is successive halving (Jamieson & Talwalkar, 2016: the budgeted core of
Hyperband) over a seeded sample of a small grid:

1. The candidates are today's settings plus `count - 1` others drawn, without
   repeats, from the grid below (`SPACE`) with the run's seed: the same options
   give the same candidates, so a `--tune` can be repeated and an `--apply N`
   applies what the listing showed.
2. Rung 1 runs every candidate on the first third of the days (the same seeded
   stream), and keeps the best third (at least `FINALISTS_LEAST`), today's
   settings always among them so they can be compared.
3. Rung 2 runs the survivors on the whole stream. Only these full runs are ranked
   and reported: a setting is never shown with figures of a run it did not make.

Settings are ranked by dropped rate, then the median time to a first offer, then
the median time to acceptance. The runs go to worker processes, one per core, and
a progress callback hears each finished run.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Final

from .compare import portable
from .config import SimulationConfig
from .run import SimulationResult, run_simulation

__all__ = ["SPACE", "TuneResult", "Tuned", "candidates", "tune"]

SPACE: Final[dict[str, tuple[str, ...]]] = {
    "default_mode": ("best_fit", "round_robin", "broadcast"),
    "acceptance_window_minutes": ("10", "15", "30", "60", "120"),
    "broadcast_size": ("2", "3", "5", "10"),
    "max_offers_before_fallback": ("2", "3", "5", "10"),
    "weights.territory": ("20", "40", "60"),
    "weights.price": ("10", "25", "40"),
    "weights.capacity": ("10", "20", "40"),
    "weights.history": ("5", "10", "30"),
    "weights.property_type": ("0", "5", "15"),
    "pause_outside_business_hours": ("false", "true"),
}
"""The routing settings searched, each with the values tried."""

FINALISTS_LEAST: Final = 3
"""Settings run on the whole stream, at the least (today's among them)."""

Progress = Callable[[int, int, str], None]
"""(runs done, runs in all, what is running) after each finished run."""


@dataclass(frozen=True)
class Tuned:
    """One setting run on the whole stream: what it changes from today, and its run."""

    changes: dict[str, str]
    """Settings that differ from today's (empty: today's own)."""
    result: SimulationResult

    @property
    def key(self) -> tuple[float, float, float]:
        """The ranking: dropped rate, then time to a first offer, then to acceptance."""
        report = self.result.report
        return (
            report.dropped_rate if report.dropped_rate is not None else 1.0,
            _or_inf(report.assignment_delay_median),
            _or_inf(report.acceptance_median),
        )


@dataclass(frozen=True)
class TuneResult:
    """The search: today's settings and the best of the others, each run on the whole
    stream, best first, and how much was run to find them."""

    today: Tuned
    best: tuple[Tuned, ...]
    tried: int
    """Candidates run on the first third of the days (today's included)."""
    finalists: int
    """Of them, run on the whole stream."""
    short_days: int


def _or_inf(value: int | None) -> float:
    return float("inf") if value is None else float(value)


def candidates(today: Mapping[str, str], seed: int, count: int) -> list[dict[str, str]]:
    """`count` settings: today's values first (as `{}`), then distinct draws from
    `SPACE`, each as its changes from today's (a draw equal to today's is skipped)."""
    rng = random.Random(f"tune-{seed}")
    drawn: list[dict[str, str]] = [{}]
    seen = {tuple(sorted(today.items()))}
    attempts = 0
    while len(drawn) < count and attempts < count * 50:
        attempts += 1
        values = {key: rng.choice(options) for key, options in SPACE.items()}
        if values["default_mode"] != "broadcast":
            values["broadcast_size"] = today.get("broadcast_size", values["broadcast_size"])
        full = {**today, **values}
        identity = tuple(sorted(full.items()))
        if identity in seen:
            continue
        seen.add(identity)
        drawn.append({key: value for key, value in values.items() if today.get(key) != value})
    return drawn


def tune(
    config: SimulationConfig,
    count: int = 30,
    keep: int = 3,
    progress: Progress | None = None,
    workers: int | None = None,
) -> TuneResult:
    """Searches `count` settings on `config`'s stream (see the module's method)."""
    today = {key: str(value) for key, value in _searched(config).items()}
    drawn = candidates(today, config.seed, count)
    for changes in drawn:
        config.with_settings(changes).check()
    short_days = max(1, config.days // 3)
    finalists = max(FINALISTS_LEAST, len(drawn) // 3)
    runs = len(drawn) + min(finalists, len(drawn))
    # the first rung screens routing only (no closings or losses): it is the cheap part
    done = 0

    def heard(label: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, runs, label)

    short = replace(config, days=short_days, lifecycle=False)
    processes = min(workers or os.cpu_count() or 1, len(drawn))
    # Spawned, not forked: the app runs the search from a thread, and forking a
    # process with threads can leave a lock held in the child.
    pool = (
        ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        if processes > 1
        else None
    )
    try:
        first = _run_all(short, drawn, pool, lambda: heard(f"first {short_days} days"))
        ranked = sorted(range(1, len(drawn)), key=lambda index: first[index].key)
        chosen = [0, *ranked[: finalists - 1]]  # today's, and the best of the others
        settings = [drawn[i] for i in chosen]
        full = _run_all(config, settings, pool, lambda: heard("whole stream"))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    others = sorted(full[1:], key=lambda tuned: tuned.key)
    return TuneResult(full[0], tuple(others[:keep]), len(drawn), len(chosen), short_days)


def _searched(config: SimulationConfig) -> dict[str, object]:
    """Today's values of the searched settings (the desk's defaults under the run's own)."""
    from ..values.settings import DeskSettings, with_setting

    settings = DeskSettings()
    for key, text in config.settings.items():
        settings, _ = with_setting(settings, key, text)
    contract = settings.as_contract()
    return {key: _text(contract[key]) for key in SPACE}


def _text(value: object) -> str:
    """A setting as `settings set` takes it (`true`, `30`, `40` for a whole weight)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _run_all(
    config: SimulationConfig,
    settings: list[dict[str, str]],
    pool: ProcessPoolExecutor | None,
    finished: Callable[[], None],
) -> list[Tuned]:
    """Each setting's run on `config`'s stream, in the order given: on the pool's worker
    processes, or here when there is no pool (a single core)."""
    configs = [portable(config.with_settings(changes)) for changes in settings]
    results: dict[int, SimulationResult] = {}
    if pool is None:
        for index, one in enumerate(configs):
            results[index] = run_simulation(one)
            finished()
    else:
        pending = {pool.submit(run_simulation, one): index for index, one in enumerate(configs)}
        for future in as_completed(pending):
            results[pending[future]] = future.result()
            finished()
    return [Tuned(changes, results[index]) for index, changes in enumerate(settings)]
