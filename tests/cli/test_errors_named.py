"""Every error named: input at the edges ends with the README's exit code and one line
naming the field, never "error: unexpected …", and nothing is written.

The cases are the kinds of input that once reached the last guard (exit 1): times at
year 1 or 9999, numbers past any sum of money or any id the database holds, a quarter
whose end falls in the year 10000, a CSV cell past Python's limit, standard input
closed, a folder where a file goes, bytes that are not UTF-8, and a huge key echoed
whole. Then the time rules: `--now` within 1900-2200, no answer before its offer, and
nothing that happened more than a day after `--now`; expected dates may lie ahead.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from referral_desk.cli import main
from referral_desk.engine.desk import Desk
from tests.conftest import ROSTER_CSV
from tests.factories import intake

NOW = "2026-11-23T14:00:00Z"
AN_HOUR_EARLIER = "2026-11-23T13:00:00Z"


class Result:
    """What one command did: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def refused(self, starts_with: str, exit_code: int) -> None:
        """Exit `exit_code`, nothing on stdout, one short stderr line starting with the key."""
        assert self.code == exit_code, self.err
        assert self.out == ""
        [line] = self.err.splitlines()
        assert line.startswith(starts_with), line
        assert "unexpected" not in line
        assert len(line) < 700, f"the line echoes too much: {line[:120]}…"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Runs `referral-desk ARGS…` in this process and returns its Result."""
    monkeypatch.delenv("REFERRAL_DESK_DEBUG", raising=False)

    def run(*arguments: str | Path) -> Result:
        code = main([str(argument) for argument in arguments])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def db(tmp_path: Path, cli: Any) -> str:
    """A desk with the demo roster and the contract's referral (R-000001), offered at NOW
    to P-ATX-01."""
    path = str(tmp_path / "desk.db")
    assert cli("--db", path, "partners", "import", ROSTER_CSV).code == 0
    maria = tmp_path / "maria.json"
    maria.write_text(json.dumps(intake()), encoding="utf-8")
    assert cli("--db", path, "--now", NOW, "intake", maria).code == 0
    return path


def revision(db: str) -> int:
    """The desk's change counter: every write bumps it."""
    desk = Desk.open(db)
    try:
        return desk.revision()
    finally:
        desk.close()


def intake_file(tmp_path: Path, **changes: Any) -> Path:
    """The contract's intake with some keys changed, as a file."""
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake(**changes)), encoding="utf-8")
    return path


# ------------------------------------------------------- input at the edges


@pytest.mark.parametrize(
    ("now", "command"),
    [
        ("0001-01-01T00:00:00Z", ["queue"]),
        ("9999-12-31T23:59:59Z", ["queue"]),
        ("9999-12-31T23:59:59-14:00", ["show", "R-000001"]),
        ("0001-01-01T00:00:00+14:00", ["clock", "--once"]),
        ("1899-12-31T23:59:59Z", ["respond", "R-000001", "--agent", "P-ATX-01", "accept"]),
        ("2200-01-01T00:00:00Z", ["thanks"]),
    ],
)
def test_now_outside_1900_to_2200_is_refused_naming_now(
    cli: Any, db: str, now: str, command: list[str]
) -> None:
    """`--now` at year 1, 9999, just before 1900 or at 2200 exits 2 naming `now`."""
    before = revision(db)
    cli("--db", db, "--now", now, *command).refused("now: must lie between 1900 and 2200", 2)
    assert revision(db) == before


def test_now_inside_the_years_is_taken(cli: Any, db: str) -> None:
    """The edges themselves are ordinary moments: 1900-01-01 and the last second of 2199."""
    for now in ("1900-01-01T00:00:00Z", "2199-12-31T23:59:59Z"):
        assert cli("--db", db, "--now", now, "queue").code == 0


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_received_at_outside_the_years_is_refused(
    cli: Any, db: str, tmp_path: Path, received_at: str
) -> None:
    """An intake received at year 1 or 9999 exits 2 naming `received_at`; nothing stored."""
    before = revision(db)
    path = intake_file(tmp_path, received_at=received_at)
    cli("--db", db, "--now", NOW, "intake", path).refused("received_at: must lie between", 2)
    assert revision(db) == before


