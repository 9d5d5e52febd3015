"""Statements built once and executed on the database driver directly.

SQLAlchemy Core spends about 60 µs of Python on every statement it executes
(an execution context, parameter and result processing, event dispatch) even
when its compiled form is cached; on SQLite that is several times what the
database takes to answer the desk's small indexed queries, and it was half of
a simulated run (README, Performance). A `Prepared` statement keeps what that
work produces instead: compiled once per dialect (and, for INSERT and UPDATE,
per set of parameter names), it remembers the SQL text, the order of its
parameters, and the type processors of its parameters and result columns. To
run, it converts the values exactly as SQLAlchemy would (`UTCDateTime`,
`ExactDecimal`, SQLite's date text) and hands them to the driver's cursor in
the transaction SQLAlchemy began, then wraps the fetched rows as named tuples.

Anything it does not reproduce goes through SQLAlchemy as usual: Python-side
column defaults an INSERT leaves to be filled, parameters computed by
callables, and escaped parameter names. Driver errors become SQLAlchemy's own
exception classes, so callers see no difference. The compiler attributes it
reads (`positiontup`, `bind_names`, `_result_columns`) are SQLAlchemy 2.1's,
which is why the project pins SQLAlchemy exactly; the prepared-statement tests
run every statement kind on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, InvalidRequestError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import ClauseElement

__all__ = ["Prepared", "PreparedResult", "as_sqlalchemy_error"]

Processor = Callable[[Any], Any]
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class PreparedResult:
    """The rows (or the row count) of one execution, with the `Result` methods the desk uses."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount
        """Rows an UPDATE or DELETE changed (as the driver reports it)."""

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any | None:
        return self._rows[0] if self._rows else None

    def one_or_none(self) -> Any | None:
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        return self.one_or_none()

    def scalar(self) -> Any | None:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any | None:
        row = self.one_or_none()
        return None if row is None else row[0]

    def scalars(self) -> _Scalars:
        return _Scalars([row[0] for row in self._rows])


class _Scalars(list[Any]):
    """The first column of every row (`result.scalars()`), as a list."""

    def all(self) -> list[Any]:
        return list(self)


