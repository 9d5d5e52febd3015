"""The simulator's figures for people (a side-by-side table) and scripts (JSON).

The figures are the report's (`Report.to_json`), so a simulated run reads like
a quarter on the real desk; a run adds what happened along the way (offers,
answers, lapses) and what it cost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..report.figure_text import count_text, duration_text, money_text, percent_text
from ..report.figures import Report
from ..rules.drops import DROP_CAUSE_LABELS, DROP_CAUSES, DropCause
from .drivers import drivers_json, drivers_text
from .run import SimulationConfig, SimulationResult

__all__ = ["compare_json", "compare_text", "simulation_json", "simulation_text"]


def simulation_json(result: SimulationResult) -> dict[str, Any]:
    """One run: what was simulated, the report's figures, and the run's own counts."""
    config, counts = result.config, result.counts
    return {
        "seed": config.seed,
        "days": config.days,
        "per_day": config.per_day,
        "roster": "desk" if config.from_desk else "file" if config.roster_csv else "generated",
        "habits_from_history": len(config.habits),
        "lifecycle": config.lifecycle,
        "markets": dict(config.markets) or None,
        "uncovered_markets": list(result.uncovered_markets),
        "settings": result.settings,
        "report": result.report.to_json(),
        "drops": drivers_json(result),
        "run": {
            "referrals": counts.referrals,
            "offers": counts.offers,
            "accepts": counts.accepts,
            "declines": counts.declines,
            "unanswered": counts.silences,
            "late_answers": counts.late,
            "reroutes": counts.reroutes,
            "service_calls": counts.service_calls,
            "seconds": round(result.seconds, 3),
            "ms_per_referral": round(result.ms_per_referral, 3),
        },
    }


def compare_json(
    base: SimulationResult, variant: SimulationResult, changes: Mapping[str, str]
) -> dict[str, Any]:
    """Two runs on the same stream: the base and the variant with `changes`."""
    return {
        "changes": dict(changes),
        "base": simulation_json(base),
        "variant": simulation_json(variant),
    }


def _fees(report: Report, direction: str) -> str:
    pending, paid = report.fees[direction]["pending"], report.fees[direction]["paid"]
    return (
        f"{count_text(pending.count)} pending {money_text(pending.amount)} / "
        f"{count_text(paid.count)} paid {money_text(paid.amount)}"
    )


Row = tuple[str, Callable[[SimulationResult], str]]


def _cause_count(cause: DropCause) -> Callable[[SimulationResult], str]:
    return lambda result: count_text(result.report.dropped_by_cause[cause])


OUTCOME_ORDER = ("closed", "lost", "active")
FEES_NOTE = "Pending fee amounts count the agreements whose sale price is recorded so far."
COHORTS_BEFORE = "fees receivable"
"""The row the cohorts' closing rates (one row a month) go in front of."""

ROWS: tuple[Row, ...] = (
    ("referrals received", lambda r: count_text(r.report.received)),
    (
        "from client / sphere / agent / pro",
        lambda r: " / ".join(count_text(count) for count in r.report.by_source_type.values()),
    ),
    ("top source", lambda r: _top_source(r.report)),
    (
        "closed / lost / active",
        lambda r: " / ".join(count_text(r.report.outcomes[k]) for k in OUTCOME_ORDER),
    ),
    ("dropped rate", lambda r: percent_text(r.report.dropped_rate)),
    *((f"  {DROP_CAUSE_LABELS[cause]}", _cause_count(cause)) for cause in DROP_CAUSES),
    ("received → first offer, median", lambda r: duration_text(r.report.assignment_delay_median)),
    ("received → first offer, p90", lambda r: duration_text(r.report.assignment_delay_p90)),
    ("first offer → accepted, median", lambda r: duration_text(r.report.acceptance_median)),
    ("fees receivable", lambda r: _fees(r.report, "receivable")),
    ("fees payable", lambda r: _fees(r.report, "payable")),
    ("offers made", lambda r: count_text(r.counts.offers)),
    ("answers: accept / decline / none", lambda r: _answers(r)),
    ("routed again by the team lead", lambda r: count_text(r.counts.reroutes)),
    ("run time", lambda r: f"{r.seconds:.1f} s ({r.ms_per_referral:.1f} ms/referral)"),
)


def _top_source(report: Report) -> str:
    if not report.top_sources:
        return "—"
    top = report.top_sources[0]
    return f"{top.name} ({count_text(top.count)})"


def _answers(result: SimulationResult) -> str:
    counts = result.counts
    return " / ".join(count_text(n) for n in (counts.accepts, counts.declines, counts.silences))


def _cohort_rows(results: list[SimulationResult]) -> list[tuple[str, list[str]]]:
    months = sorted({c.month for r in results for c in r.report.cohorts})
    rows = []
    for month in months:
        cells = []
        for result in results:
            cohort = next((c for c in result.report.cohorts if c.month == month), None)
            cells.append("—" if cohort is None else percent_text(cohort.closing_rate))
        rows.append((f"closing rate, cohort {month}", cells))
    return rows


