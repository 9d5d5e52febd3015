"""`init` and `settings`: create a desk, read and change its settings."""

from __future__ import annotations

import argparse
import sys

from ..engine import Refused
from .common import (
    add_json_flag,
    clock_from,
    database,
    now_of,
    open_desk,
    open_desk_at,
    print_json,
    say,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = subparsers.add_parser("init", help="create (or migrate) the desk database")
    add_json_flag(init)
    init.set_defaults(handler=run_init)

    demo = subparsers.add_parser("demo", help="open the desk on a fresh demo desk")
    demo.add_argument(
        "--seed-only", action="store_true", help="seed the --db desk (must be empty) and exit"
    )
    demo.set_defaults(handler=run_demo)

    settings = subparsers.add_parser("settings", help="show every setting, or change one")
    add_json_flag(settings)
    settings.set_defaults(handler=run_show)
    actions = settings.add_subparsers(dest="action", metavar="ACTION")
    set_one = actions.add_parser("set", help="change one setting: settings set KEY VALUE")
    set_one.add_argument("key")
    set_one.add_argument("value")
    add_json_flag(set_one)
    set_one.set_defaults(handler=run_set)


def run_init(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        revision = desk.revision()
    if arguments.json:
        print_json({"database": database(arguments), "revision": revision})
    else:
        say(f"desk ready at {database(arguments)}")
    return 0


def run_show(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        values = desk.settings().as_contract()
        problems = desk.settings_problems()
    for problem in problems:  # on stderr: `settings --json` stays one JSON document
        print(f"warning: {problem}", file=sys.stderr)
    if arguments.json:
        print_json(values)
    else:
        width = max(len(key) for key in values)
        for key, value in values.items():
            shown = (
                "" if value is None else str(value).lower() if isinstance(value, bool) else value
            )
            say(f"{key:<{width}}  {shown}")
    return 0


def run_set(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        values = desk.set_setting(arguments.key, arguments.value, now_of(arguments)).as_contract()
    if arguments.json:
        print_json(values)
    else:
        say(f"{arguments.key} = {values[arguments.key]}")
    return 0


def run_demo(arguments: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from ..demo import seed_demo

    if arguments.seed_only:
        target = database(arguments)
    else:
        folder = Path(tempfile.mkdtemp(prefix="referral-desk-demo-"))
        target = str(folder / "demo.db")
    now = now_of(arguments)
    with open_desk_at(target) as desk:
        if desk.agents():
            raise Refused(f"demo: {target} already has a roster; seed an empty desk")
        count = seed_demo(desk, now)
    if arguments.seed_only:
        say(f"seeded {count} demo referrals into {target}")
        return 0
    from ..app import run_desk

    return run_desk(target, clock_from(arguments))
