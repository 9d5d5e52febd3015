"""`partners`: import, export and list the roster of agents."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine import InvalidInput, parse_day
from .common import (
    add_json_flag,
    now_of,
    open_desk,
    print_json,
    read_text_input,
    say,
    say_document,
)

if TYPE_CHECKING:
    from ..engine import AgentView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    partners = subparsers.add_parser("partners", help="the roster: import, export, list")
    actions = partners.add_subparsers(dest="action", metavar="ACTION", required=True)

    importing = actions.add_parser("import", help="add or update agents from a CSV file")
    importing.add_argument("file", help="CSV file (or - for stdin)")
    add_json_flag(importing)
    importing.set_defaults(handler=run_import)

    exporting = actions.add_parser("export", help="write the roster as CSV")
    exporting.add_argument("file", nargs="?", default="-", help="output file (default stdout)")
    exporting.add_argument("--force", action="store_true", help="replace FILE if it exists")
    exporting.set_defaults(handler=run_export)

    away = actions.add_parser("away", help="record an agent's time away (inclusive dates)")
    away.add_argument("agent_id", metavar="AGENT_ID")
    away.add_argument("--from", dest="away_from", metavar="DATE", help="first day away")
    away.add_argument("--until", dest="away_until", metavar="DATE", help="last day away")
    away.add_argument("--clear", action="store_true", help="the agent is back: clear the dates")
    add_json_flag(away)
    away.set_defaults(handler=run_away)

    for verb, active in (("activate", True), ("deactivate", False)):
        toggle = actions.add_parser(verb, help=f"{verb} an agent (inactive agents get no offers)")
        toggle.add_argument("agent_id", metavar="AGENT_ID")
        add_json_flag(toggle)
        toggle.set_defaults(handler=run_toggle, active=active)

    listing = actions.add_parser("list", help="list the roster")
    add_json_flag(listing)
    listing.set_defaults(handler=run_list)


def run_import(arguments: argparse.Namespace) -> int:
    text = read_text_input(arguments.file)
    with open_desk(arguments) as desk:
        created, updated = desk.import_roster(text, now_of(arguments))
    if arguments.json:
        print_json({"created": created, "updated": updated})
    else:
        say(f"imported {created + updated} agents ({created} new, {updated} updated)")
    return 0


def run_export(arguments: argparse.Namespace) -> int:
    """Prints the roster, or writes it to FILE as the desk writes every file a user names
    (never onto the desk's own files, over an existing file only with `--force`)."""
    with open_desk(arguments) as desk:
        text = desk.export_roster()
        if arguments.file != "-":
            desk.write_file(Path(arguments.file), text, force=arguments.force)
            return 0
    say_document(text)
    return 0


def run_list(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        agents = desk.agents()
    if arguments.json:
        print_json([agent.to_json() for agent in agents])
        return 0
    for agent in agents:
        state = "active" if agent.active else "inactive"
        say(
            f"{agent.id:<12} {agent.name:<24} {agent.kind:<7} {';'.join(agent.metros):<24} "
            f"{agent.sides:<6} {agent.load}/{agent.capacity} {state}"
        )
    return 0


def run_away(arguments: argparse.Namespace) -> int:
    if arguments.clear:
        starts = ends = None
    else:
        if not arguments.away_from and not arguments.away_until:
            raise InvalidInput(["away_from: give --from and/or --until, or --clear"])
        starts = parse_day(arguments.away_from, "away_from") if arguments.away_from else None
        ends = parse_day(arguments.away_until, "away_until") if arguments.away_until else None
    with open_desk(arguments) as desk:
        agent = desk.set_vacation(arguments.agent_id, starts, ends, now_of(arguments))
    _print_agent(arguments, agent)
    return 0


def run_toggle(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        agent = desk.set_active(arguments.agent_id, arguments.active, now_of(arguments))
    _print_agent(arguments, agent)
    return 0


def _print_agent(arguments: argparse.Namespace, agent: AgentView) -> None:
    if arguments.json:
        print_json(agent.to_json())
        return
    away = ""
    if agent.away_from or agent.away_until:
        away = f", away {agent.away_from or '…'} to {agent.away_until or '…'}"
    say(f"{agent.id} {agent.name}: {'active' if agent.active else 'inactive'}{away}")