def _signed_duration(seconds: int) -> str:
    if seconds == 0:
        return "same"
    return ("+" if seconds > 0 else "−") + duration_text(abs(seconds))


def _duration_change(figure: Callable[[Report], int | None]) -> Change:
    def change(base: SimulationResult, variant: SimulationResult) -> str:
        before, after = figure(base.report), figure(variant.report)
        return "" if before is None or after is None else _signed_duration(after - before)

    return change


def _count_change(figure: Callable[[SimulationResult], int]) -> Change:
    return lambda base, variant: f"{figure(variant) - figure(base):+,}"


def _cause_change(cause: DropCause) -> Change:
    return _count_change(lambda result: result.report.dropped_by_cause[cause])


def _dropped_change(base: SimulationResult, variant: SimulationResult) -> str:
    before, after = base.report.dropped_rate, variant.report.dropped_rate
    return "" if before is None or after is None else f"{(after - before) * 100:+.1f} pts"


Change = Callable[[SimulationResult, SimulationResult], str]

CHANGES: dict[str, Change] = {
    "dropped rate": _dropped_change,
    "received → first offer, median": _duration_change(lambda r: r.assignment_delay_median),
    "received → first offer, p90": _duration_change(lambda r: r.assignment_delay_p90),
    "first offer → accepted, median": _duration_change(lambda r: r.acceptance_median),
    **{f"  {DROP_CAUSE_LABELS[cause]}": _cause_change(cause) for cause in DROP_CAUSES},
    "offers made": _count_change(lambda r: r.counts.offers),
    "routed again by the team lead": _count_change(lambda r: r.counts.reroutes),
}
"""The rows whose difference a team lead comparing two rules reads first (variant − base)."""


def _table(results: list[SimulationResult], headers: list[str]) -> str:
    body = [(label, [value(r) for r in results]) for label, value in ROWS]
    cohorts_at = next(i for i, (label, _) in enumerate(body) if label == COHORTS_BEFORE)
    body[cohorts_at:cohorts_at] = _cohort_rows(results)
    if len(results) == 2:
        headers = [*headers, "change"]
        body = [
            (label, [*cells, CHANGES[label](*results) if label in CHANGES else ""])
            for label, cells in body
        ]
    width = max(len(label) for label, _ in body) + 2
    columns = [
        max(len(header), *(len(cells[i]) for _, cells in body)) + 2
        for i, header in enumerate(headers)
    ]
    lines = [" " * width + "".join(h.ljust(w) for h, w in zip(headers, columns, strict=True))]
    for label, cells in body:
        lines.append(
            label.ljust(width) + "".join(c.ljust(w) for c, w in zip(cells, columns, strict=True))
        )
    lines += ["", FEES_NOTE]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _markets_lines(result: SimulationResult) -> str:
    """The set mix of metros, and which of them nobody on the roster covers."""
    markets = result.config.markets
    if not markets:
        return ""
    total = sum(markets.values())
    lines = "Referrals for: " + ", ".join(f"{m} {w / total:.0%}" for m, w in markets.items())
    if result.uncovered_markets:
        fallback = result.settings.get("fallback_agent_id")
        outcome = (
            f"only the fallback agent ({fallback}) is offered those"
            if fallback
            else "those go unassigned (no fallback agent is set)"
        )
        lines += f"\nNobody on the roster covers {', '.join(result.uncovered_markets)}: {outcome}."
    return lines + "\n"


def _history_note(config: SimulationConfig) -> str:
    observed = len(config.habits)
    if observed == 0:
        return "no agent has answered enough offers yet: habits drawn from the seed"
    return f"answer habits from the desk's history for {observed:,} agent" + (
        "" if observed == 1 else "s"
    )


def _title(result: SimulationResult) -> str:
    config = result.config
    roster = "your roster" if config.roster_csv else "a generated roster"
    if config.from_desk:
        roster = f"your desk's roster ({_history_note(config)})"
    markets = _markets_lines(result)
    return (
        f"Simulated desk: {config.days} days × {config.per_day:g} referrals/day on {roster}, "
        f"seed {config.seed}, {result.settings['default_mode']} routing, "
        f"{result.settings['acceptance_window_minutes']}-minute window\n{markets}\n"
    )


def simulation_text(result: SimulationResult) -> str:
    """One run as a two-column table, then what drives its drops."""
    return _title(result) + _table([result], ["figure"]) + "\n" + drivers_text(result)


def compare_text(
    base: SimulationResult, variant: SimulationResult, changes: Mapping[str, str]
) -> str:
    """Two runs side by side on the same referrals and agents."""
    changed = ", ".join(f"{key}={value}" for key, value in changes.items())
    return (
        _title(base)
        + _table([base, variant], ["base", f"with {changed}"])
        + f"\nBase. {drivers_text(base)}\nWith {changed}. {drivers_text(variant)}"
    )
