"""Two simulated runs side by side (`simulate --compare`), on two cores when there are.

The base and the variant are independent runs, each on its own in-memory desk
from the same seed, so the variant can run in a second process while the base
runs here: the pair takes about as long as one run instead of two. On a
one-core machine they simply run one after the other. Either way the figures
are the same.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from .run import Progress, SimulationConfig, SimulationResult, run_simulation

__all__ = ["portable", "run_side_by_side"]


def run_side_by_side(
    base: SimulationConfig, variant: SimulationConfig, progress: Progress | None = None
) -> tuple[SimulationResult, SimulationResult]:
    """Both runs' results; `progress` follows the base run."""
    if (os.cpu_count() or 1) < 2:
        return run_simulation(base, progress), run_simulation(variant)
    with ProcessPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(run_simulation, portable(variant))

        def watched(done: int, days: int) -> None:
            """Stops the base at once when the variant has failed (a setting its desk
            refused), instead of finishing a run whose comparison cannot be made."""
            if pending.done() and (failure := pending.exception()) is not None:
                raise failure
            if progress is not None:
                progress(done, days)

        first = run_simulation(base, watched)
        return first, pending.result()


def portable(config: SimulationConfig) -> SimulationConfig:
    """The config with plain dicts for its read-only mappings, which cannot be pickled."""
    return replace(
        config,
        settings=dict(config.settings),
        markets=dict(config.markets),
        habits=dict(config.habits),
    )
