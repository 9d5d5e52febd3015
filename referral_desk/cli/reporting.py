"""`report` and `simulate`: the desk's figures, real and what-if.

`report --quarter YYYY-QN --format json|md|csv` prints the quarterly report on
the desk (CONTRACT.md). `simulate` runs the real engine on an in-memory desk
under a virtual clock and prints the same figures, for one set of settings or
two side by side (`--compare`), so a team lead can try a rule before using it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..engine import InvalidInput
from ..engine.rules.errors import cut, echo
from .common import now_of, open_desk, print_json, read_text_input, say, say_document

if TYPE_CHECKING:
    from ..engine.simulate.run import SimulationConfig

FORMATS = ("json", "md", "csv")
TUNE_KEEP = 3
"""Settings `simulate --tune` lists besides today's."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = subparsers.add_parser(
        "report", help="the quarterly report on the referrals received in a quarter"
    )
    report.add_argument("--quarter", required=True, metavar="YYYY-QN", help="e.g. 2026-Q3")
    report.add_argument(
        "--format", default="md", choices=FORMATS, help="json (the contract), md or csv"
    )
    report.add_argument("--json", action="store_true", help="same as --format json")
    report.set_defaults(handler=run_report)

    audit = subparsers.add_parser("audit", help="the monthly check of the desk's own records")
    audit.add_argument("--month", required=True, metavar="YYYY-MM", help="e.g. 2026-11")
    audit.add_argument("--json", action="store_true", help="print one JSON document")
    audit.set_defaults(handler=run_audit)

    simulate = subparsers.add_parser(
        "simulate",
        help="what-if: run the routing rules on a simulated stream of referrals",
        description="Run the real desk on a simulated, seeded stream of referrals (on a "
        "desk in memory: nothing is written to yours) and print the report's figures for "
        "the span; --compare runs a second setting on the same stream, side by side.",
    )
    simulate.add_argument("--roster", metavar="FILE.csv", help="your roster (default: generated)")
    simulate.add_argument("--days", type=int, default=90, help="days of referrals (default 90)")
    simulate.add_argument(
        "--per-day", type=float, default=20.0, help="referrals a day on average (default 20)"
    )
    simulate.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    simulate.add_argument(
        "--set",
        dest="settings",
        nargs="+",
        action="extend",
        default=[],
        metavar="KEY=VALUE",
        help="desk settings for the run (e.g. acceptance_window_minutes=20)",
    )
    simulate.add_argument(
        "--compare",
        nargs="+",
        action="extend",
        default=None,
        metavar="KEY=VALUE",
        help="a second run with these settings changed, side by side",
    )
    simulate.add_argument(
        "--accept-probability",
        type=float,
        default=None,
        metavar="P",
        help="every agent accepts with this probability (default: per agent, as observed "
        "with --from-desk, else drawn from 0.5-0.95)",
    )
    simulate.add_argument(
        "--response-minutes",
        type=float,
        default=None,
        metavar="M",
        help="every agent's typical answer time (default: per agent, as observed with "
        "--from-desk, else drawn from 2-25 min; 0 = at once)",
    )
    simulate.add_argument(
        "--from-desk",
        action="store_true",
        help="simulate this desk (--db): its roster, routing settings and each agent's "
        "answer habits so far",
    )
    simulate.add_argument(
        "--markets",
        nargs="+",
        action="extend",
        default=None,
        metavar="METRO=WEIGHT",
        help="the mix of metros referrals come for, e.g. Austin=3 Houston=1 "
        "(default: the roster's own markets)",
    )
    simulate.add_argument(
        "--routing-only",
        action="store_true",
        help="stop at the acceptance (no closings, losses or fees): faster, routing figures only",
    )
    simulate.add_argument(
        "--tune",
        action="store_true",
        help="search routing settings on the same stream and list the best against today's",
    )
    simulate.add_argument(
        "--candidates",
        type=int,
        default=30,
        metavar="N",
        help="with --tune: settings tried, today's included (default 30, 2-200)",
    )
    simulate.add_argument(
        "--apply",
        type=int,
        default=None,
        metavar="N",
        help="with --tune: write the N-th best setting to the desk (--db)",
    )
    simulate.add_argument("--json", action="store_true", help="print one JSON document")
    simulate.set_defaults(handler=run_simulate)


def run_report(arguments: argparse.Namespace) -> int:
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        report = desk.report(arguments.quarter, now)
    chosen = "json" if arguments.json else arguments.format
    if chosen == "json":
        print_json(report.to_json())
    elif chosen == "csv":
        from ..engine import to_csv

        say_document(to_csv(report))
    else:
        from ..engine import to_markdown

        say_document(to_markdown(report))
    return 0


def _pairs(values: list[str], option: str, form: str = "KEY=VALUE") -> dict[str, str]:
    """`KEY=VALUE` words as a dict; a word without `=` names the option and the form."""
    pairs = {}
    for value in values:
        key, equals, text = value.partition("=")
        if not equals or not key.strip():
            raise InvalidInput([f"{option}: expected {form} (got {echo(value)})"])
        pairs[key.strip()] = text.strip()
    return pairs


def _weights(values: list[str], option: str) -> dict[str, float]:
    """`METRO=WEIGHT` words as a dict of numbers; a word that is not one names the option."""
    weights = {}
    for name, text in _pairs(values, option, "METRO=WEIGHT").items():
        try:
            weights[name] = float(text)
        except ValueError:
            raise InvalidInput(
                [f"{option}: {cut(name)}: the weight must be a number (got {echo(text, 20)})"]
            ) from None
    return weights


