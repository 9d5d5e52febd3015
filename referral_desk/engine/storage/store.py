"""Opening a desk database, and its read and write transactions.

Nothing connects at import time. `open_store(url)` builds the engine (`connect.py`), compares
the stored schema revision with the one this code expects, and only when they
differ loads Alembic to migrate, so opening a current database costs one query.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.pool import StaticPool

from ..rules.errors import DeskError, StorageError
from .connect import BUSY_TIMEOUT_MS, database_url, make_engine, on_driver, shown_url
from .transaction import Transaction
from .waiting import WaitSign

SCHEMA_HEAD = "0011"
"""The Alembic revision this code expects; a test keeps it equal to the scripts' head."""

HANDOVER_SECONDS = 0.12
"""How long a long job on a SQLite file pauses between its writes (`Store.hand_over`):
longer than the 100 ms a waiting writer's busy handler sleeps between two tries."""


class Store:
    """A desk database: read and write transactions over one engine."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE", desk_writer=True)
        self._reader = engine
        if engine.dialect.name == "postgresql":
            # One snapshot per read, as a SQLite read transaction has: a referral's
            # offers and events never come from two different moments.
            self._reader = engine.execution_options(isolation_level="REPEATABLE READ")
        self._one: _OneConnection | None = None
        if isinstance(engine.pool, StaticPool):
            self._one = _OneConnection(self._writer)
        self._wait_sign = WaitSign.for_url(url) if self._one is None else None
        self._write_began_ns = 0
        self._turns = threading.RLock()
        """Writes of this process to a SQLite file take turns here first. SQLite keeps
        no queue: a writer that finds the lock taken sleeps in its busy handler (up
        to 100 ms a try) and may lose the race again, so twenty threads writing at
        once (`serve` taking API intakes beside its clock) waited up to a second
        for what takes milliseconds. Other processes still wait in SQLite's way."""

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self._turn():
            yield from self._write()

    @contextmanager
    def _turn(self) -> Iterator[None]:
        if not self.is_sqlite or self._one is not None:
            yield
            return
        if not self._turns.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise StorageError("database: busy (another write of this process held it)")
        try:
            yield
        finally:
            self._turns.release()

    def _write(self) -> Iterator[Transaction]:
        if self._wait_sign is not None:
            self._write_began_ns = self._wait_sign.now_ns()
        try:
            with self._begun_write() as connection:
                transaction = Transaction(connection)
                yield transaction
                transaction.run_before_commit()
                transaction.flush()
        except OperationalError as error:
            raise _storage_error(error) from error
        except DataError as error:  # a value the server refuses that SQLite would take
            reason = str(error.orig).splitlines()[0] if error.orig is not None else error
            raise StorageError(f"database: refused a value: {reason}") from error

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        """A read-only transaction; it never takes the write lock."""
        try:
            with self._begun_read() as connection:
                yield Transaction(connection)
        except OperationalError as error:
            raise _storage_error(error) from error

    def _begun_read(self) -> AbstractContextManager[Connection]:
        if self._one is not None:
            return self._one.transaction("DEFERRED", commit=False)
        return _pooled_read(self._reader)

    def _begun_write(self) -> AbstractContextManager[Connection]:
        if self._one is not None:
            return self._one.transaction("IMMEDIATE", commit=True)
        return _pooled_write(self._writer)

    def hand_over(self) -> None:
        """Pauses between two writes of a long job if a writer is waiting for the lock.

        SQLite keeps no queue for its write lock: a waiting writer's busy handler
        tries again now and then (every 100 ms once it has waited a quarter of a
        second), and a job that begins its next write at once takes the lock back
        before the waiter tries; a clock would wait out the whole job and fail busy.
        So a file desk pauses a little longer than those 100 ms, when a writer of
        another process signed that it waits (`waiting.py`); writers of this
        process take turns first (`_turn`). PostgreSQL queues the waiters on the
        desk's writer lock and hands it to them when a write commits, and an
        in-memory desk is one simulation's, with no clock beside it: neither pauses.
        """
        if self._wait_sign is not None and self._wait_sign.raised_since(self._write_began_ns):
            time.sleep(HANDOVER_SECONDS)

    def dispose(self) -> None:
        """Closes every pooled connection."""
        if self._one is not None:
            self._one.close()
        self.engine.dispose()


