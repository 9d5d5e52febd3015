"""One transaction on the desk database, and the records it writes back.

Every engine read and write goes through a `Transaction`: it runs Core and
prepared statements, queues rows to insert in batches, and writes the changed
fields of the records (`records.py`) it loaded before its next statement, whatever
that statement is, and before it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.expression import Executable

from .prepared import Prepared

if TYPE_CHECKING:
    from .records import Record

RecordT = TypeVar("RecordT", bound="Record")


class Transaction:
    """One transaction on the desk database: every engine read and write goes through it.

    It holds the records (`records.py`) loaded to be changed, and writes their
    changed columns back before any statement that could read them (a query, or a
    change to their table) and before the transaction commits, so the write path
    reads what it wrote without an ORM session.
    """

    __slots__ = (
        "_before_commit",
        "_connection",
        "_later",
        "_later_tables",
        "_pending",
        "_records",
        "recorded_events",
    )

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._records: dict[tuple[type[Record], int], Record] = {}
        """Every record tracked, by kind and id (the one loaded last)."""
        self._pending: list[Record] = []
        """The tracked records with a field set since they were last written back.

        Kept by the records themselves (`Record.report_changes_to`), so a statement
        costs the same however many records the transaction holds: asking each of
        them made a list of 10,000 referrals in one intake quadratic."""
        self._later: list[tuple[Prepared, dict[str, Any]]] = []
        self._later_tables: frozenset[Table] = frozenset()
        """The tables the queued rows go to."""
        self._before_commit: dict[str, Callable[[], None]] = {}
        self.recorded_events: list[dict[str, Any]] = []
        """The events this transaction appended, for steps run before it commits (the
        CRM write-back): they may be inserted before then, so the queue cannot say."""

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
        if self._later and _may_read_later(statement, self._later_tables):
            self._insert_later()
        if self._pending:  # any statement, or a trigger it fires, may read a changed record
            self._write_back()
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

    def before_commit(self, name: str, step: Callable[[], None]) -> None:
        """Runs `step` once, just before the transaction commits (a second step under
        the same name replaces nothing: the first stays)."""
        self._before_commit.setdefault(name, step)

    def run_before_commit(self) -> None:
        """The steps registered with `before_commit`, in order (the store calls it)."""
        while self._before_commit:
            name = next(iter(self._before_commit))
            self._before_commit.pop(name)()

    def _insert_later(self) -> None:
        """Inserts the queued rows, all of one statement as one batch, in queued order.

        The rows of different statements may interleave (an offer's message, then its
        event, for hundreds of offers): they are gathered by statement, since rows
        queued here go to tables that nothing else in the batch reads or refers to.
        """
        queued, self._later, self._later_tables = self._later, [], frozenset()
        batches: dict[Prepared, list[dict[str, Any]]] = {}
        for statement, values in queued:
            batches.setdefault(statement, []).append(values)
        for statement, batch in batches.items():
            statement.execute(self._connection, batch if len(batch) > 1 else batch[0])

    def track(self, record: RecordT) -> RecordT:
        """Remembers a record whose changes this transaction writes back."""
        self._records[type(record), record.id] = record
        record.report_changes_to(self._pending)
        return record

    def tracked(self, kind: type[RecordT], record_id: int) -> RecordT | None:
        """The record of that kind and id this transaction loaded last, its changes
        written (so it is the row as the database now holds it); None if none."""
        record = self._records.get((kind, record_id))
        if not isinstance(record, kind):  # None: not loaded here
            return None
        self.flush()
        return record

    def flush(self) -> None:
        """Writes the queued rows and every tracked record's changed columns."""
        if self._later:
            self._insert_later()
        self._write_back()

    def _write_back(self) -> None:
        """Writes every tracked record's changed columns (one UPDATE a changed record)."""
        changed = list(self._pending)
        self._pending.clear()  # cleared in place: the records hold this very list
        for record in changed:
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


@lru_cache(maxsize=256)
def _record_update(table: Table, names: frozenset[str]) -> Prepared:
    """`UPDATE table SET <names> WHERE id = :record_id`, built once per set of columns."""
    values = {name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names}
    return Prepared(update(table).where(table.c.id == bindparam("record_id")).values(values))
