"""`simulate --tune`'s answer for people (a ranked table) and scripts (JSON)."""

from __future__ import annotations

from typing import Any

from ..report.figure_text import count_text, duration_text, percent_text
from .tune import Tuned, TuneResult

__all__ = ["tune_json", "tune_text"]


def _figures(tuned: Tuned) -> dict[str, Any]:
    report = tuned.result.report
    return {
        "changes": dict(tuned.changes),
        "dropped_rate": report.dropped_rate,
        "dropped_by_cause": dict(report.dropped_by_cause),
        "assignment_delay_seconds": {"median": report.assignment_delay_median},
        "acceptance_seconds": {"median": report.acceptance_median},
    }


def tune_json(result: TuneResult) -> dict[str, Any]:
    """Today's settings and the best others, each with the figures of its whole run."""
    config = result.today.result.config
    return {
        "seed": config.seed,
        "days": config.days,
        "per_day": config.per_day,
        "referrals": result.today.result.report.received,
        "tried": result.tried,
        "finalists": result.finalists,
        "screened_on_days": result.short_days,
        "today": _figures(result.today),
        "best": [{"rank": rank, **_figures(tuned)} for rank, tuned in enumerate(result.best, 1)],
    }


def _changes_text(tuned: Tuned) -> str:
    if not tuned.changes:
        return "(today's settings)"
    return " ".join(f"{key}={value}" for key, value in tuned.changes.items())


def tune_text(result: TuneResult) -> str:
    """A ranked table (today's first), each row's settings in full under it."""
    today = result.today.result
    config = today.config
    lines = [
        f"Tuning on {count_text(today.report.received)} referrals ({config.days} days × "
        f"{config.per_day:g} a day, seed {config.seed}): {result.tried} settings tried on the "
        f"first {result.short_days} days, the best {result.finalists - 1} and today's run "
        "on every day.",
        "",
        f"{'':<7}{'dropped':>9}  {'to first offer':>15}  {'to accepted':>12}",
    ]
    rows = [("today", result.today), *((f"{n}", t) for n, t in enumerate(result.best, 1))]
    for label, tuned in rows:
        report = tuned.result.report
        lines.append(
            f"{label:<7}{percent_text(report.dropped_rate):>9}  "
            f"{duration_text(report.assignment_delay_median):>15}  "
            f"{duration_text(report.acceptance_median):>12}  {_changes_text(tuned)}"
        )
    if result.best:
        lines += [
            "",
            "To use one, run the same command with --apply N (N from the first column): it "
            "writes those settings to the desk.",
        ]
    return "\n".join(lines) + "\n"
