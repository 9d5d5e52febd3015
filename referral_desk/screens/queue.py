"""The queue: every referral the desk is waiting on, oldest first, with live countdowns.

This is the screen a team lead glances at and a VA works from all day, so it
is built to stay cheap: the desk is re-read only when it changed (a
`DeskChanged` message), and one 1-second timer repaints only the countdown
cells of the rows on screen whose text changed, inside one batch. Rows are
keyed by referral id, so a re-read updates cells in place instead of
rebuilding the table, and the cursor stays where the user left it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Static

from ..engine import STATUS_LABELS, ReferralView
from ..messages import ShowReferral
from ..widgets.countdown import COUNTDOWN_WIDTH, CountdownStyles, countdown_text
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from .responding import RESPONSE_BINDINGS, RespondingScreen

__all__ = ["COLUMNS", "QueueRow", "QueueScreen", "queue_row"]

COLUMNS: tuple[tuple[str, str], ...] = (
    ("referral", "Referral"),
    ("left", "Left"),
    ("status", "Status"),
    ("agent", "Offered to"),
    ("client", "Client"),
    ("market", "Market"),
    ("mode", "Mode"),
    ("received", "Received"),
)
"""Column keys and labels, most urgent first so 80 columns still show what matters."""

TEXT_COLUMNS = tuple(key for key, _ in COLUMNS if key != "left")

MODE_LABELS = {
    "best_fit": "best fit",
    "round_robin": "round robin",
    "on_duty": "on duty",
    "broadcast": "broadcast",
    "network": "network",
    "private": "private",
    "isa": "ISA",
    "warm_transfer": "WARM · on the line",
    "open": "open",
}


@dataclass(frozen=True)
class QueueRow:
    """One referral as the queue shows it: plain text cells and the deadline that ticks."""

    key: str
    """The referral id, which is also the table's row key."""
    referral: ReferralView
    """The referral itself, for the keys that act on it."""
    cells: tuple[str, ...]
    """The text of every column but the countdown, in `TEXT_COLUMNS` order."""
    deadline: datetime | None
    """The soonest open offer's window end; None when nothing is ticking."""

    @property
    def unassigned(self) -> bool:
        return self.referral.status == "unassigned"

    @property
    def urgent(self) -> bool:
        """A warm transfer still ringing: its minutes stand out like an unassigned row."""
        return self.referral.mode == "warm_transfer" and self.referral.status == "offered"

    def seconds_left(self, now: datetime) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - now).total_seconds()))


def _agents_cell(referral: ReferralView, names: dict[str, str]) -> str:
    def name(agent_id: str) -> str:
        return names.get(agent_id, agent_id)

    offered = [offer.agent_id for offer in referral.offers if offer.status == "offered"]
    interested = [offer.agent_id for offer in referral.offers if offer.status == "interested"]
    if referral.status == "unassigned":
        return "nobody — needs the lead"
    if referral.status == "qualifying" and referral.assigned_agent_id:
        return f"ISA {name(referral.assigned_agent_id)}"
    if referral.status == "pending" and referral.assigned_agent_id:
        return f"→ {name(referral.assigned_agent_id)}"
    if interested:
        more = f" +{len(interested) - 1}" if len(interested) > 1 else ""
        return f"★ {name(interested[0])}{more}"
    if offered:
        more = f" +{len(offered) - 1}" if len(offered) > 1 else ""
        return f"{name(offered[0])}{more}"
    return "—"


def _status_cell(referral: ReferralView) -> str:
    if referral.status == "unassigned":
        return "UNASSIGNED"
    if referral.status == "accepted":
        count = sum(1 for offer in referral.offers if offer.status == "interested")
        return f"{count} interested"
    if referral.status == "pending":
        return "pending fee"
    if referral.status == "offered" and referral.mode == "warm_transfer":
        return "CALL NOW"
    return STATUS_LABELS.get(referral.status, referral.status).lower()


def queue_row(referral: ReferralView, names: dict[str, str], zone: ZoneInfo) -> QueueRow:
    """Builds a row's text off the UI thread (pure: no Textual, no clock)."""
    deadlines = [offer.expires_at for offer in referral.offers if offer.status == "offered"]
    last = f" {referral.client_last_name[:1]}." if referral.client_last_name else ""
    cells = (
        referral.id,
        _status_cell(referral),
        _agents_cell(referral, names),
        f"{referral.client_first_name}{last}",
        f"{referral.metro} {referral.zip or ''}".strip(),
        MODE_LABELS.get(referral.mode, referral.mode),
        referral.received_at.astimezone(zone).strftime("%a %H:%M"),
    )
    return QueueRow(referral.id, referral, cells, min(deadlines) if deadlines else None)


@dataclass
class QueueLoaded(Message):
    """The queue was read from the desk (in a worker)."""

    rows: list[QueueRow]
    revision: int


