"""`referral-desk report` and `simulate` from the shell: formats, keys and errors.

The desk is filled through the service (faster than through the CLI); the
commands under test run in this process through `referral_desk.cli.main`.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from referral_desk.cli import main
from referral_desk.engine.desk import Desk
from referral_desk.engine.simulate import run as simulate
from tests.factories import agent_row, intake, roster_csv

NOW = "2026-11-23T14:00:00Z"
CONTRACT_KEYS = {
    "quarter",
    "received",
    "by_source_type",
    "outcomes",
    "top_sources",
    "fees",
    "assignment_delay_seconds",
    "acceptance_seconds",
    "dropped_rate",
    "dropped_by_cause",
    "closing_rate_by_cohort",
}


class Result:
    """What one command did: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def assert_one_line_error(self, starts_with: str, exit_code: int) -> None:
        """A failure: exit `exit_code`, one stderr line starting with the key, nothing on
        stdout."""
        assert self.code == exit_code, (self.code, self.err)
        lines = self.err.splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(starts_with), lines[0]
        assert self.out == ""


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Runs `referral-desk ARGS…` in this process."""

    def run(*arguments: str) -> Result:
        code = main([str(argument) for argument in arguments])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def db(desk_url: str) -> str:
    """A desk with two October referrals: one accepted and closed with a fee paid, one open.

    R-1 (client source) is accepted 20 minutes after its offer, closes at $500,000
    at 3%, and its 25% receivable fee ($3,750.00) is paid; R-2 (agent source) waits
    on its offer.
    """
    desk = Desk.open(desk_url)
    try:
        start = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
        desk.import_roster(roster_csv([agent_row(id="P-ATX-01", capacity="5")]), start)
        received = datetime(2026, 10, 5, 15, 0, tzinfo=UTC)
        first = desk.intake(
            intake(received_at="2026-10-05T15:00:00Z", source__type="client"), received
        )[0]
        desk.respond(first.id, "P-ATX-01", "accept", datetime(2026, 10, 5, 15, 20, tzinfo=UTC))
        desk.log_fee(first.id, "receivable", Decimal(25), "Dana", datetime(2026, 10, 6, tzinfo=UTC))
        desk.change_status(first.id, "working", datetime(2026, 10, 7, tzinfo=UTC))
        desk.change_status(
            first.id,
            "in_escrow",
            datetime(2026, 10, 10, tzinfo=UTC),
            closing_date=datetime(2026, 11, 2).date(),
        )
        desk.change_status(
            first.id,
            "closed",
            datetime(2026, 11, 2, 18, tzinfo=UTC),
            sale_price=500_000,
            commission_rate=Decimal(3),
        )
        desk.fee_paid(first.id, Decimal("3750.00"), datetime(2026, 11, 9, 18, tzinfo=UTC))
        desk.intake(
            intake(
                received_at="2026-10-20T15:00:00Z",
                client_email="omar@example.com",
                source__name="Jane Roe",
                source__email="jane@example.com",
            ),
            datetime(2026, 10, 20, 15, 0, tzinfo=UTC),
        )
    finally:
        desk.close()
    return desk_url


def test_json_has_exactly_the_contract_keys(cli: Any, db: str) -> None:
    """`--format json` prints one document with the contract's keys and figures."""
    result = cli("--db", db, "--now", NOW, "report", "--quarter", "2026-Q4", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert set(document) == CONTRACT_KEYS
    assert document["quarter"] == "2026-Q4"
    assert document["received"] == 2
    assert document["by_source_type"] == {"client": 1, "sphere": 0, "agent": 1, "professional": 0}
    assert document["outcomes"] == {"closed": 1, "lost": 0, "active": 1}
    assert document["fees"]["receivable"]["paid"] == {"count": 1, "amount": "3750.00"}
    assert document["fees"]["payable"]["pending"] == {"count": 0, "amount": "0.00"}
    # both first offers on receipt; one acceptance after 20 minutes
    assert document["assignment_delay_seconds"] == {"median": 0, "p90": 0}
    assert document["acceptance_seconds"] == {"median": 1200}
    assert document["dropped_rate"] == 0.0
    assert document["closing_rate_by_cohort"] == {"2026-10": 0.5}
    assert cli("--db", db, "--now", NOW, "report", "--quarter", "2026-Q4", "--json").out == (
        result.out
    )


def test_markdown_is_the_default(cli: Any, db: str) -> None:
    """Without `--format`, the VA's Markdown document."""
    result = cli("--db", db, "--now", NOW, "report", "--quarter", "2026-Q4")
    assert result.code == 0, result.err
    assert result.out.startswith("# Referral report — 2026 Q4\n")
    assert "| Receivable (owed to us) | 0 | $0.00 | 1 | $3,750.00 |" in result.out
    assert "| First offer → accepted, median | 20 min |" in result.out
    explicit = cli("--db", db, "--now", NOW, "report", "--quarter", "2026-Q4", "--format", "md")
    assert explicit.out == result.out


def test_csv_is_section_key_value(cli: Any, db: str) -> None:
    """`--format csv` is long format with the JSON's figures."""
    result = cli("--db", db, "--now", NOW, "report", "--quarter", "2026-Q4", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["section", "key", "value"]
    assert ["received", "value", "2"] in rows
    assert ["fees", "receivable.paid.amount", "3750.00"] in rows
    assert ["closing_rate_by_cohort", "2026-10", "0.5"] in rows


@pytest.mark.parametrize("quarter", ["2026-Q5", "Q4", "2026-4", "twenty"])
def test_a_bad_quarter_is_one_line(cli: Any, db: str, quarter: str) -> None:
    """A quarter that is not YYYY-QN fails with one `quarter:` line and no output."""
    result = cli("--db", db, "--now", NOW, "report", "--quarter", quarter)
    result.assert_one_line_error("quarter: must be YYYY-QN", 2)


def test_report_usage_errors_are_one_line(cli: Any, db: str) -> None:
    """A missing quarter or an unknown format is a usage error, one line."""
    cli("--db", db, "report").assert_one_line_error("usage: ", 2)
    cli("--db", db, "report", "--quarter", "2026-Q4", "--format", "pdf").assert_one_line_error(
        "usage: ", 2
    )
    cli("--db", db, "--now", "yesterday", "report", "--quarter", "2026-Q4").assert_one_line_error(
        "now: ", 2
    )


def test_simulate_prints_the_report_figures(cli: Any) -> None:
    """`simulate --json` runs the desk and prints the report's figures for the span."""
    result = cli("simulate", "--days", "2", "--per-day", "3", "--seed", "4", "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert set(document["report"]) == CONTRACT_KEYS
    assert document["report"]["received"] == document["run"]["referrals"] > 0
    again = json.loads(
        cli("simulate", "--days", "2", "--per-day", "3", "--seed", "4", "--json").out
    )
    assert again["report"] == document["report"]


def test_simulate_compare_runs_two_variants(cli: Any, tmp_path: Path) -> None:
    """`--compare KEY=VALUE` adds a variant on the same stream, side by side."""
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv([agent_row(capacity="20")]), encoding="utf-8")
    arguments = ["simulate", "--roster", roster, "--days", "2", "--per-day", "3"]
    result = cli(*arguments, "--compare", "default_mode=broadcast", "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["changes"] == {"default_mode": "broadcast"}
    assert document["variant"]["settings"]["default_mode"] == "broadcast"
    assert document["base"]["report"]["received"] == document["variant"]["report"]["received"]
    text = cli(*arguments, "--compare", "default_mode=broadcast")
    assert "with default_mode=broadcast" in text.out


def test_simulate_errors_are_one_line(cli: Any, tmp_path: Path) -> None:
    """Bad `--compare`, bad settings and a missing roster are named in one line."""
    cli("simulate", "--compare", "window").assert_one_line_error("compare: expected KEY=VALUE", 2)
    cli("simulate", "--days", "1", "--set", "weights.price=-1").assert_one_line_error(
        "weights.price: ", 2
    )
    cli("simulate", "--roster", tmp_path / "none.csv").assert_one_line_error(
        "roster: no such file", 2
    )
    cli("simulate", "--days", "0").assert_one_line_error("days: ", 2)


def test_a_bad_compared_setting_is_named_before_anything_runs(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo in `--compare` is reported at once, not after the base run has taken its
    minute; so are `--set` values the desk would refuse."""
    runs: list[object] = []
    monkeypatch.setattr(simulate, "run_simulation", lambda *a, **k: runs.append(a))
    cli("simulate", "--compare", "weights.territory=-1").assert_one_line_error(
        "weights.territory: ", 2
    )
    cli("simulate", "--set", "timezone=Mars/Base").assert_one_line_error("timezone: ", 2)
    cli("simulate", "--compare", "window_minutes=5").assert_one_line_error(
        "window_minutes: unknown setting", 2
    )
    assert runs == []


def test_simulate_takes_a_market_mix(cli: Any) -> None:
    """`--markets METRO=WEIGHT…` sets where referrals come from; the JSON says which of
    them nobody on the roster covers, and a bad weight is named."""
    arguments = ["simulate", "--days", "2", "--per-day", "5", "--json"]
    result = cli(*arguments, "--markets", "Nowhere=1")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["markets"] == {"Nowhere": 1.0}
    assert document["uncovered_markets"] == ["Nowhere"]
    cli("simulate", "--markets", "Austin=lots").assert_one_line_error(
        "markets: Austin: the weight must be a number", 2
    )
    cli("simulate", "--markets", "Austin=-2").assert_one_line_error(
        "markets: Austin: the weight must be above 0", 2
    )
    cli("simulate", "--markets", "Austin").assert_one_line_error(
        "markets: expected METRO=WEIGHT", 2
    )


def test_simulate_from_desk_uses_its_roster_and_rules(cli: Any, db: str) -> None:
    """`--from-desk` runs on the desk's own roster and routing settings, `--set` on top;
    it cannot be combined with `--roster`, and an empty desk is refused."""
    arguments = ["--db", db, "simulate", "--from-desk", "--days", "2", "--per-day", "3"]
    cli("--db", db, "settings", "set", "acceptance_window_minutes", "25")
    before = _queue_and_sources(cli, db)
    result = cli(*arguments, "--json")
    after = _queue_and_sources(cli, db)
    assert after == before  # the what-if ran in memory: the desk itself is untouched
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["roster"] == "desk"
    assert document["settings"]["acceptance_window_minutes"] == 25
    assert document["report"]["received"] == document["run"]["referrals"] > 0
    changed = json.loads(cli(*arguments, "--set", "acceptance_window_minutes=15", "--json").out)
    assert changed["settings"]["acceptance_window_minutes"] == 15
    assert "your desk's roster" in cli(*arguments).out
    cli(*arguments, "--roster", "roster.csv").assert_one_line_error(
        "from_desk: give --roster or --from-desk, not both", 2
    )


def _queue_and_sources(cli: Any, db: str) -> tuple[str, str]:
    read = ("--db", db, "--now", NOW)
    return cli(*read, "queue", "--json").out, cli(*read, "sources", "--json").out


def test_simulate_from_an_empty_desk_is_refused(cli: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    cli("--db", empty, "simulate", "--from-desk").assert_one_line_error(
        "from_desk: the desk has no agents on its roster", 2
    )


def test_a_long_run_shows_its_progress_on_a_terminal(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, stderr shows the simulated day as the run goes and is cleared at the
    end; the table on stdout is the same as without a terminal."""
    plain = cli("simulate", "--days", "3", "--per-day", "2", "--seed", "4")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    shown = cli("simulate", "--days", "3", "--per-day", "2", "--seed", "4")
    assert shown.code == 0
    steps = [step for step in shown.err.split("\r\033[K") if step]
    assert steps == [f"simulating: day {day} of 3…" for day in (1, 2, 3)]
    assert shown.err.endswith("\r\033[K")
    assert _without_run_time(shown.out) == _without_run_time(plain.out)
    assert plain.err == ""


def test_ctrl_c_leaves_no_progress_line_behind(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted mid-run, simulate exits 130 and clears its progress line, so the shell's
    prompt does not land after `day 1 of 90…`."""

    def interrupted(config: object, progress: Any = None) -> None:
        progress(0, 90)
        raise KeyboardInterrupt

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(simulate, "run_simulation", interrupted)
    result = cli("simulate")
    assert result.code == 130
    assert result.err == "\r\033[Ksimulating: day 1 of 90…\r\033[K"
    assert result.out == ""


def _without_run_time(table: str) -> list[str]:
    return [line for line in table.splitlines() if not line.startswith("run time")]


def test_simulate_takes_every_set_given_however_written(cli: Any) -> None:
    """`--set A=1 --set B=2` runs with both, as `--set A=1 B=2` does (repeating the flag
    once kept only the last one, silently)."""
    base = ["simulate", "--days", "1", "--per-day", "2", "--json"]
    repeated = json.loads(
        cli(*base, "--set", "broadcast_size=3", "--set", "acceptance_window_minutes=15").out
    )
    together = json.loads(
        cli(*base, "--set", "broadcast_size=3", "acceptance_window_minutes=15").out
    )
    for document in (repeated, together):
        assert document["settings"]["broadcast_size"] == 3
        assert document["settings"]["acceptance_window_minutes"] == 15


TUNE = ("simulate", "--tune", "--days", "6", "--per-day", "4", "--seed", "4", "--candidates", "4")
BAD_START = ("--set", "acceptance_window_minutes=5", "max_offers_before_fallback=1")


def test_tune_lists_the_best_settings_and_apply_writes_one(cli: Any, db: str) -> None:
    """`--tune --json` ranks what it found against today's; `--apply 1` writes the first
    to the desk, all its keys, and says which."""
    listed = cli("--db", db, *TUNE, *BAD_START, "--json")
    assert listed.code == 0, listed.err
    document = json.loads(listed.out)
    assert document["today"]["changes"] == {}
    assert document["tried"] == 4 and document["applied"] is None
    best = document["best"][0]
    applied = cli("--db", db, *TUNE, *BAD_START, "--apply", "1")
    assert applied.code == 0, applied.err
    changed = " ".join(f"{key}={value}" for key, value in best["changes"].items())
    assert applied.out.splitlines()[-1] == f"Applied setting 1 to the desk: {changed}"
    shown = json.loads(cli("--db", db, "settings", "--json").out)
    for key, value in best["changes"].items():
        assert str(shown[key]).lower() == value.lower() or float(shown[key]) == float(value)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (("--apply", "9"), "apply"),
        (("--apply", "0"), "apply"),
        (("--candidates", "1"), "candidates"),
        (("--compare", "broadcast_size=3"), "tune"),
        (("--set", "acceptance_window_minutes=0"), "acceptance_window_minutes"),
    ],
)
def test_tune_refuses_what_it_cannot_do_naming_the_option(
    cli: Any, db: str, extra: tuple[str, ...], field: str
) -> None:
    before = cli("--db", db, "settings", "--json").out
    result = cli("--db", db, *TUNE, *extra)
    assert result.code == 2, (result.code, result.err)
    assert result.err.startswith(f"{field}: "), result.err
    assert cli("--db", db, "settings", "--json").out == before


def test_apply_without_tune_is_refused(cli: Any, db: str) -> None:
    result = cli("--db", db, "simulate", "--days", "1", "--apply", "1")
    assert result.code == 2
    assert result.err.startswith("apply: only with --tune")
