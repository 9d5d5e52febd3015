"""`backup` and `restore`: the commands over `engine/storage/backup.py`.

A backup runs while desks and the clock keep working; a restore keeps the desk
it replaces beside it. A PostgreSQL desk is refused with the server's own tool named.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine import InvalidInput, StorageError
from ..engine.rules.errors import echo
from .common import add_json_flag, database, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = subparsers.add_parser(
        "backup", help="copy the desk (SQLite) to FILE while it keeps running"
    )
    backup.add_argument("file", metavar="FILE", help="where to write the copy")
    add_json_flag(backup)
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser(
        "restore", help="replace the desk (SQLite) with a backup; keeps the old one aside"
    )
    restore.add_argument("file", metavar="FILE", help="a backup made by `referral-desk backup`")
    add_json_flag(restore)
    restore.set_defaults(handler=run_restore)


def _resolved(name: str) -> Path:
    """The file a user named, `~` expanded; a name the system cannot resolve (`~nobody/x`,
    a link loop) is bad input naming `file`."""
    try:
        return Path(name).expanduser().resolve()
    except (RuntimeError, OSError) as error:
        raise InvalidInput([f"file: cannot resolve {echo(name)} ({error})"]) from None


def run_backup(arguments: argparse.Namespace) -> int:
    from ..engine.storage.backup import backup_desk, sqlite_desk_path

    source = sqlite_desk_path(database(arguments), "backup")
    target = _resolved(arguments.file)
    if not source.is_file():
        raise StorageError(f"database: no desk at {source}")
    if target == source:
        raise InvalidInput(["file: is the desk database itself; choose another file"])
    if target.is_dir():
        raise InvalidInput([f"file: {echo(arguments.file)} is a folder; name a file in it"])
    if not target.parent.is_dir():
        raise InvalidInput([f"file: no such folder {echo(target.parent)}"])
    revision = backup_desk(source, target)
    if arguments.json:
        print_json({"database": str(source), "file": str(target), "schema": revision})
    else:
        print(f"backed up {source} to {target}")
    return 0


def run_restore(arguments: argparse.Namespace) -> int:
    from ..engine.storage.backup import restore_desk, sqlite_desk_path

    target = sqlite_desk_path(database(arguments), "restore")
    backup = _resolved(arguments.file)
    if not backup.is_file():
        raise InvalidInput([f"file: no such file {echo(arguments.file)}"])
    if backup == target:
        raise InvalidInput(["file: is the desk database itself"])
    previous = restore_desk(backup, target)
    if arguments.json:
        print_json(
            {
                "database": str(target),
                "restored_from": str(backup),
                "previous": None if previous is None else str(previous),
            }
        )
    else:
        kept = f"; the previous desk is kept as {previous}" if previous else ""
        print(f"restored {backup} into {target}{kept}")
    return 0
