"""Connecting to a desk database: the engine factory, SQLite's pragmas, PostgreSQL's
writer lock, and how a database is named in messages.

Nothing connects at import time: `make_engine(url)` builds an engine when a desk
is opened (`store.open_store`).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

from ..rules.errors import StorageError, echo
from .prepared import as_sqlalchemy_error
from .waiting import WaitSign

BUSY_TIMEOUT_ENV = "REFERRAL_DESK_BUSY_TIMEOUT_MS"
"""Overrides the busy timeout (milliseconds), e.g. to test what a long-held lock does."""


def _busy_timeout_ms() -> int:
    try:
        return max(1, int(os.environ.get(BUSY_TIMEOUT_ENV, "") or 10_000))
    except ValueError:
        return 10_000


BUSY_TIMEOUT_MS = _busy_timeout_ms()
"""How long a write waits for another desk's write before reporting the database busy."""

WRITER_LOCK_KEY = 0x5244_4B31
"""PostgreSQL advisory lock every write transaction takes ("RDK1"): one writer at a time.

The engine was built on SQLite's single writer (`BEGIN IMMEDIATE`): a write
reads, decides, then writes (find-or-create a referring party, the next offer's
sequence, the rotation). Under PostgreSQL's READ COMMITTED two such writes could
interleave; holding this lock for the transaction gives them the same order
SQLite does, and the same busy timeout (`lock_timeout`). Reads never take it.
"""


def database_url(value: str) -> str:
    """Turns a `--db` value (a file path or any SQLAlchemy URL) into a URL."""
    if "://" in value:
        return value
    try:
        path = Path(value).expanduser().resolve()
    except (RuntimeError, OSError) as error:  # `~nobody/desk.db`: no such user's home
        raise StorageError(f"database: cannot open {echo(value)}: {error}") from None
    return f"sqlite:///{path}"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for a server or an in-memory desk."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def missing_folder(url_or_path: str) -> Path | None:
    """The folder a SQLite desk would be made in, when it is not there; else None.

    Opening a desk makes its folder (the default location, a script's fresh
    desk); a person typing `--db` is asked first, since a typo would otherwise
    grow an empty desk where nobody meant one."""
    try:
        path = sqlite_file(database_url(url_or_path))
    except Exception:  # not a URL SQLAlchemy can read: opening it will say why
        return None
    if path is None or path.parent.is_dir():
        return None
    return path.parent


def shown_url(url_or_path: str) -> str:
    """The database as it may be printed or logged: a URL's password hidden."""
    if "://" not in url_or_path:
        return url_or_path
    try:
        return make_url(url_or_path).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show only its scheme
        return url_or_path.split("://", 1)[0] + "://…"


def _prepare_sqlite_file(url: str) -> None:
    """Creates a missing SQLite file (and folder) readable by the owner only, and takes
    group and others' access away from an existing one, its WAL files and its outbox
    folder (a desk made by an older version, or copied in with `cp`)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(descriptor)
    for companion in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        owner_only(companion, 0o600)
    owner_only(path.with_name(f"{path.stem}.outbox"), 0o700)  # the file channel's default


def owner_only(path: Path, mode: int) -> None:
    """Sets a file (0600) or folder (0700) that others may read or enter to `mode`.

    The desk's files hold clients' names, emails and phones. A file already
    private (0600, or stricter like 0400) is left as it is, and so is one this
    user may not change (another user's, a read-only disk): the desk still opens.
    """
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(mode)
    except OSError:  # missing, not ours, or read-only: nothing to tighten
        return


WAL_CHECKPOINT_PAGES = 4000
"""Pages (16 MB) the write-ahead log grows to before a commit copies it into the file.

SQLite's default, 1,000, is about what one open referral to 400 agents writes (an
offer, a message and an event each, and the scattered index pages of their agents):
nearly every such write then paid a checkpoint, with its syncs, before returning.
Fewer, larger checkpoints also copy a page rewritten by several writes once."""


def _configure_sqlite(engine: Engine, wait_sign: WaitSign | None) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for writes.

    pysqlite sends no BEGIN before a SELECT, so "read, then update" could
    interleave between two clocks; taking over BEGIN makes a write
    transaction hold the write lock from its first statement. A write on a
    file that finds the lock taken raises the file's wait sign before it
    waits (`waiting.py`). No sign: an in-memory desk.
    """
    in_memory = wait_sign is None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if in_memory and connection.connection.dbapi_connection.in_transaction:
            return  # the desk's own transaction, begun on the driver (`_OneConnection`)
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE" and wait_sign is not None:
            _begin_write_or_sign(connection, wait_sign)
            return
        on_driver(connection, f"BEGIN {mode}")  # every transaction: skip SQLAlchemy's execution


def _begin_write_or_sign(connection: Connection, wait_sign: WaitSign) -> None:
    """BEGIN IMMEDIATE at once if the lock is free; else raises the wait sign, then
    waits for the lock as any write does (the busy timeout)."""
    driver = connection.connection.dbapi_connection
    assert driver is not None, "a connection being begun has its driver connection"
    driver.execute("PRAGMA busy_timeout=0")
    try:
        driver.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise as_sqlalchemy_error(connection.dialect, error, "BEGIN IMMEDIATE", ()) from error
    finally:
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    wait_sign.raise_sign()
    on_driver(connection, "BEGIN IMMEDIATE")


def on_driver(connection: Connection, sql: str) -> None:
    """Runs one statement on the driver, its errors raised as SQLAlchemy's (busy, locked)."""
    try:
        connection.connection.dbapi_connection.execute(sql)  # type: ignore[union-attr]
    except connection.dialect.loaded_dbapi.Error as error:
        raise as_sqlalchemy_error(connection.dialect, error, sql, ()) from error


def _configure_postgresql(engine: Engine) -> None:
    """Write transactions take the desk's writer lock, waiting at most the busy timeout.

    `SET LOCAL` and the `_xact_` lock both end with the transaction, so a
    pooled connection carries nothing over to the next one.
    """

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("desk_writer"):
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")


SQLITE_STATEMENT_CACHE = 1024
"""Parsed statements each SQLite connection keeps (the driver's default is 128).

The desk runs a few hundred distinct statements (an IN list of each length is one
of its own); past the driver's cache, SQLite parsed and planned the routing
queries again on every use, a fifth more than running them."""


def _sqlite_arguments() -> dict[str, Any]:
    return {"check_same_thread": False, "cached_statements": SQLITE_STATEMENT_CACHE}


def make_engine(url: str) -> Engine:
    """Builds an engine for the URL, with SQLite's pragmas when it is SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "postgresql":
            _configure_postgresql(engine)
        return engine
    if parsed.query:  # `?mode=ro` would be passed over silently and the desk opened to write
        raise StorageError(
            "database: a SQLite desk takes no URL options "
            f"({echo('&'.join(sorted(parsed.query)), 100)}); name the file alone"
        )
    in_memory = parsed.database in (None, "", ":memory:")
    if in_memory:
        engine = create_engine(url, connect_args=_sqlite_arguments(), poolclass=StaticPool)
    else:
        _prepare_sqlite_file(url)
        engine = create_engine(
            url, connect_args={**_sqlite_arguments(), "timeout": BUSY_TIMEOUT_MS / 1000}
        )
    _configure_sqlite(engine, None if in_memory else WaitSign.for_url(url))
    return engine