class _Plan:
    """What executing a statement on one dialect needs, worked out once."""

    __slots__ = (
        "compiled",
        "expanding",
        "fixed",
        "lists",
        "names",
        "processors",
        "results",
        "row",
        "shapes",
        "sql",
    )

    def __init__(self, compiled: SQLCompiler, dialect: Dialect) -> None:
        self.compiled = compiled
        self.sql = compiled.string
        self.expanding = bool(compiled.post_compile_params or compiled.literal_execute_params)
        self.lists: tuple[str, ...] | None = None
        """The IN-list parameters, when the SQL depends only on how many values each holds."""
        if self.expanding and not compiled.literal_execute_params:
            post = compiled.post_compile_params
            if all(parameter.expanding for parameter in post):
                self.lists = tuple(sorted({compiled.bind_names[parameter] for parameter in post}))
        self.shapes: dict[tuple[int, ...], _Expansion] = {}
        self.names: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if compiled.positiontup is not None else None
        )
        self.fixed: dict[str, Any] = {}
        """Values the statement carries itself (`status == 'offered'`)."""
        self.processors: dict[str, Processor] = {}
        for parameter, name in compiled.bind_names.items():
            if not parameter.required:
                self.fixed[name] = parameter.effective_value
            processor = parameter.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor
        columns = compiled._result_columns
        self.row: type[tuple[Any, ...]] | None = None
        if columns:
            self.row = namedtuple("Row", [entry.keyname for entry in columns], rename=True)  # type: ignore[misc]
        self.results: tuple[tuple[int, Processor], ...] | None = None
        """Result processors, worked out at the first execution from the driver's column
        types (PostgreSQL's numeric processors depend on them), as SQLAlchemy does."""

    def result_processors(
        self, dialect: Dialect, description: Sequence[Sequence[Any]]
    ) -> tuple[tuple[int, Processor], ...]:
        if self.results is None:
            results = []
            columns = self.compiled._result_columns
            for index, (entry, described) in enumerate(zip(columns, description, strict=True)):
                implementation = entry.type.dialect_impl(dialect)
                processor = implementation.result_processor(dialect, described[1])
                if processor is not None:
                    results.append((index, processor))
            self.results = tuple(results)
        return self.results

    def values(self, given: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and the driver's parameters (a tuple, or a dict for named styles)."""
        if self.expanding:
            return self._expanded(given)
        return self.sql, _for_driver({**self.fixed, **given}, self.processors, self.names)

    def _expanded(self, given: Mapping[str, Any]) -> tuple[str, Any]:
        """IN lists: SQLAlchemy renders the statement once for each count of values."""
        if self.lists is None:
            return self._expanded_now(given)
        merged = {**self.fixed, **given}
        try:
            shape = tuple(len(merged[name]) for name in self.lists)
        except (KeyError, TypeError):
            return self._expanded_now(given)
        expansion = self.shapes.get(shape)
        if expansion is None:
            expansion = self.shapes[shape] = _Expansion(self.compiled, given)
        return expansion.values(merged)

    def _expanded_now(self, given: Mapping[str, Any]) -> tuple[str, Any]:
        """Rendered for these very values (literal values in the SQL): nothing to keep."""
        return _Expansion(self.compiled, given).rendered()

    def rows(self, fetched: Sequence[Any], results: tuple[tuple[int, Processor], ...]) -> list[Any]:
        """Fetched tuples as named rows, each value converted to its column's type."""
        make = self.row._make  # type: ignore[union-attr]
        if not results:
            return [make(row) for row in fetched]
        converted = []
        for row in fetched:
            values = list(row)
            for index, processor in results:
                values[index] = processor(values[index])
            converted.append(make(values))
        return converted


class _Expansion:
    """A statement with IN lists rendered for one count of values per list."""

    __slots__ = ("expansion", "names", "parameters", "processors", "sql")

    def __init__(self, compiled: SQLCompiler, given: Mapping[str, Any]) -> None:
        state = compiled.construct_expanded_state(dict(given))
        self.sql = state.statement
        self.parameters = state.parameters
        """The values of the parameter set it was rendered for, expanded."""
        self.names = tuple(state.positiontup) if state.positiontup is not None else None
        self.expansion = {name: tuple(names) for name, names in state.parameter_expansion.items()}
        self.processors = {
            name: processor
            for name, processor in state.processors.items()
            if not isinstance(processor, tuple)
        }

    def rendered(self) -> tuple[str, Any]:
        """The SQL and the driver's parameters for the values it was rendered for."""
        return self.sql, _for_driver(dict(self.parameters), self.processors, self.names)

    def values(self, merged: dict[str, Any]) -> tuple[str, Any]:
        """The SQL and the driver's parameters, from the statement's and the caller's values."""
        for name, expanded in self.expansion.items():
            merged.update(zip(expanded, merged.pop(name), strict=True))
        return self.sql, _for_driver(merged, self.processors, self.names)


def _for_driver(
    merged: dict[str, Any], processors: Mapping[str, Processor], names: tuple[str, ...] | None
) -> Any:
    """Values converted for the database, as a tuple in `names` order (positional
    styles) or as the dict itself (named styles)."""
    for name, processor in processors.items():
        if name in merged:
            merged[name] = processor(merged[name])
    if names is None:
        return merged
    try:
        return tuple([merged[name] for name in names])
    except KeyError as missing:
        raise InvalidRequestError(
            f"A value is required for bind parameter {missing.args[0]!r}"
        ) from None


class Prepared:
    """A statement built once, executed on the driver (see the module's docstring)."""

    __slots__ = ("_keyed", "_plans", "_tables", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        """The SQLAlchemy statement; SQLAlchemy runs it itself where a plan cannot."""
        self._plans: dict[tuple[Any, ...], _Plan | None] = {}
        self._tables: frozenset[Table] | None = None
        self._keyed = isinstance(statement, UpdateBase)
        """INSERT and UPDATE compile per set of parameter names (the columns they set)."""

    @property
    def tables(self) -> frozenset[Table]:
        """Every table the statement names (subqueries included), found once."""
        if self._tables is None:
            self._tables = frozenset(
                element
                for element in visitors.iterate(self.statement)
                if isinstance(element, Table)
            )
        return self._tables

    def _plan(self, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
        key = (type(dialect), dialect.server_version_info, dialect.paramstyle, keys)
        try:
            return self._plans[key]
        except KeyError:
            pass
        compiled = self.statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
        plan = None
        if _plannable(compiled):
            plan = _Plan(compiled, dialect)  # type: ignore[arg-type]  # a SQLCompiler
        self._plans[key] = plan
        return plan

    def execute(self, connection: Connection, parameters: Parameters = None) -> Any:
        """Runs the statement in the connection's transaction (one dict, or a list for many)."""
        many = isinstance(parameters, (list, tuple))  # a tuple of types: no union built per call
        first: Mapping[str, Any] = (parameters[0] if many else parameters) or {}  # type: ignore[index,assignment]
        plan = self._plan(connection.dialect, tuple(sorted(first)) if self._keyed else ())
        if plan is None or (many and (plan.expanding or plan.row is not None)):
            return connection.execute(self.statement, parameters)  # type: ignore[call-overload]
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        sql: str | None = plan.sql
        driver_values: Any = None
        try:
            if many:
                batch = [plan.values(item)[1] for item in parameters]  # type: ignore[arg-type,union-attr]
                driver_values = batch
                cursor.executemany(plan.sql, batch)
                return PreparedResult([], cursor.rowcount)
            sql, driver_values = plan.values(first)
            cursor.execute(sql, driver_values)
            rows: list[Any] = []
            if plan.row is not None:
                fetched = cursor.fetchall()
                results = plan.result_processors(connection.dialect, cursor.description)
                rows = plan.rows(fetched, results)
            return PreparedResult(rows, cursor.rowcount)
        except connection.dialect.loaded_dbapi.Error as error:
            raise as_sqlalchemy_error(connection.dialect, error, sql, driver_values) from error
        finally:
            cursor.close()


def as_sqlalchemy_error(
    dialect: Dialect, error: Exception, sql: str | None, values: Any
) -> Exception:
    """A driver's error as SQLAlchemy would raise it (`OperationalError`, `IntegrityError`, …),
    so callers that map SQLAlchemy's errors (busy, refused values) see no difference."""
    return DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error, dialect=dialect)


def _plannable(compiled: Any) -> bool:
    """Whether executing on the driver would do exactly what SQLAlchemy does."""
    if getattr(compiled, "insert_prefetch", ()) or getattr(compiled, "update_prefetch", ()):
        return False  # Python-side defaults to fill in: SQLAlchemy's job
    if getattr(compiled, "escaped_bind_names", None):
        return False
    for parameter, name in compiled.bind_names.items():
        if parameter.callable is not None:
            return False
        if not parameter.unique and parameter.key != name:
            return False
    return True
