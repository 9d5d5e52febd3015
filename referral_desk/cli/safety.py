"""`backup` and `restore`: the commands over `engine/storage/backup.py`.

A backup runs while desks and the clock keep working, and is written like every
file the desk writes where the user points (never onto the desk's own files, over
an existing file only with `--force`); a restore keeps the desk it replaces beside
it, under a new name each time (`--now` names it too). A PostgreSQL desk is
refused with the server's own tool named.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine import InvalidInput, StorageError
from ..engine.rules.errors import echo
from .common import add_json_flag, database, now_of, open_desk_at, print_json, say


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = subparsers.add_parser(
        "backup", help="copy the desk (SQLite) to FILE while it keeps running"
    )
    backup.add_argument("file", metavar="FILE", help="where to write the copy")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
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
    if not source.is_file():
        raise StorageError(f"database: no desk at {source}")
    with open_desk_at(str(source)) as desk:
        target = backup_desk(
            desk.store, Path(arguments.file), desk_files=desk.own_files(), force=arguments.force
        )
    if arguments.json:
        print_json({"database": str(source), "file": str(target.path), "schema": target.schema})
    else:
        say(f"backed up {source} to {target.path}")
    return 0


def run_restore(arguments: argparse.Namespace) -> int:
    from ..engine.storage.backup import restore_desk, sqlite_desk_path

    target = sqlite_desk_path(database(arguments), "restore")
    backup = _resolved(arguments.file)
    if not backup.is_file():
        raise InvalidInput([f"file: no such file {echo(arguments.file)}"])
    if backup == target:
        raise InvalidInput(["file: is the desk database itself"])
    previous = restore_desk(backup, target, now_of(arguments))
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
        say(f"restored {backup} into {target}{kept}")
    return 0
