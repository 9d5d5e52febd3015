"""What every subcommand needs: the desk, the time, JSON in and out, and safe printing.

Everything a command prints goes through `say` (a line), `say_document` (a
report, a CSV) or `print_json`: what the desk stores was typed by people and
partners, and text stored before the desk refused control characters may still
hold an escape sequence that would retitle the terminal or paint over it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ..engine import Clock, Desk, FixedClock, InvalidInput, SystemClock, parse_moment, shown_text
from ..engine.rules.errors import StorageError, echo

Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


@contextmanager
def open_desk(arguments: argparse.Namespace) -> Iterator[Desk]:
    """The desk named by `--db`, acting as the user at the keyboard."""
    with open_desk_at(database(arguments)) as desk:
        yield desk


@contextmanager
def open_desk_at(target: str) -> Iterator[Desk]:
    """The desk at a path or URL, closed when the block ends."""
    from ..locations import server_outbox_dir, server_secret_file

    desk = Desk.open(target, actor=_actor())
    desk.server_outbox_dir = server_outbox_dir()
    desk.server_secret_file = server_secret_file()
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


def database(arguments: argparse.Namespace) -> str:
    """The `--db` value, else `$REFERRAL_DESK_DB`, else the default file.

    A named desk (`--db`, the variable) in a folder that is not there is refused
    (exit 5) rather than made: it is nearly always a typo."""
    import os

    from ..engine.storage.connect import missing_folder
    from ..locations import DATABASE_ENV, default_database

    named = arguments.db or os.environ.get(DATABASE_ENV, "").strip()
    if not named:
        return default_database()
    folder = missing_folder(named)
    if folder is not None:
        raise StorageError(
            f"database: no such folder {echo(str(folder), 200)} (make it first, or check --db)"
        )
    return str(named)


def clock_from(arguments: argparse.Namespace) -> Clock:
    """A fixed clock at `--now`, or the system clock."""
    if arguments.now:
        return FixedClock(parse_moment(arguments.now))
    return SystemClock()


def read_input(source: str, field: str = "file") -> bytes | str:
    """The content of a file path, or of stdin for `-`; anything that cannot be read is
    bad input naming `field` (a folder, a missing or unreadable file, stdin closed)."""
    if source == "-":
        stream = sys.stdin
        if stream is None:  # started with stdin closed (`<&-`)
            raise InvalidInput([f"{field}: standard input is closed; give a file or pipe one in"])
        try:
            binary = getattr(stream, "buffer", None)
            return binary.read() if binary is not None else stream.read()
        except (OSError, ValueError) as error:  # a folder as stdin; a stream closed under us
            problem = f"{field}: cannot read standard input ({_reason(error)})"
            raise InvalidInput([problem]) from None
    path = Path(source)
    try:
        if path.is_dir():
            raise InvalidInput([f"{field}: {echo(source)} is a folder, not a file"])
        if not path.is_file():
            raise InvalidInput([f"{field}: no such file {echo(source)}"])
        return path.read_bytes()
    except OSError as error:  # unreadable, a name too long, a file gone since the check
        raise InvalidInput([f"{field}: cannot read {echo(source)} ({_reason(error)})"]) from None


def read_text_input(source: str, field: str = "file", decode_field: str | None = None) -> str:
    """A file (or stdin) as UTF-8 text, a byte-order mark dropped; other bytes are refused
    naming `decode_field` (default `field`) and where they are."""
    data = read_input(source, field)
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = decode_field or field
        raise InvalidInput([f"{where}: not UTF-8 text (byte {error.start})"]) from None


def _reason(error: Exception) -> str:
    """What went wrong, without the file name the message already shows."""
    return str(getattr(error, "strerror", None) or error).lower()


def read_json_input(source: str) -> Any:
    """Reads JSON from a file path or `-` (stdin); bad JSON names where it broke."""
    text = read_text_input(source, "file", decode_field="input")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            [f"input: not valid JSON (line {error.lineno} column {error.colno}: {error.msg})"]
        ) from None
    except (ValueError, RecursionError) as error:  # 5,000-digit numbers, nesting 1,000 deep
        raise InvalidInput([f"input: not JSON the desk can read ({error})"]) from None


def print_json(document: Any) -> None:
    """One JSON document on stdout, every string in it safe for a terminal and unchanged.

    `json.dumps` escapes the C0 controls (ESC among them) but writes the C1 controls
    (U+009B opens an escape sequence too), bidi overrides and lone surrogates as
    they are; those are written as `\\uXXXX` escapes, which any JSON reader turns
    back into the very same string.
    """
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if not text.replace("\n", "").isprintable():  # only newlines: the usual case, no walk
        text = "".join(ch if ch.isprintable() else _json_escaped(ch) for ch in text)
    sys.stdout.write(text + "\n")


def _json_escaped(ch: str) -> str:
    if ch == "\n" or shown_text(ch) == ch:
        return ch
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP (a tag character): JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def say(line: str = "", *, stream: TextIO | None = None, flush: bool = False) -> None:
    """Prints one line of a command's text output (stdout unless `stream`), with every
    control character, line break and invisible formatting character in it escaped
    (`\\x1b`, `\\n`, `\\u202e`), so one record stays one line and a stored escape
    sequence reaches the terminal as text."""
    print(shown_text(line), file=stream or sys.stdout, flush=flush)


def say_document(text: str) -> None:
    """Writes a whole document (a Markdown report, a CSV, a simulation's table) on
    stdout: its own newlines and tabs kept, every other control character escaped."""
    sys.stdout.write(shown_text(text, multiline=True))