@pytest.mark.parametrize(
    ("command", "starts_with", "exit_code"),
    [
        (["fee", "R-000001", "paid", "--amount", "1e30"], "amount: ", 2),
        (["fee", "R-000001", "paid", "--amount", "1e999999999"], "amount: ", 2),
        (["fee", "R-000001", "paid", "--amount", "20000000000"], "amount: must be at most", 2),
        (["status", "R-000001", "lost", "--sale-price", "1e999999999"], "sale_price: ", 2),
        (["status", "R-000001", "lost", "--sale-price", "9" * 5000], "sale_price: ", 2),
        (["respond", "R-" + "9" * 23, "--agent", "P-ATX-01", "accept"], "referral: no ", 3),
        (["show", "R-2147483648"], "referral: no referral 'R-2147483648'", 3),
        (["thanks", "done", "T-" + "9" * 5000], "task: no task", 3),
        (["report", "--quarter", "9999-Q4"], "quarter: the year must be from 1900 to 2199", 2),
        (["report", "--quarter", "0001-Q1"], "quarter: the year must be from 1900 to 2199", 2),
        (["clock", "--interval", "nan"], "interval: ", 2),
        (["clock", "--once", "--interval", "-1"], "interval: ", 2),
        (["partners", "away", "P-ATX-01", "--from", "9999-12-31"], "away_from: must be a", 2),
        (["settings", "set", "holidays", "9999-12-31"], "holidays: must be a date from", 2),
        (["partners", "deactivate", "P-\udcff"], "agent_id: not UTF-8 text", 2),
    ],
)
def test_numbers_ids_and_dates_past_any_use_are_named(
    cli: Any, db: str, command: list[str], starts_with: str, exit_code: int
) -> None:
    """Amounts past any sale, ids past the database's integer, a quarter ending in the year
    10000, a clock interval that is no number, dates at the calendar's end, bytes that
    are not UTF-8: each named on one line, with the README's exit code; nothing written."""
    before = revision(db)
    cli("--db", db, "--now", NOW, *command).refused(starts_with, exit_code)
    assert revision(db) == before


def test_a_roster_cell_past_the_csv_limit_names_its_row(cli: Any, db: str, tmp_path: Path) -> None:
    """A cell over 131,072 characters (Python's CSV limit) is refused naming its row."""
    path = tmp_path / "roster.csv"
    path.write_text(f"id,name,metros,price_max\nP-1,A,Austin,5\nP-2,{'x' * 140_000},Austin,5\n")
    before = revision(db)
    cli("--db", db, "partners", "import", path).refused("row 3: not a CSV row", 2)
    assert revision(db) == before


