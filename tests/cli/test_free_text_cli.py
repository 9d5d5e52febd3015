"""Free text through the real commands: refused by name, and printed safely.

Every command that takes free text is run (in this process, `main([...])`)
with text holding escape sequences, control characters, line breaks and
bidi overrides: each must exit 2 with one stderr line naming the field, print
nothing, and leave the desk's revision where it was. Then a desk whose rows
already hold such text (written with plain SQL, as an older desk may have
stored it) is shown by every text and JSON output: no raw ESC, CR or other
control character reaches the terminal, a record stays one line, and JSON
still carries the stored text exactly.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.engine.desk import Desk
from referral_desk.engine.values.settings import SETTING_KEYS
from tests.cli.conftest import Run
from tests.conftest import ROSTER_CSV
from tests.factories import AGENT_ROW, intake

NOW = "2026-11-23T14:00:00Z"

UGLY = [
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x9b31m",
    "\x1b[31mred\x1b[0m",
    "\x07",
    "\x08",
    "\x7f",
    "\x00",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200f",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\x85",
]
"""Refused in every field."""
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\t"]
"""Refused in single-line fields only (a lone `\\r` is refused in notes too)."""
letters = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=8)
"""Text around the bad part; starting with a letter, argparse never takes it for an option."""


def _hostile(bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda a, ugly, b: f"{a}{ugly}{b}", letters, bad, st.text(max_size=6))


any_control = st.characters(categories=["Cc"])
one_line_bad = _hostile(st.sampled_from(UGLY + BREAKS) | any_control)
many_lines_bad = _hostile(st.sampled_from(UGLY) | any_control.filter(lambda ch: ch not in "\n\t\r"))


def examples(count: int) -> settings:
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@pytest.fixture
def working_desk(
    desk_url: str, run_cli: Callable[..., Run], tmp_path: Path
) -> Iterator[tuple[str, Desk]]:
    """The demo roster, Maria's referral offered to P-ATX-01, one open flag (F-000001)."""
    maria = tmp_path / "maria.json"
    maria.write_text(json.dumps(intake()), encoding="utf-8")
    steps = [
        ("partners", "import", ROSTER_CSV),
        ("intake", maria),
        ("flags", "raise", "status_inquiry", "--referral", "R-000001", "--detail", "asked"),
    ]
    for step in steps:
        done = run_cli("--db", desk_url, "--now", NOW, *step)
        assert done.code == 0, done.err
    desk = Desk.open(desk_url)
    yield desk_url, desk
    desk.close()


# ------------------------------------------------------------ refused by name

