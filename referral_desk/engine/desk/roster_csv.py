"""Roster CSV in and out, exactly the contract's columns.

Import is all-or-nothing: every row is validated before anything is written,
and the error names every bad row (`row 7: email: …`). Rows are numbered as a
spreadsheet shows them: the header is row 1, the first agent row 2.

Cells a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`) are
written with a leading `'` and read back without it (`rules/csv_cells.py`), so
an export is safe to open in a spreadsheet and imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator

from ..read.people import ROSTER_COLUMNS, AgentView
from ..rules.errors import InvalidInput, echo
from ..rules.text import text_problem
from ..values.csv_cells import cell_text, safe_cell
from ..values.schemas import AgentIn, parse_agent

REQUIRED_COLUMNS = ("id", "name", "metros", "price_max")


def read_roster_csv(text: str) -> list[AgentIn]:
    """Parses and validates a roster file; raises `InvalidInput` naming every bad row."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InvalidInput(["file: is empty (expected a header row, then one agent a row)"])
    # A plain reader, not DictReader: DictReader skips blank lines without counting
    # them, which would shift every later row number away from the spreadsheet's.
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in _next_record(reader, "header") or []]
    _check_header(header)
    agents: list[AgentIn] = []
    problems: list[str] = []
    first_row_of: dict[str, int] = {}
    for number in itertools.count(2):
        record = _next_record(reader, f"row {number}")
        if record is None:
            break
        if len(record) > len(header):
            problems.append(f"row {number}: has more cells than the header")
            continue
        cells = {
            key: cell_text(_trimmed(value)) for key, value in zip(header, record, strict=False)
        }
        if not any(cells.values()):
            continue
        cells = {
            key: value for key, value in cells.items() if value != "" or key in REQUIRED_COLUMNS
        }
        try:
            agent = parse_agent(cells, prefix=f"row {number}: ")
        except InvalidInput as error:
            problems.extend(error.problems)
            continue
        if agent.id in first_row_of:
            problems.append(f"row {number}: id: {agent.id} repeats row {first_row_of[agent.id]}")
            continue
        first_row_of[agent.id] = number
        agents.append(agent)
    if problems:
        raise InvalidInput(problems)
    if not agents:
        raise InvalidInput(["file: has a header but no agent rows"])
    return agents


def _trimmed(cell: str) -> str:
    """A cell without its surrounding spaces; a cell the free-text rule refuses stays
    whole, for its field to refuse by name (trimming would quietly drop a trailing
    line break or control character, and store what the file did not say)."""
    return cell if text_problem(cell) else cell.strip()


def _next_record(reader: Iterator[list[str]], where: str) -> list[str] | None:
    """The next record, or None at the end; a record the csv module cannot read (a cell
    past its 131,072-character limit, a NUL) is refused naming the row."""
    try:
        return next(reader, None)
    except csv.Error as error:
        raise InvalidInput([f"{where}: not a CSV row the desk can read ({error})"]) from None


def _check_header(header: list[str]) -> None:
    unknown = [column for column in header if column not in ROSTER_COLUMNS]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    problems = []
    if unknown:
        problems.append(f"header: unknown column(s) {', '.join(echo(c) for c in unknown)}")
    if missing:
        problems.append(f"header: missing column(s) {', '.join(missing)}")
    if duplicated:
        problems.append(f"header: repeated column(s) {', '.join(duplicated)}")
    if problems:
        raise InvalidInput(problems)


def write_roster_csv(agents: Iterable[AgentView]) -> str:
    """The roster as CSV with the import columns, so an export imports back unchanged;
    no cell is a formula to a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROSTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for agent in agents:
        writer.writerow({key: safe_cell(value) for key, value in agent.csv_row().items()})
    return buffer.getvalue()