class _ProgressLine:
    """Days simulated so far, on one line of a terminal's stderr, cleared when done.

    A context manager, so the line is cleared however the run ends (Ctrl+C too)
    and the shell's prompt is not left behind it.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False

    def __call__(self, done: int, days: int) -> None:
        if done >= days:
            self.clear()
            return
        sys.stderr.write(f"\r\033[K{self.label}: day {done + 1:,} of {days:,}…")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False

    def __enter__(self) -> _ProgressLine | None:
        """Itself on a terminal; None otherwise (a script or a pipe reads stdout only)."""
        return self if sys.stderr.isatty() else None

    def __exit__(self, *_: object) -> None:
        self.clear()


def _simulation_config(arguments: argparse.Namespace) -> SimulationConfig:
    """The run the options describe: generated roster, a roster file, or this desk's own
    roster, settings and agents' habits (`--from-desk`, under any `--set`)."""
    from ..engine.simulate.run import SimulationConfig

    roster, settings, habits = None, _pairs(arguments.settings, "set"), {}
    if arguments.roster and arguments.from_desk:
        raise InvalidInput(["from_desk: give --roster or --from-desk, not both"])
    if arguments.roster:
        roster = read_text_input(arguments.roster, "roster")
    elif arguments.from_desk:
        from ..engine.simulate.from_desk import inputs_from_desk

        with open_desk(arguments) as desk:
            inputs = inputs_from_desk(desk)
        roster, settings, habits = inputs.roster_csv, {**inputs.settings, **settings}, inputs.habits
    return SimulationConfig(
        days=arguments.days,
        per_day=arguments.per_day,
        seed=arguments.seed,
        roster_csv=roster,
        settings=settings,
        accept_probability=arguments.accept_probability,
        response_minutes=arguments.response_minutes,
        lifecycle=not arguments.routing_only,
        markets=_weights(arguments.markets or [], "markets"),
        habits=habits,
        from_desk=bool(arguments.from_desk),
    )


def run_simulate(arguments: argparse.Namespace) -> int:
    from ..engine.simulate.output import simulation_json, simulation_text
    from ..engine.simulate.run import run_simulation

    config = _simulation_config(arguments)
    config.check()
    if arguments.tune:
        return _print_tuned(arguments, config)
    if arguments.apply is not None:
        raise InvalidInput(["apply: only with --tune (it writes a setting the search found)"])
    if arguments.compare is not None:
        changes = _pairs(arguments.compare, "compare")
        config.with_settings(changes).check()
        return _print_compared(arguments, config, changes)
    with _ProgressLine("simulating") as progress:
        base = run_simulation(config, progress)
    if arguments.json:
        print_json(simulation_json(base))
    else:
        say_document(simulation_text(base))
    return 0


def _print_compared(
    arguments: argparse.Namespace, config: SimulationConfig, changes: dict[str, str]
) -> int:
    """The base and the variant, run side by side (two processes on two cores)."""
    from ..engine.simulate.compare import run_side_by_side
    from ..engine.simulate.output import compare_json, compare_text

    with _ProgressLine("simulating both runs") as progress:
        base, variant = run_side_by_side(config, config.with_settings(changes), progress)
    if arguments.json:
        print_json(compare_json(base, variant, changes))
    else:
        say_document(compare_text(base, variant, changes))
    return 0


def _print_tuned(arguments: argparse.Namespace, config: SimulationConfig) -> int:
    """The search's best settings against today's; with --apply N, the N-th is written."""
    from ..engine.simulate.tune import tune
    from ..engine.simulate.tune_output import tune_json, tune_text

    if arguments.compare is not None:
        raise InvalidInput(["tune: give --tune or --compare, not both"])
    if not 2 <= arguments.candidates <= 200:
        raise InvalidInput(["candidates: must be from 2 to 200"])
    if arguments.apply is not None and not 1 <= arguments.apply <= TUNE_KEEP:
        raise InvalidInput([f"apply: must be from 1 to {TUNE_KEEP} (a rank of the list)"])
    with _ProgressLine("tuning") as line:
        progress = None if line is None else _tune_progress(line)
        found = tune(config, arguments.candidates, TUNE_KEEP, progress=progress)
    applied = None
    if arguments.apply is not None:
        if arguments.apply > len(found.best):
            raise InvalidInput([f"apply: the list has {len(found.best)} settings"])
        applied = found.best[arguments.apply - 1].changes
        with open_desk(arguments) as desk:
            desk.set_settings(applied, now_of(arguments))
    if arguments.json:
        print_json({**tune_json(found), "applied": arguments.apply})
        return 0
    say_document(tune_text(found))
    if applied is not None:
        changed = " ".join(f"{key}={value}" for key, value in applied.items())
        say(f"Applied setting {arguments.apply} to the desk: {changed}")
    return 0


def _tune_progress(line: _ProgressLine) -> Callable[[int, int, str], None]:
    def heard(done: int, runs: int, label: str) -> None:
        if done >= runs:
            line.clear()
            return
        sys.stderr.write(f"\r\033[K{line.label}: {done:,} of {runs:,} runs ({label})…")
        sys.stderr.flush()
        line.shown = True

    return heard


AUDIT_HEADINGS = {
    "agent_referrals_without_fee": "agents' referrals with no payable fee agreed",
    "overdue_tasks": "acknowledgments past due",
    "closed_without_recognition": "closings not yet recognised",
    "open_flags": "flags open",
}


def run_audit(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        audit = desk.audit(arguments.month, now_of(arguments))
    document = audit.to_json()
    if arguments.json:
        print_json(document)
        return 0
    lines = [f"audit {audit.month}"]
    for key, heading in AUDIT_HEADINGS.items():
        ids = document[key]
        lines.append(f"{heading}: {len(ids)}" + (f" — {', '.join(ids)}" if ids else ""))
    say_document("\n".join(lines) + "\n")
    return 0