COMMANDS: dict[str, tuple[str, bool, Callable[[str], list[str]]]] = {
    "respond --reason": (
        "reason",
        False,
        lambda text: ["respond", "R-000001", "--agent", "P-ATX-01", "decline", f"--reason={text}"],
    ),
    "status --reason": (
        "reason",
        False,
        lambda text: ["status", "R-000001", "lost", "--reason", text],
    ),
    "flags raise --detail": (
        "detail",
        True,
        lambda text: [
            "flags",
            "raise",
            "status_inquiry",
            "--referral",
            "R-000001",
            "--detail",
            text,
        ],
    ),
    "flags resolve --note": (
        "note",
        True,
        lambda text: ["flags", "resolve", "F-000001", "--note", text],
    ),
    "fee log --agreed-by": (
        "agreed_by",
        False,
        lambda text: ["fee", "R-000001", "log", "--direction", "receivable", "--agreed-by", text],
    ),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_free_text_options_refuse_controls_and_breaks(
    working_desk: tuple[str, Desk], run_cli: Callable[..., Run], command: str
) -> None:
    """A reason, a detail, a note or a name with an escape sequence, a control character or
    (on one line) a line break: exit 2 naming the option's field, nothing written."""
    url, desk = working_desk
    field, multiline, arguments = COMMANDS[command]

    @examples(40)
    @given(text=many_lines_bad if multiline else one_line_bad)
    def check(text: str) -> None:
        revision = desk.revision()
        run_cli("--db", url, "--now", NOW, *arguments(text)).refused_naming(field)
        assert desk.revision() == revision, "a refused command wrote something"

    check()


def test_every_setting_refuses_controls_and_breaks(
    working_desk: tuple[str, Desk], run_cli: Callable[..., Run]
) -> None:
    """`settings set KEY VALUE`: every setting is one line of text (agent_name signs the
    thank-you drafts, smtp_from becomes a header), refused naming the key."""
    url, desk = working_desk

    @examples(80)
    @given(key=st.sampled_from(SETTING_KEYS), text=one_line_bad)
    def check(key: str, text: str) -> None:
        revision = desk.revision()
        run_cli("--db", url, "settings", "set", key, text).refused_naming(key)
        assert desk.revision() == revision

    check()


INTAKE_TEXT = [
    "client_first_name",
    "client_last_name",
    "client_email",
    "client_phone",
    "side",
    "metro",
    "zip",
    "property_type",
    "timeline",
    "source.name",
    "source.type",
    "source.email",
    "source.brokerage",
    "source.gift_policy",
    "mode",
    "agent_id",
    "network",
]
"""Every string field of an intake but the notes (multi-line) and the time."""


def test_every_intake_text_field_refuses_controls_and_breaks(
    working_desk: tuple[str, Desk], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    """An intake with one hostile field is refused naming it (notes keep their lines)."""
    url, desk = working_desk
    path = tmp_path / "hostile.json"

    @examples(120)
    @given(
        case=st.one_of(
            st.tuples(st.sampled_from(INTAKE_TEXT), one_line_bad),
            st.tuples(st.just("notes"), many_lines_bad),
        )
    )
    def check(case: tuple[str, str]) -> None:
        field, text = case
        payload = intake(**{field.replace(".", "__"): text})
        path.write_text(json.dumps(payload), encoding="utf-8")  # lone surrogates as \ud800
        revision = desk.revision()
        run_cli("--db", url, "--now", NOW, "intake", path).refused_naming(field)
        assert desk.revision() == revision

    check()


ROSTER_TEXT = ["id", "name", "brokerage", "email", "phone", "metros", "zips", "on_duty", "network"]


def test_every_roster_text_cell_refuses_controls_and_breaks(
    working_desk: tuple[str, Desk], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    """A roster CSV with one hostile cell is refused naming its row and column."""
    url, desk = working_desk
    path = tmp_path / "hostile.csv"
    no_surrogates = one_line_bad.filter(
        lambda text: not any(unicodedata.category(ch) == "Cs" for ch in text)
    )

    @examples(80)
    @given(column=st.sampled_from(ROSTER_TEXT), text=no_surrogates)
    def check(column: str, text: str) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=list(AGENT_ROW), lineterminator="\n", quoting=csv.QUOTE_ALL
        )  # quoted: a cell's own line break stays in the cell, as a spreadsheet writes it
        writer.writeheader()
        writer.writerow(dict(AGENT_ROW, **{column: text}))
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        revision = desk.revision()
        run_cli("--db", url, "partners", "import", path).refused_naming(f"row 2: {column}")
        assert desk.revision() == revision

    check()


def test_notes_details_and_resolutions_keep_their_lines(
    working_desk: tuple[str, Desk], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    """Multi-line fields take newlines and tabs (a Windows CR LF as a newline)."""
    url, _desk = working_desk
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(intake(notes="pre-approved\r\n\tcash\nmoves in May")), "utf-8")
    stored = run_cli("--db", url, "--now", NOW, "intake", path, "--json")
    assert stored.code == 0, stored.err
    assert json.loads(stored.out)["notes"] == "pre-approved\n\tcash\nmoves in May"
    resolved = run_cli(
        "--db", url, "--now", NOW, "flags", "resolve", "F-000001", "--note", "called\nall good"
    )
    assert resolved.code == 0, resolved.err
    listing = run_cli("--db", url, "flags", "--all", "--json")
    assert [flag["resolution_note"] for flag in json.loads(listing.out)] == ["called\nall good"]
