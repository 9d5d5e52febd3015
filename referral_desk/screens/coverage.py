"""Coverage: where the roster is thin, and where referrals dropped lately.

One row per metro and side, worst first: the agents who could be offered such
a referral now (active, present, covering it, serving the side, with a free
slot), their free slots, and what the market received and dropped in the last
90 days. A thin market (fewer than 3 agents now) stands out, and the line
under the table says the highlighted row in words, so a team lead reads
"Denver sellers: 1 agent; 4 of 6 dropped" and knows where to recruit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from ..engine import CoverageRow
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from .base import DeskScreen
from .common import announce_write
from .tune import TuneScreen
from .writing import Refused, Written, write

__all__ = ["CoverageScreen"]

COLUMNS = (
    ("", "thin"),
    ("Metro", "metro"),
    ("Side", "side"),
    ("Agents now", "agents"),
    ("Free slots", "free"),
    ("Received 90 d", "received"),
    ("Dropped 90 d", "dropped"),
)
EMPTY = "No market yet: import the roster (partners import FILE) or take in a referral."


class CoverageScreen(DeskScreen):
    """Each metro and side: who could take its referrals now, and its last 90 days."""

    DEFAULT_CSS = """
    CoverageScreen #coverage {
        height: 1fr;
    }
    CoverageScreen #coverage-line {
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "u",
            "tune",
            "Tune settings",
            tooltip="Search settings that would drop fewer referrals (asks before applying)",
            id="coverage.tune",
        ),
    ]

    @dataclass
    class Loaded(Message):
        """The coverage rows were read."""

        rows: list[CoverageRow]
        revision: int

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.rows: list[CoverageRow] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader("Coverage")
        yield DataTable(id="coverage", cursor_type="row", zebra_stripes=True)
        yield Static("Reading the roster…", id="coverage-line", markup=False)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#coverage", DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.refresh_from_desk()

    def refresh_from_desk(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="coverage-load", exit_on_error=False)
    def _load(self) -> None:
        desk = self.desk
        revision = desk.revision()
        self.post_message(self.Loaded(desk.reports.coverage(self.now()), revision))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows, self.shown_revision = message.rows, message.revision
        table = self.query_one("#coverage", DataTable)
        keep = None
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        for row in message.rows:
            table.add_row(*_cells(row), key=f"{row.metro.casefold()}|{row.side}")
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self._describe()

    def action_tune(self) -> None:
        self.app.push_screen(TuneScreen(), self._apply)

    def _apply(self, changes: dict[str, str] | None) -> None:
        if changes:
            now = self.now()
            write(self, lambda desk: desk.set_settings(changes, now), "tune")

    @on(Written)
    def _applied(self, message: Written[object]) -> None:
        self.notify(
            "The tuned settings are the desk's now.", title="Settings applied", markup=False
        )
        announce_write(self, message.revision)

    @on(Refused)
    def _not_applied(self, message: Refused) -> None:
        self.notify(
            str(message.error), title="Settings not applied", severity="error", markup=False
        )

    @on(DataTable.RowHighlighted)
    def _describe(self) -> None:
        line = self.query_one("#coverage-line", Static)
        if not self.rows:
            line.update(EMPTY)
            return
        table = self.query_one("#coverage", DataTable)
        row = self.rows[min(table.cursor_row, len(self.rows) - 1)]
        thin = sum(row.thin for row in self.rows)
        line.update(f"{row.reason} · {thin} of {len(self.rows)} thin")


def _cells(row: CoverageRow) -> list[Text]:
    """A row's cells as text (metro names are typed by people: never markup)."""
    style = "bold red" if row.thin and row.dropped_90d else "bold yellow" if row.thin else ""
    return [
        Text("THIN" if row.thin else "", style=style),
        Text(row.metro, style=style),
        Text(row.side),
        Text(f"{row.eligible_agents:,}", justify="right"),
        Text(f"{row.free_slots:,}", justify="right"),
        Text(f"{row.received_90d:,}", justify="right"),
        Text(f"{row.dropped_90d:,}", justify="right", style="red" if row.dropped_90d else ""),
    ]
