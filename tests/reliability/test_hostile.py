"""Hostile input: whatever arrives, it is stored exactly as given or refused by name.

Intake JSON and roster CSV are generated with wrong types, huge and unicode
strings, SQL and terminal escape sequences, duplicate ids, byte-order marks and
odd line endings, and fed to `referral_desk.cli.main` in this process (a real
command line, thousands of times). Every run either succeeds and stores what
was given (text trimmed, as the contract says) or fails as bad input (exit 2),
nothing on stdout, nothing written, and one stderr line naming the field or the row —
never a traceback, never an "unexpected" error, never a raw escape character.
Each test runs on every backend (see `desk_url` in conftest).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.cli import entry as cli
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.people import ROSTER_COLUMNS
from referral_desk.engine.rules.text import shown_text
from referral_desk.engine.values.schemas import IntakeIn, SourceIn
from tests.factories import AGENT_ROW, intake

NOW = "2026-11-23T14:00:00Z"

SQL = [
    "'; DROP TABLE referral; --",
    "Robert'); DROP TABLE agent;--",
    "' OR '1'='1",
    "1); SELECT pg_sleep(10); --",
    "%_\\",
    '"quoted" and \\backslashed\\',
]
ESCAPES = [
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x9b31mred",
    "\x1b[31mred\x1b[0m",
    "bell\x07",
    "back\x08space",
    "del\x7f",
    "nul\x00byte",
]
UNICODE = [
    "Zoë",
    "Ñandú",
    "李小龙",
    "محمد",
    "עִבְרִית",
    "👩‍👩‍👧‍👦",
    "e\u0301",
    "\u202eevil\u202c",
    "zero\u200bwidth",
    "\ufeffbom inside",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "line\nbreak",
    "tab\there",
    "crlf\r\nend",
    "  padded  ",
    "",
    " ",
]

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(SQL + ESCAPES + UNICODE),
    st.builds(
        lambda piece, count: piece * count,
        st.sampled_from(["a", "é", "😀", "x "]),
        st.sampled_from([99, 100, 101, 199, 200, 201, 499, 500, 501, 4999, 5000, 5001, 20_000]),
    ),
)
wrong_types = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
hostile_values = st.one_of(texts, texts, wrong_types)

INTAKE_KEYS = sorted(set(IntakeIn.model_fields) - {"source"})
SOURCE_KEYS = sorted(SourceIn.model_fields)
KNOWN_KEYS = {*INTAKE_KEYS, "source", *(f"source.{key}" for key in SOURCE_KEYS), "input", "file"}
TRIMMED_TEXT = {
    "client_first_name": ("client", "first_name"),
    "client_last_name": ("client", "last_name"),
    "metro": ("metro",),
    "timeline": ("timeline",),
    "notes": ("notes",),
}
"""Intake keys stored as given (trimmed; CR LF in notes as a newline), and where
`show --json` has them."""

HOSTILE_KEYS = ["colour", "\x1b[31mred", "'; DROP TABLE referral; --", "client_first_name ", ""]

EXAMPLES = {"sqlite": 300, "postgresql": 100}
"""Examples per property and backend: about a minute in all on a 2-core CI machine."""


def examples_for(url: str) -> settings:
    """Hypothesis settings for a desk at this URL (PostgreSQL runs fewer: it has the same code)."""
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    return settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@dataclass
class Run:
    """What one in-process command did."""

    code: int
    out: str
    err: str

    def check_clean_failure(self, allowed: Callable[[str], bool]) -> None:
        """Exit 2 (bad input), nothing on stdout, one stderr line, each problem naming an
        allowed key."""
        assert self.code == 2, (self.code, self.err)
        assert self.out == ""
        lines = self.err.splitlines()
        assert len(lines) == 1, lines
        line = lines[0]
        assert "Traceback" not in line and "unexpected" not in line, line
        assert all(ch.isprintable() for ch in line), f"raw control character in {line!r}"
        # Problems are joined by "; ", which a hostile key may hold too: the first
        # problem must name a key; the others follow it on the same line.
        key = line.split(": ", 1)[0]
        assert allowed(key) or any(
            line.startswith(f"{known}: ") for known in ALLOWED_KEYS if known
        ), f"{key!r} is not a field of the input: {line!r}"


def as_printed(key: str) -> str:
    """A key as the one-line error shows it: whitespace collapsed, controls escaped."""
    return shown_text(" ".join(key.split()))


ALLOWED_KEYS = {as_printed(key) for key in (*KNOWN_KEYS, *HOSTILE_KEYS)} | {"client_first_name "}


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """`referral-desk ARGS…` in this process; the parser is built once (it costs 50 ms)."""
    monkeypatch.setattr(cli, "build_parser", functools.cache(cli.build_parser))

    def run(*arguments: str | Path) -> Run:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main([str(argument) for argument in arguments])
        assert isinstance(code, int)
        return Run(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def hostile_desk(
    desk_url: str, run_cli: Callable[..., Run], tmp_path: Path
) -> Iterator[tuple[str, Desk]]:
    """A desk with one agent covering Austin, and a handle to read it between runs.

    One agent keeps routing (which other suites test) from dominating the time.
    """
    roster = "id,name,metros,price_max,capacity\nP-ONE,Dana Whitfield,Austin,900000,1000\n"
    csv_file = tmp_path / "one-agent.csv"
    csv_file.write_text(roster, encoding="utf-8")
    assert run_cli("--db", desk_url, "partners", "import", csv_file).code == 0
    desk = Desk.open(desk_url)
    yield desk_url, desk
    desk.close()


# ------------------------------------------------------------------ intake JSON


def changes(keys: list[str], values: st.SearchStrategy[Any], most: int) -> Any:
    """Up to `most` of these keys, each with a drawn value."""
    return st.dictionaries(st.sampled_from(keys), values, max_size=most)


@st.composite
def intake_files(draw: st.DrawFn) -> tuple[bytes, list[dict[str, Any]] | None]:
    """Intake file bytes, and the objects in it when it is well-formed JSON."""
    items = []
    for _ in range(draw(st.integers(1, 2))):
        payload = intake()
        payload.update(draw(changes(INTAKE_KEYS, hostile_values, 3)))
        payload["source"].update(draw(changes(SOURCE_KEYS, hostile_values, 2)))
        for key in draw(st.sets(st.sampled_from([*INTAKE_KEYS, "source"]), max_size=2)):
            payload.pop(key, None)
        payload.update(draw(changes(HOSTILE_KEYS, texts, 1)))
        if draw(st.booleans()):
            payload["received_at"] = NOW
        items.append(payload)
    document: Any = items if len(items) > 1 or draw(st.booleans()) else items[0]
    text = json.dumps(
        document, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))
    )
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    data = original = text.encode("utf-8")
    damage = draw(
        st.sampled_from(["none"] * 6 + ["bom", "surrogate", "latin1", "truncated", "deep"])
    )
    if damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "surrogate":
        data = data.replace(b'"Maria"', b'"Ma\\ud800ria"').replace(b'"Austin"', b'"\\udfffAustin"')
    elif damage == "latin1":
        data = data.replace(b"Lopez", "López".encode("latin-1"))
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "deep":
        data = b"[" * 100_000 + b"]" * 100_000
    # A damage that found nothing to damage (no "Lopez" once client_last_name was dropped)
    # leaves the file as well-formed as it was.
    parsed = items if damage in ("none", "bom") or data == original else None
    if parsed is not None and not isinstance(document, list):
        parsed = [document]
    return data, parsed


def _stored_text(view: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        view = view[part]
    return view


def test_hostile_intake_is_stored_as_given_or_refused_by_name(
    hostile_desk: tuple[str, Desk], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    """Any intake file: stored exactly as given (trimmed), or refused naming the field."""

    @examples_for(hostile_desk[0])
    @given(case=intake_files())
    def check(case: Any) -> None:
        check_intake(hostile_desk, run_cli, tmp_path, case)

    check()


def check_intake(
    hostile_desk: tuple[str, Desk], run_cli: Callable[..., Run], tmp_path: Path, case: Any
) -> None:
    """One intake file through the real command, and what must follow."""
    url, desk = hostile_desk
    data, items = case
    path = tmp_path / "hostile.json"
    path.write_bytes(data)
    revision = desk.revision()
    result = run_cli("--db", url, "--now", NOW, "intake", path, "--json")
    if result.code != 0:
        result.check_clean_failure(lambda key: key in ALLOWED_KEYS)
        assert desk.revision() == revision, "a refused intake wrote something"
        return
    assert items is not None, f"damaged input was accepted: {data[:80]!r}"
    printed = result.out and json.loads(result.out)
    views = printed if isinstance(printed, list) else [printed]
    assert len(views) == len(items)
    for given_item, view in zip(items, views, strict=True):
        for key, where in TRIMMED_TEXT.items():
            if isinstance(given_item.get(key), str):
                given_text = given_item[key]
                if key == "notes":  # multi-line: a Windows line end is stored as a newline
                    given_text = given_text.replace("\r\n", "\n")
                assert _stored_text(view, where) == given_text.strip()
        name = given_item["source"]["name"]
        assert " ".join(view["source"]["name"].casefold().split()) == " ".join(
            name.casefold().split()
        )
        shown = run_cli("--db", url, "--now", NOW, "show", view["id"], "--json")
        assert shown.code == 0, shown.err
        assert json.loads(shown.out) == view, "what was stored is not what intake printed"


# ------------------------------------------------------------------ roster CSV

ROSTER_IDS = ["P-HOST-1", "P-HOST-2", "p-host-1", "P-HOST-1 "]
cell_values = st.one_of(
    texts,
    st.sampled_from(
        ["abc", "-1", "1e3", "0x10", "yes", "TRUE", "2026-13-45", "1000000000000", "∞"]
    ),
)


@st.composite
def roster_files(draw: st.DrawFn) -> bytes:
    """Roster CSV bytes: hostile cells, repeated ids, BOMs, any line ending."""
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        row = dict(AGENT_ROW, id=draw(st.sampled_from(ROSTER_IDS)))
        row.update(draw(changes(list(ROSTER_COLUMNS), cell_values, 3)))
        rows.append(row)
    header = list(AGENT_ROW)
    if draw(st.booleans()):
        header = [
            draw(st.sampled_from([column, column.upper(), f" {column} "])) for column in header
        ]
    if draw(st.integers(0, 9)) == 0:
        header.append(draw(st.sampled_from(["colour", "\x1b[2J", "name"])))
    buffer = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    writer = csv.writer(buffer, quoting=quoting, lineterminator=ending)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column.strip().lower(), "") for column in header])
    if draw(st.booleans()):
        buffer.write(ending * draw(st.integers(1, 3)))
    data = buffer.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data


def test_hostile_roster_is_imported_as_given_or_refused_by_row(
    hostile_desk: tuple[str, Desk], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    """Any roster CSV: every agent stored as given (trimmed), or nothing, naming row and field."""

    @examples_for(hostile_desk[0])
    @given(data=roster_files())
    def check(data: bytes) -> None:
        check_roster(hostile_desk, run_cli, tmp_path, data)

    check()


def check_roster(
    hostile_desk: tuple[str, Desk], run_cli: Callable[..., Run], tmp_path: Path, data: bytes
) -> None:
    """One roster file through the real command, and what must follow."""
    url, desk = hostile_desk
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    revision = desk.revision()
    result = run_cli("--db", url, "partners", "import", path, "--json")
    if result.code != 0:
        result.check_clean_failure(
            lambda key: key.startswith("row ") or key in ("header", "file", "input")
        )
        assert desk.revision() == revision, "a refused import wrote something"
        return
    listing = run_cli("--db", url, "partners", "list", "--json")
    listed = {agent["id"]: agent for agent in json.loads(listing.out)}
    text = data.decode("utf-8").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in next(reader)]
    for record in reader:
        cells = {column: value.strip() for column, value in zip(header, record, strict=False)}
        if not any(cells.values()):
            continue
        agent = listed[cells["id"]]
        assert agent["name"] == cells["name"]
        assert agent["brokerage"] == cells.get("brokerage", "")
        assert agent["metros"] == ";".join(
            part.strip() for part in cells["metros"].split(";") if part.strip()
        )


HEAD = "id,name,metros,price_max\r\n"


@pytest.mark.parametrize(
    ("text", "starts_with"),
    [
        pytest.param("id,name\n", "header: missing", id="no-required-columns"),
        pytest.param(f"\ufeff{HEAD}\ufeff{HEAD}P-1,A,Austin,5\n", "row 2: id:", id="two-files"),
        pytest.param(f"{HEAD}P-1,A\x1b[2J,Austin,5\n", "row 2: name:", id="escape"),
        pytest.param(f"{HEAD}P-1,A,Austin,5\nP-1,B,Austin,5\n", "row 3: id:", id="duplicate-id"),
        pytest.param(
            f'{HEAD}P-1,"A\r\nB",Austin,abc\r\n',
            "row 2: name: must be a single line (line break U+000D); row 2: price_max:",
            id="crlf",
        ),
        pytest.param(f"{HEAD}P-1,A,Austin,5,6\n", "row 2:", id="extra-cell"),
    ],
)
def test_known_hostile_rosters_are_refused_by_row(
    hostile_desk: tuple[str, Desk],
    run_cli: Callable[..., Run],
    tmp_path: Path,
    text: str,
    starts_with: str,
) -> None:
    """Hand-picked rosters that must be refused, each naming the header or the row."""
    url, desk = hostile_desk
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode("utf-8"))
    revision = desk.revision()
    result = run_cli("--db", url, "partners", "import", path)
    result.check_clean_failure(lambda key: True)
    assert result.err.startswith(starts_with), result.err
    assert desk.revision() == revision


def test_invalid_utf8_on_stdin_is_refused(
    hostile_desk: tuple[str, Desk], monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Run]
) -> None:
    """Bytes that are not UTF-8 on stdin are refused as `input:`, not a crash."""
    url, _desk = hostile_desk
    stdin = io.TextIOWrapper(io.BytesIO(b'{"client_first_name": "\xff"}'), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    result = run_cli("--db", url, "intake", "-")
    result.check_clean_failure(lambda key: key == "input")


def test_every_text_at_its_longest_is_stored_on_every_backend(
    run_cli: Callable[..., Run], desk_url: str, tmp_path: Path
) -> None:
    """Texts at exactly their limits fit their columns (PostgreSQL enforces widths SQLite
    ignores), through routing, the outbox and an answer; one more character is refused."""
    metro = "M" * 100
    agent = dict(
        AGENT_ROW,
        id="P-" + "9" * 62,
        name="N" * 200,
        brokerage="B" * 200,
        metros=metro,
        zips="",
        network="W" * 100,
        on_duty="mon-sun 00:00-24:00",
    )
    csv_file = tmp_path / "longest.csv"
    csv_file.write_text(",".join(agent) + "\n" + ",".join(agent.values()) + "\n", "utf-8")
    assert run_cli("--db", desk_url, "partners", "import", csv_file).code == 0
    payload = intake(
        client_first_name="F" * 100,
        client_last_name="L" * 100,
        metro=metro,
        zip=None,
        timeline="T" * 500,
        notes="N" * 5000,
        source__name="S" * 200,
        source__brokerage="B" * 200,
    )
    path = tmp_path / "longest.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    stored = run_cli("--db", desk_url, "--now", NOW, "intake", path, "--json")
    assert stored.code == 0, stored.err
    view = json.loads(stored.out)
    assert (view["client"]["first_name"], view["notes"]) == ("F" * 100, "N" * 5000)
    [offer] = view["offers"]
    answer = ["--db", desk_url, "--now", NOW, "respond", view["id"], "--agent", offer["agent_id"]]
    too_long = run_cli(*answer, "decline", "--reason", "R" * 501)
    too_long.check_clean_failure(lambda key: key == "reason")
    declined = run_cli(*answer, "decline", "--reason", "R" * 500, "--json")
    assert declined.code == 0, declined.err
    assert run_cli("--db", desk_url, "--now", NOW, "outbox", "--json").code == 0
