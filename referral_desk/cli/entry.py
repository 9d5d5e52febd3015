"""The `referral-desk` command line: the parser, and one error line instead of a traceback.

CONTRACT.md defines the commands, their keys and exit codes. Errors are one
line on stderr starting with the field or the rule; a traceback never reaches
the user (set `REFERRAL_DESK_DEBUG=1` to see one). Nothing here imports
Textual unless the TUI is asked for.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from ..engine import DeskError
from ..engine.rules.errors import cut, echo

Handler = Callable[[argparse.Namespace], int]


class UsageError(DeskError):
    """The command line itself is wrong: a missing or unknown argument."""

    exit_code = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        message = _QUOTED.sub(lambda found: echo(found.group(1)), message)
        raise UsageError(f"usage: {self.prog}: {message} (see {self.prog} --help)")


_QUOTED = re.compile(r"'([^']{41,})'")
"""A long word argparse quotes back (`invalid choice: '…'`), cut like any echoed input."""


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, then one subcommand."""
    from . import (
        closing,
        coverage,
        desk_settings,
        outbox,
        referrals,
        reporting,
        roster,
        routing,
        safety,
        web,
    )

    parser = _Parser(
        prog="referral-desk",
        description="Route, track and report real-estate referrals. "
        "With no command, opens the desk (TUI).",
    )
    parser.add_argument(
        "--db",
        metavar="URL_OR_PATH",
        help="SQLite file or SQLAlchemy URL (default: $REFERRAL_DESK_DB, else the user data dir)",
    )
    parser.add_argument(
        "--now", metavar="ISO-8601", help="act as if it were this moment (needs Z or an offset)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for area in (
        desk_settings,
        roster,
        referrals,
        routing,
        closing,
        outbox,
        reporting,
        coverage,
        safety,
        web,
    ):
        area.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns its exit code (0 on success)."""
    try:
        arguments = build_parser().parse_args(argv)
        _check_text(arguments)
        if arguments.command is None:
            return _open_tui(arguments)
        handler: Handler = arguments.handler
        return handler(arguments)
    except DeskError as error:
        _fail(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # the last guard: one line, never a traceback
        if os.environ.get("REFERRAL_DESK_DEBUG"):
            raise
        _fail(f"error: unexpected {type(error).__name__}: {cut(error, 200)}")
        return 1


LINE_LIMIT = 1_000
"""The longest error line printed. Each message cuts the input it quotes (`echo`); a line
of many problems (a roster with hundreds of bad rows) is cut here, saying so."""


PATH_ARGUMENTS = frozenset({"db", "file", "roster"})
"""Arguments that name files: a file's name may hold any bytes, so these may carry the
stand-ins Python uses for bytes that are not UTF-8."""


def _check_text(arguments: argparse.Namespace) -> None:
    """Refuses an argument holding bytes that are not UTF-8 (Python reads them from the
    command line as lone surrogates): no database can store such text, nor look it up.
    File names are exempt: the system takes them back byte for byte."""
    for name, value in vars(arguments).items():
        words = value if isinstance(value, list) else [value]
        for word in words:
            if name in PATH_ARGUMENTS or not isinstance(word, str):
                continue
            if any("\ud800" <= ch <= "\udfff" for ch in word):
                raise UsageError(f"{name}: not UTF-8 text ({echo(word)})")


def _fail(message: str) -> None:
    """Prints the one error line, with any control character escaped.

    Messages may quote input (a hostile JSON key, say): an escape sequence in
    it must reach the terminal as text, never as a command to the terminal. Any
    character that does not print (an unassigned code point too) is written as
    its escape, so the line is plain text whatever the input held.
    """
    line = " ".join(message.split())
    if len(line) > LINE_LIMIT:
        line = f"{line[:LINE_LIMIT]}… ({len(line) - LINE_LIMIT:,} more characters)"
    print("".join(_shown(ch) for ch in line), file=sys.stderr)


def _shown(ch: str) -> str:
    if ch.isprintable() or ch == " ":
        return ch
    return ch.encode("unicode_escape", "backslashreplace").decode("ascii")


def _open_tui(arguments: argparse.Namespace) -> int:
    from ..app import run_desk
    from .common import clock_from, database

    return run_desk(database(arguments), clock_from(arguments))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