class _OneConnection:
    """An in-memory desk's one connection, kept open and lent to one transaction at a time.

    The database lives in a single driver connection (`StaticPool`), so checking
    it out of the pool and wrapping it anew for every transaction bought nothing
    and cost about 30 µs each, and SQLAlchemy's transaction objects as much
    again — a tenth of a simulated run, which is thousands of short
    transactions. So a transaction here is begun and ended on the driver; a
    plain statement that makes SQLAlchemy begin one of its own (the begin
    listener sees the driver's open transaction and sends nothing) has
    SQLAlchemy end it. The lock makes threads take turns, which the one driver
    connection needs anyway.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._lock = threading.RLock()

    def _open(self) -> Connection:
        """The kept connection (opened again if it was closed or broke); hold the lock."""
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = self._engine.connect()
        return connection

    @contextmanager
    def transaction(self, begin: str, *, commit: bool) -> Iterator[Connection]:
        """`BEGIN <begin>` on the driver; committed (or, for reads, rolled back) at the end,
        rolled back on error."""
        with self._lock:
            connection = self._open()
            on_driver(connection, f"BEGIN {begin}")
            try:
                yield connection
            except BaseException:
                with suppress(DBAPIError):  # the error that got us here is the one to report
                    _end(connection, commit=False)
                raise
            _end(connection, commit=commit)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


@contextmanager
def _pooled_write(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection, connection.begin():
        yield connection


@contextmanager
def _pooled_read(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        try:
            connection.begin()  # one snapshot (BEGIN), also for statements run on the driver
            yield connection
        finally:
            connection.rollback()


def _end(connection: Connection, *, commit: bool) -> None:
    """Ends a transaction begun on the driver, through SQLAlchemy if it began one too."""
    if connection.in_transaction():
        if commit:
            connection.commit()
        else:
            connection.rollback()
        return
    on_driver(connection, "COMMIT" if commit else "ROLLBACK")


def _storage_error(error: OperationalError) -> StorageError:
    message = str(error.orig) if error.orig is not None else str(error)
    if "locked" in message or "busy" in message or "lock timeout" in message:
        return StorageError(
            "database: busy — another desk held the write lock too long; nothing was "
            "written, try again"
        )
    return StorageError(f"database: {message}")


def stored_revision(engine: Engine) -> str | None:
    """The Alembic revision recorded in the database, or None for an empty one."""
    with engine.connect() as connection:  # a server that cannot be reached is an error
        try:
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        except (OperationalError, ProgrammingError):  # no such table: a new database
            return None
    return row[0] if row else None


def open_store(url_or_path: str) -> Store:
    """Opens (creating or migrating as needed) the desk database at a URL or path."""
    url = database_url(url_or_path)
    try:
        engine = make_engine(url)
        revision = stored_revision(engine)
    except OperationalError as error:
        shown = shown_url(url_or_path)
        raise StorageError(f"database: cannot open {shown}: {error.orig}") from error
    except DeskError:
        raise
    except Exception as error:  # driver missing, bad URL, unreachable server
        raise StorageError(f"database: cannot open {shown_url(url_or_path)}: {error}") from error
    if revision != SCHEMA_HEAD:
        from .migrate import upgrade_to_head

        try:
            upgrade_to_head(engine, revision)
        except DeskError:
            raise
        except Exception as error:
            # Another desk may have migrated it a moment before us: that is success.
            if _revision_or_none(engine) != SCHEMA_HEAD:
                cause = getattr(error, "orig", None) or error
                raise StorageError(f"database: migration failed: {cause}") from error
    return Store(url, engine)


def _revision_or_none(engine: Engine) -> str | None:
    try:
        return stored_revision(engine)
    except Exception:  # the server went away: the migration did not happen
        return None
