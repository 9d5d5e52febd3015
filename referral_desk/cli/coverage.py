"""`coverage`: where the roster is thin, market by market and side by side.

`referral-desk coverage [--json]` lists each metro (as an active agent names it,
or as a referral of the last 90 days did) and side: the agents who could be
offered such a referral now, their free slots, and what the market received and
dropped in the last 90 days, thin ones (fewer than 3 agents) first.
"""

from __future__ import annotations

import argparse

from .common import now_of, open_desk, print_json, say


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    coverage = subparsers.add_parser(
        "coverage",
        help="where the roster is thin: eligible agents per metro and side, and recent drops",
    )
    coverage.add_argument("--json", action="store_true", help="print one JSON list")
    coverage.set_defaults(handler=run_coverage)


def run_coverage(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        rows = desk.reports.coverage(now_of(arguments))
    if arguments.json:
        print_json([row.to_json() for row in rows])
        return 0
    if not rows:
        say("No market yet: import the roster (partners import FILE) or take in a referral.")
        return 0
    thin = sum(row.thin for row in rows)
    say(f"coverage: {len(rows)} markets and sides, {thin} thin (fewer than 3 agents now)")
    for row in rows:
        say(f"{'THIN ' if row.thin else '     '}{row.reason}")
    return 0
