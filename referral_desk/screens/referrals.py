"""Every referral on the desk, newest first, a page at a time; Enter opens one.

The queue shows only what the desk is waiting on; this list is how a VA
reaches the rest (awarded, in escrow, closed) to move them along. It loads
one page (a DataTable of 100,000 rows would take seconds to mount) and is
re-read when the desk changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from ..engine import STATUS_LABELS, ReferralView
from ..messages import ShowReferral
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from .base import DeskScreen

__all__ = ["PAGE_SIZE", "ReferralsScreen"]

COLUMNS = ("Referral", "Received", "Status", "Side", "Market", "Band", "Source")
PAGE_SIZE = 500
"""Referrals listed at once: the newest, which are the ones a desk works on."""


class ReferralsScreen(DeskScreen):
    """A table of the newest referrals, loaded off the UI thread."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Detail", tooltip="Open the referral", id="referrals-open"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Read the referrals again", id="reload"),
    ]

    @dataclass
    class Loaded(Message):
        """The referrals were read from the desk."""

        referrals: list[ReferralView]
        zone: ZoneInfo

    def compose(self) -> ComposeResult:
        yield DeskHeader(f"All referrals (newest {PAGE_SIZE})")
        yield DataTable(id="referrals", cursor_type="row", zebra_stripes=True)
        yield Static("No referrals yet.", id="empty")
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column.lower())
        self.refresh_from_desk()

    def refresh_from_desk(self) -> None:
        """Reads the newest referrals again (in a thread)."""
        self._load()

    def action_reload(self) -> None:
        self.refresh_from_desk()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.post_message(ShowReferral(key))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(ShowReferral(event.row_key.value))

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        zone = self.desk.settings().zone
        self.post_message(self.Loaded(self.desk.referrals(limit=PAGE_SIZE), zone))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        zone = message.zone
        for referral in message.referrals:
            received = referral.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            band = f"${referral.price_min // 1000:,}K–${referral.price_max // 1000:,}K"
            table.add_row(
                referral.id,
                received,
                STATUS_LABELS.get(referral.status, referral.status),
                referral.side,
                Text(f"{referral.metro} {referral.zip or ''}".strip()),
                band,
                Text(referral.source.name),
                key=referral.id,
            )
        if message.referrals:
            table.move_cursor(row=min(cursor, len(message.referrals) - 1))
        self.query_one("#empty").display = not message.referrals
        table.display = bool(message.referrals)
