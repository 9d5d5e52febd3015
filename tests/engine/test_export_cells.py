"""What the desk exports stays text: no spreadsheet formula, no Markdown link or HTML.

The class: text the desk was given (agents' names, brokerages, networks,
metros, e-mail addresses; referring parties' names) shown in a CSV a
spreadsheet opens or a Markdown document a renderer shows. A cell beginning
with `=`, `+`, `-` or `@` is written with a leading `'` (numbers and E.164
phones excepted) and `partners import` takes it off, so any roster exported
and imported again is the same roster; in Markdown every name reads as
exactly the characters it has.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from referral_desk.engine.desk import Desk
from referral_desk.engine.report.figures import Report, SourceCount
from referral_desk.engine.report.formats import to_csv, to_markdown
from referral_desk.engine.values.csv_cells import FORMULA_STARTS, cell_text, safe_cell
from tests.factories import AGENT_ROW, intake

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
HOSTILE_STARTS = ["=", "+", "-", "@", "'", "''", "'=", "''+", "=HYPERLINK(", "@SUM(", "-2+3"]
HOSTILE_PARTS = [
    '=HYPERLINK("http://evil","Click")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "[x](http://evil)",
    "![i](http://evil/i.png)",
    "<script>alert(1)</script>",
    "<http://evil>",
    "www.evil.com",
    "evil.com/x",
    "j@evil.com",
    "&lt;b&gt;",
    "**bold** _em_ `code` ~~gone~~ $x$",
    "| a | b |",
    "\\",
    "'",
    "Smith & Co.",
]
FORMULA_LIKE = re.compile(r"[+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?|\+[1-9][0-9]{1,14}")


def hostile_text(limit: int) -> st.SearchStrategy[str]:
    """Stripped, showable text that starts like a formula or holds markup, within `limit`."""
    words = st.lists(
        st.sampled_from(HOSTILE_PARTS) | st.text(st.characters(codec="utf-8"), max_size=8),
        max_size=3,
    )
    built = st.builds(
        lambda start, parts: start + " ".join(parts), st.sampled_from(HOSTILE_STARTS), words
    )
    return built.map(lambda text: " ".join(text.split())[:limit].strip()).filter(
        lambda text: text != "" and text.isprintable()
    )


def formula_cells(text: str) -> list[str]:
    """Every cell of a CSV a spreadsheet would run as a formula."""
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [c for c in cells if c[:1] in FORMULA_STARTS and not FORMULA_LIKE.fullmatch(c)]


# ------------------------------------------------------------------ the cell rule


@settings(max_examples=500)
@given(st.text() | st.builds(str.__add__, st.sampled_from(HOSTILE_STARTS), st.text()))
def test_a_cell_is_never_a_formula_and_reads_back_as_it_was(text: str) -> None:
    """For any text: the written cell starts with no formula character (unless it is a
    number or an E.164 phone, left as they are), and reading it gives the text back."""
    cell = safe_cell(text)
    assert cell_text(cell) == text
    if cell[:1] in FORMULA_STARTS:
        assert cell == text and FORMULA_LIKE.fullmatch(text)
    if text[:1] not in FORMULA_STARTS and not text.startswith("'"):
        assert cell == text, "plain text is written as it is"


@pytest.mark.parametrize("value", ["-5", "+3", "-0.25", "1e-5", "+15125550142", "0", "12480"])
def test_numbers_and_phones_stay_numbers(value: str) -> None:
    assert safe_cell(value) == value


# ------------------------------------------------------------------ the roster


@cache
def two_desks() -> tuple[Desk, Desk]:
    """An exporting and an importing desk in memory, shared by the examples (opening a
    desk costs far more than an example)."""
    return Desk.open("sqlite://", actor="test"), Desk.open("sqlite://", actor="test")


agents = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["P-1", "P-2", "P-3", "T-1"]),
        "name": hostile_text(200),
        "brokerage": hostile_text(200),
        "network": st.none() | hostile_text(100),
        "metros": st.lists(
            hostile_text(100).filter(lambda t: ";" not in t), min_size=1, max_size=2
        ),
        "email": st.sampled_from(
            ["", "=cmd@example.com", "+1@example.com", "-x@example.com", "a@example.com"]
        ),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(agents, min_size=1, max_size=3))
def test_a_hostile_roster_exports_and_imports_unchanged(drawn: list[dict[str, object]]) -> None:
    """Agents whose names, brokerages, networks, metros and e-mails start with `=`, `+`,
    `-`, `@` or quotes, or hold links: the export has no formula cell, and importing it
    gives exactly the same roster (the importing desk then exports the same file)."""
    source, target = two_desks()
    for values in drawn:
        metros = ";".join(values["metros"])  # type: ignore[arg-type]
        source.save_agent({**AGENT_ROW, **values, "metros": metros}, NOW)
    exported = source.export_roster()
    assert formula_cells(exported) == []
    target.import_roster(exported, NOW)
    assert [a.to_json() for a in target.agents()] == [a.to_json() for a in source.agents()]
    assert target.export_roster() == exported


def test_a_spreadsheet_sees_text_where_a_formula_was(tmp_path: Path) -> None:
    """The example of the issue, through the commands a VA runs: `=HYPERLINK(…)` and a
    `+`-brokerage go out quoted, a phone and the prices as they are, and come back equal."""
    from referral_desk.cli import main

    first, second = tmp_path / "first.db", tmp_path / "second.db"
    desk = Desk.open(str(first))
    desk.save_agent(
        {**AGENT_ROW, "name": '=HYPERLINK("http://evil","Dana")', "brokerage": "+Realty"}, NOW
    )
    desk.close()
    export = tmp_path / "roster.csv"
    assert main(["--db", str(first), "partners", "export", str(export)]) == 0
    [row] = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8"))))
    assert row["name"] == '\'=HYPERLINK("http://evil","Dana")'
    assert row["brokerage"] == "'+Realty"
    assert row["phone"] == "+15125550101" and row["price_min"] == "350000"
    assert main(["--db", str(second), "partners", "import", str(export)]) == 0
    other = Desk.open(str(second))
    try:
        [agent] = other.agents()
    finally:
        other.close()
    assert (agent.name, agent.brokerage) == ('=HYPERLINK("http://evil","Dana")', "+Realty")


# ------------------------------------------------------------------ the report


@pytest.fixture
def hostile_quarter(tmp_path: Path) -> Iterator[Report]:
    """A report on a desk whose referring parties have hostile names."""
    desk = Desk.open(str(tmp_path / "desk.db"))
    for name in ("=1+2", "@SUM(A1)", "-cmd", "+15125550142", "[x](http://evil) <script>"):
        desk.intake(intake(source__name=name, source__email="", client_first_name="A"), NOW)
    yield desk.report("2026-Q4", NOW)
    desk.close()


def test_no_report_csv_cell_is_a_formula(hostile_quarter: Report) -> None:
    """Sources named `=1+2`, `@SUM(A1)`, `-cmd`: each appears, quoted, and no cell of the
    report CSV starts with a formula character but numbers."""
    text = to_csv(hostile_quarter)
    assert formula_cells(text) == []
    keys = {key for section, key, _ in csv.reader(io.StringIO(text)) if section == "top_sources"}
    assert {"'=1+2", "'@SUM(A1)", "'-cmd", "+15125550142"} <= keys


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(hostile_text(200), min_size=1, max_size=4))
def test_any_source_name_stays_text_in_csv_and_markdown(
    hostile_quarter: Report, names: list[str]
) -> None:
    """Whatever the names: no formula cell in the CSV, and the Markdown, rendered with
    raw HTML and bare-address links on (markdown-it's GFM-like preset), has exactly the
    elements it has for plain names, with each name shown as its own text."""
    report = replace(hostile_quarter, top_sources=tuple(SourceCount(n, 1) for n in names))
    assert formula_cells(to_csv(report)) == []
    plain = replace(report, top_sources=tuple(SourceCount("Plain", 1) for _ in names))
    rendered = MarkdownIt("gfm-like").render(to_markdown(report))
    assert tags(rendered) == tags(MarkdownIt("gfm-like").render(to_markdown(plain)))
    table = rendered.split("<h2>Top sources</h2>")[1].split("<h2>")[0]
    shown = [html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", table)]
    assert shown == [" ".join(name.split()) for name in names]
    summary = re.search(r"the top source was (.*) \(1 referral\)", rendered)
    assert summary is not None and html.unescape(summary[1]) == " ".join(names[0].split())


def test_a_link_and_a_script_read_as_text(hostile_quarter: Report) -> None:
    """The issue's example: `[x](http://evil) <script>` is neither a link nor HTML."""
    rendered = MarkdownIt("gfm-like").render(to_markdown(hostile_quarter))
    assert "<a " not in rendered and "<script" not in rendered
    assert "[x](http://evil) &lt;script&gt;" in rendered


def tags(rendered: str) -> list[str]:
    """The HTML elements of a rendering, in order (attributes left out)."""
    return re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", rendered)
