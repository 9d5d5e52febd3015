"""Opening a desk database: the engine factory, SQLite pragmas, and migrations.

Nothing connects at import time. `open_store(url)` builds the engine, compares
the stored schema revision with the one this code expects, and only when they
differ loads Alembic to migrate, so opening a current database costs one query.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Table, bindparam, create_engine, event, text, update
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import ClauseElement, Executable

from .errors import DeskError, StorageError
from .prepared import Prepared, as_sqlalchemy_error

if TYPE_CHECKING:
    from .records import Record

RecordT = TypeVar("RecordT", bound="Record")

SCHEMA_HEAD = "0009"
"""The Alembic revision this code expects; a test keeps it equal to the scripts' head."""

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
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def shown_url(url_or_path: str) -> str:
    """The database as it may be printed or logged: a URL's password hidden."""
    if "://" not in url_or_path:
        return url_or_path
    try:
        return make_url(url_or_path).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show only its scheme
        return url_or_path.split("://", 1)[0] + "://…"


def _prepare_sqlite_file(url: str) -> None:
    """Creates a missing SQLite file (and folder) readable by the owner only."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(descriptor)


def _configure_sqlite(engine: Engine, in_memory: bool) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for writes.

    pysqlite sends no BEGIN before a SELECT, so "read, then update" could
    interleave between two clocks; taking over BEGIN makes a write
    transaction hold the write lock from its first statement.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if in_memory and connection.connection.dbapi_connection.in_transaction:
            return  # the desk's own transaction, begun on the driver (`_OneConnection`)
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        _on_driver(connection, f"BEGIN {mode}")  # every transaction: skip SQLAlchemy's execution


def _on_driver(connection: Connection, sql: str) -> None:
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
    in_memory = parsed.database in (None, "", ":memory:")
    if in_memory:
        engine = create_engine(url, connect_args=_sqlite_arguments(), poolclass=StaticPool)
    else:
        _prepare_sqlite_file(url)
        engine = create_engine(
            url, connect_args={**_sqlite_arguments(), "timeout": BUSY_TIMEOUT_MS / 1000}
        )
    _configure_sqlite(engine, in_memory)
    return engine


class Transaction:
    """One transaction on the desk database: every engine read and write goes through it.

    It holds the records (`records.py`) loaded to be changed, and writes their
    changed columns back before any statement that could read them (a query, or a
    change to their table) and before the transaction commits, so the write path
    reads what it wrote without an ORM session.
    """

    __slots__ = ("_connection", "_later", "_later_tables", "_records")
    _records: list[Record]

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._records: list[Record] = []
        self._later: list[tuple[Prepared, dict[str, Any]]] = []
        self._later_tables: frozenset[Table] = frozenset()
        """The tables the queued rows go to."""

    @property
    def dialect(self) -> Dialect:
        """The database's dialect (`sqlite`, `postgresql`)."""
        return self._connection.dialect

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection, for what needs the driver itself."""
        return self._connection

    def execute(self, statement: Executable | Prepared, parameters: Any = None) -> Any:
        """Runs a statement (its parameters a dict, or a list of dicts for many rows).

        A `Prepared` statement runs on the driver directly (`prepared.py`); any
        other through SQLAlchemy. Both give rows with the same attributes.
        """
        plain = statement.statement if isinstance(statement, Prepared) else statement
        if self._later and _may_read_later(statement, self._later_tables):
            self._insert_later()
        if self._records and _may_read_records(plain, self._records):
            self.flush()
        if isinstance(statement, Prepared):
            return statement.execute(self._connection, parameters)
        if parameters is None:
            return self._connection.execute(statement)
        return self._connection.execute(statement, parameters)

    def insert_later(self, statement: Prepared, values: dict[str, Any]) -> None:
        """Queues a row to insert: before any statement that names its table, else at commit.

        For rows written many times a transaction and seldom read back in it (a
        referral's events): the queued rows of a statement go to the database in
        one batch, in the order they were queued, instead of one statement each.
        """
        self._later.append((statement, values))
        if not statement.tables <= self._later_tables:
            self._later_tables |= statement.tables

    def _insert_later(self) -> None:
        """Inserts the queued rows, each run of one statement as one batch."""
        queued, self._later, self._later_tables = self._later, [], frozenset()
        for statement, rows in groupby(queued, key=lambda item: item[0]):
            batch = [values for _, values in rows]
            statement.execute(self._connection, batch if len(batch) > 1 else batch[0])

    def track(self, record: RecordT) -> RecordT:
        """Remembers a record whose changes this transaction writes back."""
        self._records.append(record)
        return record

    def tracked(self, kind: type[RecordT], record_id: int) -> RecordT | None:
        """The record of that kind and id this transaction loaded last, its changes
        written (so it is the row as the database now holds it); None if none."""
        for record in reversed(self._records):
            if isinstance(record, kind) and record.id == record_id:
                self.flush()
                return record
        return None

    def flush(self) -> None:
        """Writes the queued rows and every tracked record's changed columns (one UPDATE a
        changed record)."""
        if self._later:
            self._insert_later()
        for record in self._records:
            if not record.changed:
                continue
            changes = record.take_changes()
            statement = _record_update(record.table, frozenset(changes))
            values = {f"new_{name}": value for name, value in changes.items()}
            statement.execute(self._connection, {**values, "record_id": record.id})


def _may_read_later(statement: Executable | Prepared, queued_tables: frozenset[Table]) -> bool:
    """Whether a statement names a table rows are queued for (any plain statement might)."""
    if not isinstance(statement, Prepared):
        return True
    return not statement.tables.isdisjoint(queued_tables)


def _may_read_records(statement: ClauseElement | Executable, records: list[Record]) -> bool:
    """Whether a statement could see a tracked record's row: any query, or DML on its table."""
    if isinstance(statement, UpdateBase):
        return any(statement.table is record.table for record in records)
    return True


@lru_cache(maxsize=256)
def _record_update(table: Table, names: frozenset[str]) -> Prepared:
    """`UPDATE table SET <names> WHERE id = :record_id`, built once per set of columns."""
    values = {name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names}
    return Prepared(update(table).where(table.c.id == bindparam("record_id")).values(values))


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

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        """One write transaction: committed when the block ends, rolled back on error."""
        try:
            with self._begun_write() as connection:
                transaction = Transaction(connection)
                yield transaction
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
            _on_driver(connection, f"BEGIN {begin}")
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
    _on_driver(connection, "COMMIT" if commit else "ROLLBACK")


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
