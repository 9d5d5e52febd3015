"""Every command, fed whatever a user might type: never an "unexpected" exit.

The commands are not listed here: `command_lines.py` walks the parser itself
(`referral_desk.cli.build_parser()`), so a command added later is fuzzed too.
For each, hypothesis builds a command line of ids (real, unknown, too large for
the database), numbers (huge, negative, NaN, infinities, grouped, decimal
commas), dates and moments at the edges of the calendar, text with odd
characters, files that are folders, missing, empty, not UTF-8 or with a cell
past Python's CSV limit, standard input closed or holding junk, options left
out or added. Each runs in this process on its own copy of a small seeded desk
(the demo's 45 referrals, so every state, task, flag and message exists) and
must end as the README promises: exit 0, 2, 3, 4 or 5, at most one line on
stderr, never the last guard's exit 1.

Three commands never return by design: `clock` always gets `--once`, `demo`
always `--seed-only` (without it the TUI opens), and `serve` does everything up
to listening (its arguments, the desk, the secret), then returns instead of
serving. `simulate` gets a span of at most a few referrals when its span is
valid, so an example stays a fraction of a second.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import os
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.cli import entry as cli
from referral_desk.demo import seed_demo
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.timefmt import parse_moment
from tests.conftest import ROSTER_CSV
from tests.factories import intake
from tests.reliability.command_lines import COMMANDS, FILE, NOW, TOP, command_lines

BY_NAME = {" ".join(level.name for level in command): command for command in COMMANDS}
EXAMPLES = 500
"""About 10 s on a shared 2-core machine (20 ms an example: open a desk, run one command)."""

# ----------------------------------------------------------------- the desk


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seeded demo desk and the files arguments may name, made once."""
    folder = tmp_path_factory.mktemp("every-command")
    desk_file = folder / "seeded.db"
    desk = Desk.open(str(desk_file), actor="test")
    try:
        seed_demo(desk, parse_moment(NOW))
    finally:
        desk.close()
    files = {
        "roster": folder / "roster.csv",
        "intake": folder / "intake.json",
        "intake-bare": folder / "intake-bare.json",
        "huge-key": folder / "huge-key.json",
        "huge-cell": folder / "huge-cell.csv",
        "folder": folder / "a-folder",
        "no-such-folder": folder / "no-such-folder" / "out.csv",
        "no-such-home": Path("~nobody-at-all/desk.db"),
        "missing": folder / "no-such-file",
        "empty": folder / "empty",
        "latin1": folder / "latin1.csv",
    }
    shutil.copyfile(ROSTER_CSV, files["roster"])
    files["intake"].write_text(json.dumps([intake(), intake(mode="network")]), encoding="utf-8")
    files["intake-bare"].write_text(json.dumps(intake(received_at=None)), encoding="utf-8")
    files["huge-key"].write_text(json.dumps(intake(**{"k" * 1_000_000: 1})), encoding="utf-8")
    files["huge-cell"].write_text(
        f"id,name,metros,price_max\nP-BIG,{'x' * 140_000},Austin,5\n", encoding="utf-8"
    )
    files["folder"].mkdir()
    files["empty"].write_bytes(b"")
    files["latin1"].write_bytes("id,name,metros,price_max\nP-1,López,Austin,5\n".encode("latin-1"))
    return {"desk": desk_file, **files}


STDIN = {
    "closed": None,
    "empty": b"",
    "intake": json.dumps(intake()).encode(),
    "roster": ROSTER_CSV.read_bytes(),
    "junk": b"\xff\xfe{not json",
}


@dataclass
class Run:
    """What one command did."""

    code: int | str | None
    out: str
    err: str


def run(argv: list[str], inputs: dict[str, Path], folder: Path, stdin: bytes | None) -> Run:
    """The command in this process, on a fresh copy of the seeded desk in `folder`."""
    folder.mkdir()
    database = folder / "desk.db"
    shutil.copyfile(inputs["desk"], database)
    files = {**inputs, "desk": database, "output": folder / "out.csv", "output-folder": folder}
    words = [str(files[word[1:]]) if word.startswith(FILE) else word for word in argv]
    out, err = io.StringIO(), io.StringIO()
    previous, cwd = sys.stdin, Path.cwd()
    sys.stdin = None if stdin is None else io.TextIOWrapper(io.BytesIO(stdin))  # type: ignore[assignment]
    os.chdir(folder)  # a relative name (`backup -`, `--db x`) lands in the example's folder
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code: int | str | None = cli.main(words)
            except SystemExit as exit_:  # --help in an odd place: argparse prints and exits
                code = exit_.code
    finally:
        sys.stdin = previous
        os.chdir(cwd)
        shutil.rmtree(folder, ignore_errors=True)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def fast_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser is built once (it costs 50 ms), the debug switch is off, and a command line
    that ends up naming no command (the TUI) returns at once: the TUI is not fuzzed here."""
    monkeypatch.setattr(cli, "build_parser", functools.cache(cli.build_parser))
    monkeypatch.setattr(cli, "_open_tui", lambda arguments: 0)
    monkeypatch.setattr("referral_desk.web.server.serve", lambda *arguments: None)
    monkeypatch.delenv("REFERRAL_DESK_DEBUG", raising=False)


def test_the_parser_walk_finds_every_command() -> None:
    """The walk reaches every area, nested actions included, so nothing is left unfuzzed."""
    names = {" ".join(level.name for level in command) for command in COMMANDS}
    assert {"intake", "fee log", "fee paid", "thanks", "thanks done", "settings set"} <= names
    assert {"partners export", "report", "simulate", "restore", "clock", "demo"} <= names
    assert {"serve", "secret rotate"} <= names
    assert "partners" not in names, "partners needs an action: it is no command by itself"
    assert set(TOP) == {"db", "now"}


@pytest.mark.usefixtures("fast_parser")
def test_every_command_ends_with_a_promised_exit_code(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    """Whatever the arguments, a command exits 0, 2, 3, 4 or 5 with at most one stderr
    line: bad input, an unknown id, a refusal or database trouble is always named."""
    counter = itertools.count()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(BY_NAME)), label="command")
        command = BY_NAME[name]
        argv = data.draw(command_lines(command), label="argv")
        stdin = STDIN[data.draw(st.sampled_from(sorted(STDIN)), label="stdin")]
        result = run(argv, inputs, tmp_path / f"example-{next(counter)}", stdin)
        assert result.code in (0, 2, 3, 4, 5), (result.code, result.err)
        assert len(result.err.splitlines()) <= 1, result.err
        assert len(result.err) <= 2_000, f"an error echoed too much: {result.err[:200]!r}…"

    check()
