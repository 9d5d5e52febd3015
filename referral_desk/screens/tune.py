"""Tune settings: the desk searches routing settings that would drop fewer referrals.

Opened from Coverage with `u`. The search runs the real desk on a simulated
stream as busy as this desk's last 90 days, with its own roster and its agents'
answer habits (`tune_desk`), in worker processes; a bar shows the runs done. The
best settings are listed against today's; Enter on one asks first, then writes
all its settings in one go. Escape leaves without changing anything (a search
still running is abandoned).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from multiprocessing import resource_tracker
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import Worker, WorkerState

from ..engine import DeskError, Tuned, TuneResult, duration_text, percent_text, tune_desk
from .common import desk_of, now_of, report_failure
from .confirm import ConfirmScreen

__all__ = ["TuneScreen"]


@dataclass
class TuneProgress(Message):
    done: int
    runs: int


@dataclass
class TuneFound(Message):
    result: TuneResult


@dataclass
class TuneFailed(Message):
    reason: str


def _start_resource_tracker() -> None:
    """Starts multiprocessing's helper process while `sys.stderr` is the terminal's.

    The search runs in worker processes, and their first lock starts a helper that
    is handed `sys.stderr`'s file descriptor; in the app that is Textual's capture,
    whose `fileno()` is -1, and starting the helper fails ("bad value(s) in
    fds_to_keep"). Started here with the real stderr, it is already running then.
    """
    real = sys.__stderr__
    if real is None:
        return
    captured, sys.stderr = sys.stderr, real
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


class TuneScreen(ModalScreen[dict[str, str] | None]):
    """Runs the search; dismisses with the settings to apply (None: nothing)."""

    DEFAULT_CSS = """
    TuneScreen {
        align: center middle;
    }
    TuneScreen > Vertical {
        width: 96%;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 1 2;
    }
    TuneScreen #tune-table {
        margin-top: 1;
        display: none;
    }
    TuneScreen #tune-changes {
        margin-top: 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "leave", "Close", tooltip="Leave without changing anything", id="tune.close"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.result: TuneResult | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Searching routing settings on a simulated stream of your desk "
                "(its roster, its settings, its agents' habits)…",
                id="tune-title",
                markup=False,
            )
            yield ProgressBar(id="tune-bar", show_eta=False)
            yield DataTable(id="tune-table", cursor_type="row")
            yield Static("", id="tune-changes", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#tune-table", DataTable)
        for label in ("", "Dropped", "To first offer", "To accepted", "Changes"):
            table.add_column(label, key=label.lower() or "rank")
        self._search()

    @work(thread=True, exclusive=True, group="tune", exit_on_error=False)
    def _search(self) -> None:
        def heard(done: int, runs: int, _what: str) -> None:
            self.post_message(TuneProgress(done, runs))

        _start_resource_tracker()
        try:
            found = tune_desk(desk_of(self), now_of(self), heard)
        except (DeskError, OSError) as error:  # the desk's trouble, or no worker process
            self.post_message(TuneFailed(str(error)))
            return
        self.post_message(TuneFound(found))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Anything else that stops the search is said, by the app, like any worker's."""
        if event.state == WorkerState.ERROR:
            self.post_message(TuneFailed("it failed (see the notice)."))
            report_failure(self, event.worker)

    @on(TuneFailed)
    def _failed(self, message: TuneFailed) -> None:
        self.query_one("#tune-bar", ProgressBar).display = False
        self.query_one("#tune-title", Static).update(
            f"The search stopped: {message.reason} Nothing was changed. Escape closes."
        )

    @on(TuneProgress)
    def _progress(self, message: TuneProgress) -> None:
        self.query_one("#tune-bar", ProgressBar).update(total=message.runs, progress=message.done)

    @on(TuneFound)
    def _found(self, message: TuneFound) -> None:
        self.result = found = message.result
        today = found.today.result
        self.query_one("#tune-title", Static).update(
            f"{found.tried} settings tried on {today.report.received:,} simulated referrals "
            f"({today.config.days} days at this desk's pace); the best {found.finalists - 1} "
            "and today's run on every day. Enter applies the highlighted one (asks first)."
        )
        self.query_one("#tune-bar", ProgressBar).display = False
        table = self.query_one("#tune-table", DataTable)
        table.display = True
        rows = [("today", found.today), *((str(n), t) for n, t in enumerate(found.best, 1))]
        for label, tuned in rows:
            table.add_row(*_cells(label, tuned), key=label)
        table.styles.height = len(rows) + 1  # the header and every row, no more
        table.focus()
        if found.best:
            table.move_cursor(row=1)
        self._describe()

    @on(DataTable.RowHighlighted)
    def _describe(self) -> None:
        chosen = self._chosen()
        text = "Today's settings." if chosen is None else _changes(chosen)
        self.query_one("#tune-changes", Static).update(text)

    def _chosen(self) -> Tuned | None:
        if self.result is None:
            return None
        row = self.query_one("#tune-table", DataTable).cursor_row
        return self.result.best[row - 1] if 1 <= row <= len(self.result.best) else None

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self._confirm(chosen)

    @work(group="prompt", exclusive=True, exit_on_error=False)
    async def _confirm(self, chosen: Tuned) -> None:
        question = f"Write these settings to the desk?\n{_changes(chosen)}"
        if await self.app.push_screen_wait(ConfirmScreen(question, yes="Apply", no="Not now")):
            self.dismiss(dict(chosen.changes))

    def action_leave(self) -> None:
        self.workers.cancel_group(self, "tune")
        self.dismiss(None)


def _changes(tuned: Tuned) -> str:
    return " · ".join(f"{key} = {value}" for key, value in tuned.changes.items())


def _cells(label: str, tuned: Tuned) -> list[Text]:
    report = tuned.result.report
    count = len(tuned.changes)
    return [
        Text(label, style="bold" if label == "today" else ""),
        Text(percent_text(report.dropped_rate), justify="right"),
        Text(duration_text(report.assignment_delay_median), justify="right"),
        Text(duration_text(report.acceptance_median), justify="right"),
        Text(f"{count} setting{'s' * (count != 1)}" if count else "—"),
    ]
