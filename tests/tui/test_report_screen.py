"""Report screen: the quarter's figures with bars, other quarters by key, files to file."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.widgets import Input, Static

from referral_desk.app import make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.report.figures import FeeFigure, SourceCount
from referral_desk.locations import data_dir
from referral_desk.screens.confirm import ConfirmScreen
from referral_desk.screens.report import (
    ReportScreen,
    bar,
    quarter_of,
    render_figures,
    shift_quarter,
)
from tests.factories import intake
from tests.tui.helpers import record_toasts, settle, wait_until


def test_quarters_step_across_years() -> None:
    """`]` after Q4 is next year's Q1, `[` before Q1 last year's Q4."""
    assert shift_quarter("2026-Q4", 1) == "2027-Q1"
    assert shift_quarter("2026-Q1", -1) == "2025-Q4"
    assert quarter_of(datetime(2026, 11, 23)) == "2026-Q4"
    assert quarter_of(datetime(2026, 3, 31)) == "2026-Q1"


def test_fee_amounts_read_as_dollars_with_thousands() -> None:
    """$510,000 × 3 % × 25 % pending reads $3,825.00, right-aligned under its column."""
    report = SimpleNamespace(
        received=1,
        quarter="2026-Q4",
        now=datetime(2026, 11, 23, 14, 0),
        by_source_type={"agent": 1},
        outcomes={"active": 1},
        top_sources=(),
        dropped_rate=None,
        dropped=0,
        dropped_by_cause={
            "nobody_eligible": 0,
            "declined_or_lapsed": 0,
            "lost_before_acceptance": 0,
        },
        fees={
            "receivable": {"pending": FeeFigure(1, 382_500), "paid": FeeFigure(0, 0)},
            "payable": {"pending": FeeFigure(2, 123_456_789), "paid": FeeFigure(0, 0)},
        },
        assignment_delay_median=None,
        assignment_delay_p90=None,
        offered=0,
        acceptance_median=None,
        accepted=0,
        cohorts=(),
    )
    lines = render_figures(report)["fees"].splitlines()  # type: ignore[arg-type]
    assert lines[0].endswith("   1       $3,825.00")
    assert lines[2].endswith("$1,234,567.89")
    assert len({len(line) for line in lines}) == 1


def test_a_busy_desks_counts_line_up_in_their_columns() -> None:
    """Six-figure counts are grouped (`104,243`) and still right-aligned under small ones,
    in the bar sections, the fees and the top sources."""
    report = SimpleNamespace(
        received=252_269,
        quarter="2026-Q3",
        now=datetime(2026, 10, 15, 0, 0),
        by_source_type={"client": 87_188, "sphere": 987},
        outcomes={"closed": 104_243, "lost": 57, "active": 147_969},
        top_sources=(SourceCount("Party 1", 3_798), SourceCount("Party 7", 987)),
        dropped_rate=0.2083,
        dropped=52_549,
        dropped_by_cause={
            "nobody_eligible": 40_102,
            "declined_or_lapsed": 12_400,
            "lost_before_acceptance": 47,
        },
        fees={
            "receivable": {"pending": FeeFigure(17_898, 1), "paid": FeeFigure(3, 2)},
            "payable": {"pending": FeeFigure(0, 0), "paid": FeeFigure(11_910, 5)},
        },
        assignment_delay_median=0,
        assignment_delay_p90=9600,
        offered=242_296,
        acceptance_median=599,
        accepted=187_272,
        cohorts=(),
    )
    figures = render_figures(report)  # type: ignore[arg-type]
    assert figures["summary"].startswith("252,269 referrals received in 2026-Q3")
    assert "(242,296 offered)" in figures["routing"]
    for section, counts in (
        ("outcomes", ["104,243", "57", "147,969"]),
        ("sources", ["87,188", "987"]),
        ("fees", ["17,898", "3", "0", "11,910"]),
        ("drops", ["40,102", "12,400", "47"]),
    ):
        lines = figures[section].splitlines()
        ends = {line.index(count) + len(count) for line, count in zip(lines, counts, strict=True)}
        assert len(ends) == 1, figures[section]
    assert figures["top"].splitlines() == ["3,798  Party 1", "  987  Party 7"]
    assert [line.split("  ")[0] for line in figures["drops"].splitlines()] == [
        "nobody eligible, never offered",
        "every offer declined or lapsed",
        "lost before any agent accepted",
    ]
    assert figures["drops"].splitlines()[0].endswith("40,102   76%")


def test_bars_show_the_share() -> None:
    """A quarter of the whole fills a quarter of the bar; nothing of nothing stays empty."""
    assert bar(1, 4, width=8) == "██······"
    assert bar(0, 0, width=4) == "····"


async def test_report_screen_shows_the_quarter_and_exports_markdown(
    db_path: Path,
    roster_desk: Desk,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The current quarter's counts appear; `[` goes back a quarter; `m` writes Markdown."""
    roster_desk.intake(intake(received_at=None), clock.now())
    roster_desk.intake(intake(received_at=None, client_first_name="Ana"), clock.now())
    monkeypatch.chdir(tmp_path)
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ReportScreen()
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.query_one("#report-quarter", Input).value == "2026-Q4"
        summary = str(screen.query_one("#report-summary", Static).content)
        assert summary.startswith("2 referrals received in 2026-Q4")
        assert "agent" in str(screen.query_one("#report-sources", Static).content)

        await pilot.press("m")
        await settle(pilot)
        written = tmp_path / "referral-report-2026-Q4.md"
        assert written.is_file()
        assert written.read_text(encoding="utf-8").startswith("# Referral report — 2026 Q4")

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.query_one("#report-quarter", Input).value == "2026-Q3"
        summary = str(screen.query_one("#report-summary", Static).content)
        assert summary.startswith("0 referrals received in 2026-Q3")


async def test_exporting_over_an_earlier_report_asks_first(
    db_path: Path,
    roster_desk: Desk,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A report file already there is kept unless the user says to replace it: `n` keeps it
    (and says so), `y` replaces it with the report, owner-only."""
    roster_desk.intake(intake(received_at=None), clock.now())
    monkeypatch.chdir(tmp_path)
    earlier = tmp_path / "referral-report-2026-Q4.csv"
    earlier.write_text("my notes on last week's report")
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        toasts = record_toasts(app, monkeypatch)
        await app.push_screen(ReportScreen())
        await settle(pilot)

        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
        assert earlier.read_text() == "my notes on last week's report"
        assert any(toast.startswith("Kept ") for toast in toasts), toasts

        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        assert earlier.read_text(encoding="utf-8").startswith("section,key,value\n")
        assert stat.S_IMODE(earlier.stat().st_mode) == 0o600
        assert toasts[-1] == f"Wrote {earlier}"


async def test_a_report_is_never_written_into_the_desks_outbox(
    db_path: Path,
    roster_desk: Desk,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run from inside the desk's outbox folder, the export goes to the user data folder's
    `reports/` instead, and the outbox holds only messages."""
    outbox = tmp_path / "desk.outbox"
    outbox.mkdir()
    monkeypatch.chdir(outbox)
    app = make_app(str(db_path), clock, clock_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        toasts = record_toasts(app, monkeypatch)
        await app.push_screen(ReportScreen())
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
    assert list(outbox.iterdir()) == []
    written = data_dir() / "reports" / "referral-report-2026-Q4.md"
    assert written.read_text(encoding="utf-8").startswith("# Referral report — 2026 Q4")
    assert toasts == [f"Wrote {written}"]