class QueueTable(DataTable[Text]):
    """The queue's table; tells its screen when it scrolled, so new rows in view tick at once."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value) and isinstance(self.screen, QueueScreen):
            self.screen.refresh_countdowns()


class QueueScreen(RespondingScreen):
    """What the desk is waiting on: offers ticking, interest to award, the unassigned."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Detail", tooltip="Open the referral", id="open"),
        *RESPONSE_BINDINGS,
    ]

    TICK_SECONDS = 1.0
    """How often the visible countdowns repaint."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, QueueRow] = {}
        self._order: list[str] = []
        self._shown_left: dict[str, str] = {}
        self._ticker: Timer | None = None
        self._styles: CountdownStyles | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader("Queue")
        yield QueueTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static(
            "Nothing is waiting on an agent. New referrals show up here as they arrive "
            "(press i to take one in).",
            id="empty",
        )
        yield DeskFooter(compact=True)

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    def on_mount(self) -> None:
        self._styles = CountdownStyles(self.app)
        table = self.table
        for key, label in COLUMNS:
            width = COUNTDOWN_WIDTH if key == "left" else None
            table.add_column(label, key=key, width=width)
        table.display = False
        self.query_one("#empty").display = False
        self._ticker = self.set_interval(self.TICK_SECONDS, self.refresh_countdowns)
        self.refresh_from_desk()

    def on_screen_resume(self) -> None:
        if self._ticker is not None:
            self._ticker.resume()
        self.refresh_countdowns()

    def on_screen_suspend(self) -> None:
        """Under a modal or another place, the countdowns stop repainting."""
        if self._ticker is not None:
            self._ticker.pause()

    def refresh_from_desk(self) -> None:
        """Reads the queue again (in a thread)."""
        self._load()

    @work(thread=True, exclusive=True, group="queue-load", exit_on_error=False)
    def _load(self) -> None:
        desk = self.desk
        revision = desk.revision()
        names = dict(self.desk_app.agent_names) or desk.agent_names()
        zone = desk.settings().zone
        rows = [queue_row(referral, names, zone) for referral in desk.queue()]
        self.post_message(QueueLoaded(rows, revision))

    @on(QueueLoaded)
    def _loaded(self, message: QueueLoaded) -> None:
        self.shown_revision = message.revision
        self._apply(message.rows)

    def current_referral(self) -> ReferralView | None:
        table = self.table
        if not self._order or table.cursor_row >= len(self._order):
            return None
        row = self._rows.get(self._order[table.cursor_row])
        return row.referral if row else None

    def action_open(self) -> None:
        referral = self.current_referral()
        if referral is not None:
            self.post_message(ShowReferral(referral.id))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(ShowReferral(event.row_key.value))

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.refresh_answer_keys()

    # Painting -------------------------------------------------------------------------

    def _text_cells(self, row: QueueRow) -> list[Text]:
        assert self._styles is not None
        cells = []
        for key, value in zip(TEXT_COLUMNS, row.cells, strict=True):
            style = None
            if row.unassigned and key in ("referral", "status"):
                style = self._styles.style("unassigned" if key == "status" else "error")
            elif row.urgent and key in ("status", "mode"):
                style = self._styles.style("unassigned")  # a client waits on the line
            elif key == "agent" and row.referral.status == "accepted":
                style = self._styles.style("accent")
            cells.append(Text(value, style=style or "", end="", no_wrap=True))
        return cells

    def _row_cells(self, row: QueueRow, now: datetime) -> list[Text]:
        assert self._styles is not None
        cells = self._text_cells(row)
        seconds = row.seconds_left(now)
        self._shown_left[row.key] = countdown_text(seconds)
        cells.insert(1, self._styles.cell(seconds))
        return cells

    def _apply(self, rows: list[QueueRow]) -> None:
        """Brings the table to `rows`, touching only what changed."""
        table = self.table
        now = self.now()
        new = {row.key: row for row in rows}
        order = [row.key for row in rows]
        cursor_key = self._order[table.cursor_row] if self._order and table.row_count else None
        with self.app.batch_update():
            for key in [key for key in self._order if key not in new]:
                table.remove_row(key)
                self._shown_left.pop(key, None)
            remaining = [key for key in self._order if key in new]
            added = [key for key in order if key not in self._rows]
            if order == remaining + added:
                for key in remaining:
                    self._update_row(self._rows[key], new[key])
                for key in added:
                    table.add_row(*self._row_cells(new[key], now), key=key)
            else:
                table.clear()
                self._shown_left.clear()
                for row in rows:
                    table.add_row(*self._row_cells(row, now), key=row.key)
            self._rows, self._order = new, order
            if cursor_key in new:
                table.move_cursor(row=order.index(cursor_key), scroll=False)
        table.display = bool(rows)
        self.query_one("#empty").display = not rows
        self.refresh_countdowns()
        self.refresh_answer_keys()

    def _update_row(self, old: QueueRow, new: QueueRow) -> None:
        if old.cells == new.cells and old.referral.status == new.referral.status:
            return
        table = self.table
        cells = self._text_cells(new)
        for index, key in enumerate(TEXT_COLUMNS):
            if old.cells[index] != new.cells[index] or key in ("referral", "status", "agent"):
                table.update_cell(new.key, key, cells[index], update_width=True)

    def refresh_countdowns(self) -> None:
        """Repaints the countdown cells of the rows in view whose text changed."""
        if not self._order or self._styles is None or not self.is_current:
            return
        table = self.table
        first = max(0, round(table.scroll_y))
        visible = self._order[first : first + table.size.height + 1]
        now = self.now()
        changes: list[tuple[str, Text]] = []
        for key in visible:
            seconds = self._rows[key].seconds_left(now)
            text = countdown_text(seconds)
            if self._shown_left.get(key) != text:
                self._shown_left[key] = text
                changes.append((key, self._styles.cell(seconds)))
        if not changes:
            return
        with self.app.batch_update():
            for key, cell in changes:
                table.update_cell(key, "left", cell, update_width=False)
