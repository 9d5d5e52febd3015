"""Backing up and restoring a SQLite desk: a copy you can trust, and the way back to it.

A backup is taken with SQLite's online backup API on a connection of the desk's
own engine, so desks and the clock may keep writing while it runs and the copy
is still one consistent moment. It is written as every file the user names is
(`files.py`): never onto the desk's own files or through a link, into a
temporary owner-only (0600) file beside the target that then takes the name,
and over an existing file only when asked. A PostgreSQL desk is backed up with
the server's own tools.

A restore refuses anything that is not a healthy desk database from this or an
older version, refuses while another desk or the clock has the database open,
and keeps the desk it replaces as `<name>.before-restore-<UTC time>`, a new
name each time, so every restore can be undone by restoring that file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, suppress
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.engine import make_url

from ..rules.errors import InvalidInput, Refused, StorageError
from .connect import database_url
from .files import DeskFiles, checked_target, claim_name, move_into_place, private_temp
from .store import SCHEMA_HEAD, Store, open_store

__all__ = ["BackupCopy", "backup_desk", "restore_desk", "sqlite_desk_path"]

DESK_TABLES = frozenset({"alembic_version", "agent", "referral", "offer", "event", "setting"})
"""Tables every desk database has had since the first schema: what makes a file a desk."""

SQLITE_HEADER = b"SQLite format 3\x00"


class BackupCopy(NamedTuple):
    """A backup written: where, and the schema revision of the desk it holds."""

    path: Path
    schema: str


def backup_desk(store: Store, target: Path, *, desk_files: DeskFiles, force: bool) -> BackupCopy:
    """Copies the (SQLite) desk of `store` to `target` while it keeps running. Refuses,
    writing nothing, as `files.checked_target` says."""
    shown = str(target)
    target = checked_target(target, desk_files, force=force)
    try:
        with private_temp(target) as partial:
            raw = store.engine.raw_connection()
            try:
                with closing(sqlite3.connect(partial, isolation_level=None)) as copy:
                    raw.driver_connection.backup(copy)  # type: ignore[union-attr]
                    copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                raw.close()
            revision = _check_desk_file(partial, "backup")
            move_into_place(partial, target, force=force, shown=shown)
    except OSError as error:
        raise InvalidInput([f"file: cannot write {shown} ({error.strerror or error})"]) from None
    return BackupCopy(target, revision)


def restore_desk(backup: Path, target: Path, now: datetime) -> Path | None:
    """Replaces the desk at `target` with `backup`; returns where the replaced desk was kept
    (`<name>.before-restore-<now in UTC>`), None when there was no desk."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with private_temp(target) as partial:
        _copy_backup(backup, partial)
        _check_desk_file(partial, "file")
        previous = _set_aside(target, now)
        os.replace(partial, target)
    try:
        open_store(str(target)).dispose()  # migrates a backup from an older version
    except Exception:
        if previous is not None:
            os.replace(previous, target)
        raise
    return previous


def sqlite_desk_path(target: str, command: str) -> Path:
    """The desk's SQLite file, or a refusal naming the server's own tool."""
    url = make_url(database_url(target))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database or "").resolve()
    if url.get_backend_name() == "postgresql":
        shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
        tool = (
            f"pg_dump --format=custom --file=FILE '{shown}'"
            if command == "backup"
            else f"pg_restore --clean --if-exists --dbname='{shown}' FILE"
        )
        raise Refused(f"{command}: a PostgreSQL desk is {command}d with the server's tools: {tool}")
    raise Refused(f"{command}: only a SQLite desk file can be {command}d here")


def _copy_backup(backup: Path, partial: str) -> None:
    """Copies a backup through SQLite (so its own -wal, if any, is included)."""
    with backup.open("rb") as head:
        is_sqlite = head.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if not is_sqlite:
        raise InvalidInput([f"file: {backup.name} is not a desk database (not a SQLite file)"])
    # A lone file is opened immutable (no -shm is made beside it); one with a -wal
    # beside it (copied from a live desk) is read with its WAL, so nothing is lost.
    has_wal = Path(f"{backup}-wal").exists()
    uri = f"{backup.as_uri()}?mode=ro" if has_wal else f"{backup.as_uri()}?immutable=1"
    try:
        with (
            closing(sqlite3.connect(uri, uri=True)) as source,
            closing(sqlite3.connect(partial, isolation_level=None)) as copy,
        ):
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.DatabaseError as error:
        raise InvalidInput(
            [f"file: {backup.name} cannot be read as a database ({error})"]
        ) from None


def _check_desk_file(path: str, field: str) -> str:
    """Checks a copy is an intact desk this version can open; returns its schema revision."""
    from .migrate import known_revisions

    try:
        with closing(sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)) as copy:
            health = copy.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
            missing = DESK_TABLES - tables
            if missing:
                raise InvalidInput(
                    [f"{field}: not a desk database (no {', '.join(sorted(missing))} table)"]
                )
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise InvalidInput([f"{field}: not a desk database ({error})"]) from None
    if health != "ok":
        raise InvalidInput([f"{field}: the database is damaged (integrity check: {health})"])
    revision = str(row[0]) if row else ""
    if revision not in known_revisions():
        raise InvalidInput(
            [f"{field}: schema {revision or '(none)'} is not one this desk knows (newest "
             f"{SCHEMA_HEAD}); upgrade referral-desk"]
        )  # fmt: skip
    return revision


def _set_aside(target: Path, now: datetime) -> Path | None:
    """Keeps the current desk as `<name>.before-restore-<now>`, refusing while it is in use.

    Leaving WAL mode needs the only connection to the file: if another desk or
    the clock has it open, SQLite says the file is busy (or stays in WAL) and
    nothing is moved. Once out of WAL the file holds every committed write by
    itself, so it can be kept under a second name (a hard link: the desk never
    goes missing from its own name, and no earlier kept desk is ever replaced).
    """
    if not target.exists():
        return None
    in_use = Refused(
        f"database: {target.name} is open in another desk or the clock; stop them, then restore"
    )
    try:
        with closing(sqlite3.connect(target, timeout=1.0, isolation_level=None)) as current:
            current.execute("PRAGMA busy_timeout=1000")
            mode = current.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise in_use from None
        raise StorageError(f"database: cannot set {target.name} aside ({error})") from None
    except sqlite3.DatabaseError as error:
        raise StorageError(f"database: cannot set {target.name} aside ({error})") from None
    if str(mode).lower() != "delete":
        raise in_use
    aside = next(name for name in _aside_names(target, now) if claim_name(target, name))
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            os.unlink(f"{target}{suffix}")
    return aside


def _aside_names(target: Path, now: datetime) -> Iterator[Path]:
    """`desk.db.before-restore-20261203T101500.123456Z`, then `…Z-2`, `…Z-3`: never reused."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    base = f"{target.name}.before-restore-{stamp}"
    yield target.with_name(base)
    for number in count(2):
        yield target.with_name(f"{base}-{number}")
