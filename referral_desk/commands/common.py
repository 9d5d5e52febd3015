"""What every subcommand needs: the desk, the time, JSON in and out."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from ..cli import clock_from, database
from ..engine.desk import Desk

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


@contextmanager
def open_desk(arguments: argparse.Namespace) -> Iterator[Desk]:
    """The desk named by `--db`, acting as the user at the keyboard."""
    with open_desk_at(database(arguments)) as desk:
        yield desk


@contextmanager
def open_desk_at(target: str) -> Iterator[Desk]:
    """The desk at a path or URL, closed when the block ends."""
    from ..locations import server_outbox_dir

    desk = Desk.open(target, actor=_actor())
    desk.server_outbox_dir = server_outbox_dir()
    try:
        yield desk
    finally:
        desk.close()


def now_of(arguments: argparse.Namespace) -> datetime:
    """`--now`, else the system time."""
    return clock_from(arguments).now()


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "desk"


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")
