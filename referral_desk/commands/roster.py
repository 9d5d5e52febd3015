"""`partners`: import, export and list the roster of agents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import print_json
from ..engine.errors import InvalidInput
from .common import add_json_flag, now_of, open_desk


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    partners = subparsers.add_parser("partners", help="the roster: import, export, list")
    actions = partners.add_subparsers(dest="action", metavar="ACTION", required=True)

    importing = actions.add_parser("import", help="add or update agents from a CSV file")
    importing.add_argument("file", help="CSV file (or - for stdin)")
    add_json_flag(importing)
    importing.set_defaults(handler=run_import)

    exporting = actions.add_parser("export", help="write the roster as CSV")
    exporting.add_argument("file", nargs="?", default="-", help="output file (default stdout)")
    exporting.set_defaults(handler=run_export)

    listing = actions.add_parser("list", help="list the roster")
    add_json_flag(listing)
    listing.set_defaults(handler=run_list)


def _read_text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise InvalidInput([f"file: no such file {source!r}"])
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput([f"file: not UTF-8 text (byte {error.start})"]) from None


def run_import(arguments: argparse.Namespace) -> int:
    text = _read_text(arguments.file)
    with open_desk(arguments) as desk:
        created, updated = desk.import_roster(text, now_of(arguments))
    if arguments.json:
        print_json({"created": created, "updated": updated})
    else:
        print(f"imported {created + updated} agents ({created} new, {updated} updated)")
    return 0


def run_export(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        text = desk.export_roster()
    if arguments.file == "-":
        sys.stdout.write(text)
    else:
        Path(arguments.file).write_text(text, encoding="utf-8")
    return 0


def run_list(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        agents = desk.agents()
    if arguments.json:
        print_json([agent.to_json() for agent in agents])
        return 0
    for agent in agents:
        state = "active" if agent.active else "inactive"
        print(
            f"{agent.id:<12} {agent.name:<24} {agent.kind:<7} {';'.join(agent.metros):<24} "
            f"{agent.sides:<6} {agent.load}/{agent.capacity} {state}"
        )
    return 0
