"""Report: the quarter's figures at a glance, and the files a VA files.

The team lead picks a quarter and reads where referrals came from, what became
of them, what fees are pending or paid and how fast routing was, with bars for
the shares; `m` and `c` write the same report as Markdown or CSV, through the
desk (`Desk.write_file`: never onto the desk's own files, owner-only), into the
current folder or else the user data folder's `reports/`. A report file already
there is replaced only when the user says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from ..engine import (
    DROP_CAUSE_LABELS,
    ExistingFile,
    InvalidInput,
    Report,
    count_text,
    duration_text,
    money_text,
    to_csv,
    to_markdown,
)
from ..locations import data_dir
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from .base import DeskScreen
from .confirm import ConfirmScreen

__all__ = ["ReportScreen", "bar", "quarter_of", "shift_quarter"]

BAR_WIDTH = 30


def quarter_of(moment: datetime) -> str:
    """`2026-Q4` for a moment (already in the desk's zone)."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def shift_quarter(quarter: str, step: int) -> str:
    """The quarter `step` quarters later (or earlier, when negative)."""
    year, number = quarter.split("-Q")
    index = int(year) * 4 + int(number) - 1 + step
    return f"{index // 4}-Q{index % 4 + 1}"


def bar(part: float, whole: float, width: int = BAR_WIDTH) -> str:
    """A text bar: `part` of `whole` as filled cells, the rest as dots."""
    filled = round(width * part / whole) if whole > 0 else 0
    return "█" * filled + "·" * (width - filled)


def _count_width(counts: Iterable[int], least: int) -> int:
    """The width of the widest count as written (`104,243`), so a column lines up."""
    return max([least, *(len(count_text(count)) for count in counts)])


def _rows(counts: dict[str, int], total: int) -> str:
    width = max((len(key) for key in counts), default=0)
    digits = _count_width(counts.values(), 5)
    lines = []
    for key, count in counts.items():
        share = f"{count / total:>4.0%}" if total else "  — "
        lines.append(f"{key:<{width}}  {bar(count, total)}  {count:>{digits},}  {share}")
    return "\n".join(lines)


def render_figures(report: Report) -> dict[str, str]:
    """Each section of the screen as text (kept apart from widgets, so it is testable)."""
    total = report.received
    figures = [figure for states in report.fees.values() for figure in states.values()]
    digits = _count_width((figure.count for figure in figures), 4)
    fees = []
    for direction, states in report.fees.items():
        for state, figure in states.items():
            money = money_text(figure.amount)
            fees.append(f"{direction:<11} {state:<8} {figure.count:>{digits},}  {money:>14}")
    closed = _count_width((cohort.closed for cohort in report.cohorts), 3)
    received = _count_width((cohort.received for cohort in report.cohorts), 3)
    cohorts = "\n".join(
        f"{cohort.month}  {bar(cohort.closed, cohort.received)}  "
        f"{cohort.closed:>{closed},}/{cohort.received:<{received},} {cohort.closing_rate:>4.0%}"
        for cohort in report.cohorts
    )
    dropped = "—" if report.dropped_rate is None else f"{report.dropped_rate:.0%}"
    digits = _count_width((source.count for source in report.top_sources), 4)
    top = (
        "\n".join(f"{source.count:>{digits},}  {source.name}" for source in report.top_sources)
        or "No sources."
    )
    return {
        "summary": (
            f"{report.received:,} referrals received in {report.quarter} "
            f"(as they stand {report.now:%Y-%m-%d %H:%M} UTC) · dropped {dropped}"
        ),
        "sources": _rows(report.by_source_type, total),
        "outcomes": _rows(report.outcomes, total),
        "top": top,
        "fees": "\n".join(fees),
        "routing": (
            f"received → first offer   median {duration_text(report.assignment_delay_median)}"
            f" · p90 {duration_text(report.assignment_delay_p90)} ({report.offered:,} offered)\n"
            f"first offer → accepted   median {duration_text(report.acceptance_median)}"
            f" ({report.accepted:,} accepted)"
        ),
        "cohorts": cohorts or "No referrals in the cohort window.",
        "drops": _drops(report),
    }


def _drops(report: Report) -> str:
    """Why the dropped referrals dropped, each cause a share of them."""
    if not report.dropped:
        return "Nothing dropped: every referral was accepted, or is still in play."
    causes = {DROP_CAUSE_LABELS[cause]: count for cause, count in report.dropped_by_cause.items()}
    return _rows(causes, report.dropped)


class ReportScreen(DeskScreen):
    """The quarterly referral report with bars, and Markdown/CSV export."""

    DEFAULT_CSS = """
    ReportScreen #report-bar {
        height: 3;
        padding: 0 1;
    }
    ReportScreen #report-bar Label {
        padding: 1 1 0 0;
    }
    ReportScreen #report-quarter {
        width: 16;
    }
    ReportScreen #report-body {
        height: 1fr;
        padding: 0 1;
    }
    ReportScreen .report-title {
        text-style: bold;
        color: $accent;
        margin-top: 1;
    }
    ReportScreen #report-summary {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket",
            "quarter(-1)",
            "Previous",
            key_display="[",
            tooltip="The quarter before",
            id="report.previous",
        ),
        Binding(
            "right_square_bracket",
            "quarter(1)",
            "Next",
            key_display="]",
            tooltip="The quarter after",
            id="report.next",
        ),
        Binding(
            "m", "export('md')", "Markdown", tooltip="Write the report as Markdown", id="report.md"
        ),
        Binding("c", "export('csv')", "CSV", tooltip="Write the report as CSV", id="report.csv"),
    ]

    @dataclass
    class Loaded(Message):
        """The quarter's figures were read."""

        report: Report

    @dataclass
    class Exported(Message):
        """A report file was written."""

        path: Path

    @dataclass
    class ReplaceAsked(Message):
        """The report file is already there: ask before replacing it."""

        path: Path
        text: str

    @dataclass
    class ExportRefused(Message):
        """No report file could be written, and why (a `file: …` line)."""

        reason: str

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader("Report")
        with Horizontal(id="report-bar"):
            yield Label("Quarter")
            yield Input(placeholder="YYYY-QN", id="report-quarter")
        with VerticalScroll(id="report-body"):
            yield Static("Loading…", id="report-summary", markup=False)
            for key, title in (
                ("sources", "By source type"),
                ("outcomes", "Outcomes"),
                ("top", "Top sources"),
                ("fees", "Fees (count; amount where the sale price is known)"),
                ("routing", "Routing"),
                ("drops", "Why referrals dropped"),
                ("cohorts", "Closing rate by monthly cohort"),
            ):
                yield Static(title, classes="report-title", markup=False)
                yield Static("", id=f"report-{key}", markup=False)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-body", VerticalScroll).focus()
        self._load(None)

    def action_quarter(self, step: int) -> None:
        field = self.query_one("#report-quarter", Input)
        try:
            self._load(shift_quarter(field.value.strip(), step))
        except ValueError:
            self._load(None)

    @on(Input.Submitted, "#report-quarter")
    def _quarter_typed(self, event: Input.Submitted) -> None:
        self._load(event.value.strip())

    def refresh_from_desk(self) -> None:
        if self.report is not None:
            self._load(self.report.quarter)

    @work(thread=True, exclusive=True, group="report-load", exit_on_error=False)
    def _load(self, quarter: str | None) -> None:
        """Reads the quarter's figures (the current quarter, in the desk's zone, for None)."""
        now = self.now()
        if quarter is None:
            quarter = quarter_of(now.astimezone(self.desk.settings().zone))
        self.post_message(self.Loaded(self.desk.report(quarter, now)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.report = message.report
        self.query_one("#report-quarter", Input).value = message.report.quarter
        for key, text in render_figures(message.report).items():
            self.query_one(f"#report-{key}", Static).update(text)

    def action_export(self, kind: str) -> None:
        if self.report is None:
            self.notify("No report loaded yet.", severity="warning")
            return
        self._export(self.report, kind)

    @work(thread=True, exclusive=False, group="report-export", exit_on_error=False)
    def _export(self, report: Report, kind: str) -> None:
        text = to_markdown(report) if kind == "md" else to_csv(report)
        name = f"referral-report-{report.quarter}.{kind}"
        self._write_first([Path.cwd() / name, data_dir() / "reports" / name], text, force=False)

    @work(thread=True, exclusive=False, group="report-export", exit_on_error=False)
    def _replace(self, path: Path, text: str) -> None:
        self._write_first([path], text, force=True)

    def _write_first(self, paths: list[Path], text: str, *, force: bool) -> None:
        """Writes the first path the desk may write (in a worker); asks before replacing."""
        problem = ""
        for path in paths:
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                written = self.desk.write_file(path, text, force=force)
            except ExistingFile:
                self.post_message(self.ReplaceAsked(path, text))
                return
            except (InvalidInput, OSError) as error:
                problem = problem or str(error)
                continue
            self.post_message(self.Exported(written))
            return
        self.post_message(self.ExportRefused(problem))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.notify(f"Wrote {message.path}", title="Report exported", markup=False)

    @on(ReplaceAsked)
    def _ask_replace(self, message: ReplaceAsked) -> None:
        def answered(replace: bool | None) -> None:
            if replace:
                self._replace(message.path, message.text)
            else:
                self.notify(
                    f"Kept {message.path} as it was.", title="Report not exported", markup=False
                )

        question = f"{message.path} already exists. Replace it with this report?"
        self.app.push_screen(ConfirmScreen(question, yes="Replace", no="Keep it"), answered)

    @on(ExportRefused)
    def _refused(self, message: ExportRefused) -> None:
        self.notify(message.reason, title="Report not exported", severity="error", markup=False)
