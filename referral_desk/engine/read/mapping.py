"""The one way a row becomes a view, and a view becomes the contract's JSON.

A view's fields are its shape, stated once on the dataclass: `view_of` fills each
from the row's column of the same name, and `json_of` writes each under its own
name, so neither restates the field list. What differs from the row or from the
plain JSON form (a formatted id, a split list, money as text) is given by name.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from ..rules.timefmt import iso

__all__ = ["json_of", "view_of"]

ViewT = TypeVar("ViewT")


def view_of(kind: type[ViewT], row: Any, **given: Any) -> ViewT:
    """A `kind` view of `row`: every field from the column of its name, unless given here."""
    names, read = _reader(kind, frozenset(given))
    values = read(row)
    if len(names) == 1:
        values = (values,)
    return kind(**dict(zip(names, values, strict=True)), **given)


def json_of(view: Any, **given: Any) -> dict[str, Any]:
    """The view's fields in order as JSON values (times ISO-8601 UTC, dates ISO, decimals
    as text), each replaced by the value given under its name."""
    document: dict[str, Any] = {}
    for name in _field_names(type(view)):
        document[name] = given[name] if name in given else _json_value(getattr(view, name))
    return document


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}
_READERS: dict[tuple[type[Any], frozenset[str]], tuple[tuple[str, ...], attrgetter[Any]]] = {}


def _field_names(kind: type[Any]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(field.name for field in fields(kind))
    return names


def _reader(kind: type[Any], given: frozenset[str]) -> tuple[tuple[str, ...], attrgetter[Any]]:
    """The fields read from the row (those not given) and one getter for all of them,
    worked out once per view and call site: views are built after every write."""
    reader = _READERS.get((kind, given))
    if reader is None:
        names = tuple(name for name in _field_names(kind) if name not in given)
        reader = _READERS[(kind, given)] = (names, attrgetter(*names))
    return reader
