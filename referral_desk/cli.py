"""The `referral-desk` command: the TUI by default, every desk operation headless.

CONTRACT.md defines the commands, their keys and exit codes. Errors are one
line on stderr starting with the field or the rule; a traceback never reaches
the user (set `REFERRAL_DESK_DEBUG=1` to see one). Nothing here imports
Textual unless the TUI is asked for.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .engine.clock import Clock, FixedClock, SystemClock
from .engine.errors import DeskError, InvalidInput
from .engine.timefmt import parse_moment

Handler = Callable[[argparse.Namespace], int]


class UsageError(DeskError):
    """The command line itself is wrong: a missing or unknown argument."""

    exit_code = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"usage: {self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, then one subcommand."""
    from . import commands

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
    commands.register(subparsers)  # type: ignore[arg-type]  # _Parser is an ArgumentParser
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns its exit code (0 on success)."""
    try:
        arguments = build_parser().parse_args(argv)
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
        _fail(f"error: unexpected {type(error).__name__}: {error}")
        return 1


def _fail(message: str) -> None:
    """Prints the one error line, with any control character escaped.

    Messages may quote input (a hostile JSON key, say): an escape sequence in
    it must reach the terminal as text, never as a command to the terminal.
    """
    line = " ".join(message.split())
    print("".join(_shown(ch) for ch in line), file=sys.stderr)


def _shown(ch: str) -> str:
    if ch.isprintable() or ch == " ":
        return ch
    return ch.encode("unicode_escape", "backslashreplace").decode("ascii")


def _open_tui(arguments: argparse.Namespace) -> int:
    from .app import run_desk

    return run_desk(database(arguments), clock_from(arguments))


def database(arguments: argparse.Namespace) -> str:
    """The `--db` value, else `$REFERRAL_DESK_DB`, else the default file."""
    from .locations import default_database

    return arguments.db or default_database()


def clock_from(arguments: argparse.Namespace) -> Clock:
    """A fixed clock at `--now`, or the system clock."""
    if arguments.now:
        return FixedClock(parse_moment(arguments.now))
    return SystemClock()


def read_json_input(source: str) -> Any:
    """Reads JSON from a file path or `-` (stdin); bad JSON names where it broke."""
    if source == "-":
        binary = getattr(sys.stdin, "buffer", None)
        data: bytes | str = binary.read() if binary is not None else sys.stdin.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise InvalidInput([f"file: no such file {source!r}"])
        data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise InvalidInput([f"input: not UTF-8 text (byte {error.start})"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            [f"input: not valid JSON (line {error.lineno} column {error.colno}: {error.msg})"]
        ) from None
    except (ValueError, RecursionError) as error:  # 5,000-digit numbers, nesting 1,000 deep
        raise InvalidInput([f"input: not JSON the desk can read ({error})"]) from None


def print_json(document: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