@pytest.mark.parametrize(
    "command", [["intake", "-"], ["preview", "-"], ["partners", "import", "-"]]
)
def test_closed_standard_input_is_named(
    cli: Any, db: str, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """`intake - <&-`: with stdin closed, Python's `sys.stdin` is None; the command says so."""
    monkeypatch.setattr(sys, "stdin", None)
    cli("--db", db, "--now", NOW, *command).refused("file: standard input is closed", 2)


def test_input_that_is_not_utf8_on_stdin_is_named(
    cli: Any, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roster piped in as Latin-1 is refused naming the byte, like the same file."""
    data = "id,name,metros,price_max\nP-1,López,Austin,5\n".encode("latin-1")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    cli("--db", db, "partners", "import", "-").refused("file: not UTF-8 text (byte", 2)


@pytest.mark.parametrize(
    "command",
    [
        ["partners", "export", "{folder}"],
        ["partners", "export", "{folder}/no-such-folder/roster.csv"],
        ["intake", "{folder}"],
        ["partners", "import", "{folder}"],
        ["simulate", "--roster", "{folder}", "--days", "1"],
    ],
)
def test_a_folder_where_a_file_goes_is_named(
    cli: Any, db: str, tmp_path: Path, command: list[str]
) -> None:
    """A folder (or a missing one) where a file is read or written: exit 2 naming the file."""
    words = [word.format(folder=tmp_path) for word in command]
    field = "roster: " if "--roster" in command else "file: "
    cli("--db", db, "--now", NOW, *words).refused(field, 2)


def test_a_huge_unknown_key_is_echoed_as_a_short_prefix(cli: Any, db: str, tmp_path: Path) -> None:
    """A 1 MB unknown JSON key is named by its first characters, not echoed whole."""
    path = intake_file(tmp_path, **{"k" * 1_000_000: 1})
    result = cli("--db", db, "--now", NOW, "intake", path)
    result.refused("k" * 40 + "…: is not a known field", 2)


def test_a_long_argument_is_echoed_as_a_short_prefix(cli: Any, db: str) -> None:
    """An unknown setting, an unknown choice or an unknown id typed 100,000 characters long
    is named by its start."""
    long = "x" * 100_000
    cli("--db", db, "settings", "set", long, "1").refused("x" * 40 + "…: unknown setting", 2)
    cli("--db", db, "report", "--quarter", "2026-Q4", "--format", long).refused("usage: ", 2)
    cli("--db", db, "show", long).refused("referral: no referral 'xxxx", 3)


# ------------------------------------------------------------- time rules


def test_an_answer_dated_before_its_offer_is_refused(cli: Any, db: str) -> None:
    """Accepting an hour before the offer was made exits 4 naming `now`; the offer stays
    open, and the report never shows a negative time from offer to acceptance."""
    before = revision(db)
    answer = ["respond", "R-000001", "--agent", "P-ATX-01", "accept"]
    result = cli("--db", db, "--now", AN_HOUR_EARLIER, *answer)
    result.refused("now: 2026-11-23T13:00:00Z is before P-ATX-01 was offered", 4)
    assert revision(db) == before
    accepted = cli("--db", db, "--now", NOW, *answer)
    assert accepted.code == 0, accepted.err
    report = cli("--db", db, "--now", NOW, "report", "--quarter", "2026-Q4", "--json").out
    assert json.loads(report)["acceptance_seconds"]["median"] == 0


def test_an_award_dated_before_the_interest_is_refused(cli: Any, db: str, tmp_path: Path) -> None:
    """In network mode, an award dated before the agent showed interest exits 4."""
    path = intake_file(tmp_path, mode="network", network="texas-relo", client_first_name="Ana")
    created = cli("--db", db, "--now", NOW, "intake", path, "--json")
    assert created.code == 0, created.err
    referral = json.loads(created.out)
    agent = referral["offers"][0]["agent_id"]
    later = "2026-11-23T14:10:00Z"
    interest = cli(
        "--db", db, "--now", later, "respond", referral["id"], "--agent", agent, "interest"
    )
    assert interest.code == 0, interest.err
    before = revision(db)
    result = cli(
        "--db", db, "--now", "2026-11-23T14:05:00Z", "award", referral["id"], "--agent", agent
    )
    result.refused(f"now: 2026-11-23T14:05:00Z is before {agent} showed interest", 4)
    assert revision(db) == before


@pytest.mark.parametrize(
    "command",
    [
        "status R-000001 lost --on 2099-01-01",
        "status R-000001 lost --on 2026-11-25",
        "fee R-000001 log --direction receivable --agreed-by Dana --on 2099-01-01",
    ],
)
def test_something_dated_more_than_a_day_after_now_is_refused(
    cli: Any, db: str, command: str
) -> None:
    """A status move or a fee agreement `--on` a day that has not come yet exits 2 naming
    `on`; nothing is written."""
    before = revision(db)
    cli("--db", db, "--now", NOW, *command.split()).refused("on: ", 2)
    assert revision(db) == before


def test_a_day_ahead_is_allowed_for_clocks_that_disagree(cli: Any, db: str) -> None:
    """`--on` tomorrow is taken (time zones and clocks disagree a little)."""
    result = cli("--db", db, "--now", NOW, "status", "R-000001", "lost", "--on", "2026-11-24")
    assert result.code == 0, result.err


def test_received_more_than_a_day_after_now_is_refused(cli: Any, db: str, tmp_path: Path) -> None:
    """An intake received two days after `--now` exits 2 naming `received_at`; one received
    twelve hours after is taken."""
    before = revision(db)
    path = intake_file(tmp_path, received_at="2026-11-25T14:00:01Z")
    cli("--db", db, "--now", NOW, "intake", path).refused("received_at: 2026-11-25T14:00:01Z", 2)
    assert revision(db) == before
    path = intake_file(tmp_path, received_at="2026-11-24T02:00:00Z")
    assert cli("--db", db, "--now", NOW, "intake", path).code == 0


def test_expected_dates_may_lie_in_the_future(cli: Any, db: str) -> None:
    """A closing date, time away and holidays years ahead are plans, not history: taken."""
    steps = [
        "settings set holidays 2099-12-25",
        "partners away P-ATX-02 --from 2099-01-01 --until 2099-01-10",
        "respond R-000001 --agent P-ATX-01 accept",
        "status R-000001 working",
        "status R-000001 in_escrow --closing-date 2099-06-01",
    ]
    for step in steps:
        result = cli("--db", db, "--now", NOW, *step.split())
        assert result.code == 0, (step, result.err)


def test_a_referral_received_after_its_first_offer_shows_no_negative_delay(
    cli: Any, db: str, tmp_path: Path
) -> None:
    """Received twelve hours after `--now` (allowed: clocks disagree), routed at `--now`:
    the report counts its received-to-first-offer delay as none, not as minus 12 hours."""
    path = intake_file(tmp_path, received_at="2026-11-24T02:00:00Z", client_first_name="Ines")
    assert cli("--db", db, "--now", NOW, "intake", path).code == 0
    later = "2026-11-24T03:00:00Z"
    report = cli("--db", db, "--now", later, "report", "--quarter", "2026-Q4", "--json").out
    delays = json.loads(report)["assignment_delay_seconds"]
    assert delays["median"] >= 0 and delays["p90"] >= 0, delays


@pytest.mark.parametrize(
    ("before_command", "command", "starts_with", "exit_code"),
    [
        (["--db", "~nobody-at-all/desk.db"], ["queue"], "database: cannot open", 5),
        ([], ["backup", "~nobody-at-all/copy.db"], "file: cannot resolve", 2),
        ([], ["restore", "~nobody-at-all/copy.db"], "file: cannot resolve", 2),
        ([], ["settings", "set", "outbox_dir", "~nobody-at-all/out"], "outbox_dir: ", 2),
        ([], ["settings", "set", "templates_dir", "~nobody-at-all/t"], "templates_dir: ", 2),
    ],
)
def test_the_home_of_an_unknown_user_is_named(
    cli: Any,
    db: str,
    before_command: list[str],
    command: list[str],
    starts_with: str,
    exit_code: int,
) -> None:
    """`~nobody/…` names no folder: the database, the file or the setting is named. (A
    stored outbox or templates folder like it failed every delivery and every intake.)"""
    before = revision(db)
    cli("--db", db, *before_command, *command).refused(starts_with, exit_code)
    assert revision(db) == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", [("queue",), ("init",), ("settings", "--json")])
def test_a_db_in_a_folder_that_is_not_there_is_refused_and_nothing_is_made(
    cli: Any, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """`--db` naming a missing folder (a typo, usually) is refused: no folder and no empty
    desk appear where the user did not mean one."""
    target = tmp_path / "no-such" / "folder" / "desk.db"
    cli("--db", target, "--now", NOW, *command).refused("database: no such folder", 5)
    assert not (tmp_path / "no-such").exists()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("options", ["mode=ro", "mode=ro&uri=true", "cache=shared"])
def test_url_options_on_a_sqlite_desk_are_refused_not_ignored(
    cli: Any, db: str, options: str
) -> None:
    """`?mode=ro` was passed over and the desk opened to write: any option is refused, and
    the desk is left as it was."""
    before = revision(db)
    result = cli("--db", f"sqlite:///{db}?{options}", "--now", NOW, "settings", "set",
                 "acceptance_window_minutes", "45")  # fmt: skip
    result.refused("database: a SQLite desk takes no URL options", 5)
    assert revision(db) == before
