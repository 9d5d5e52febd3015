"""Every referral on the desk, newest first: the first screen of the shell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from ..engine.views import ReferralView

if TYPE_CHECKING:
    from ..app import ReferralDeskApp

COLUMNS = ("Referral", "Received", "Status", "Side", "Market", "Band", "Source")
PAGE_SIZE = 500


class ReferralsScreen(Screen[None]):
    """A table of referrals, loaded off the UI thread."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", tooltip="Read the referrals again", id="reload"),
    ]

    @dataclass
    class Loaded(Message):
        """The referrals were read from the desk."""

        referrals: list[ReferralView]
        zone: ZoneInfo

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="referrals", cursor_type="row", zebra_stripes=True)
        yield Static("No referrals yet.", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column.lower())
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        app: ReferralDeskApp = self.app  # type: ignore[assignment]
        zone = app.desk.settings().zone
        self.post_message(self.Loaded(app.desk.referrals(limit=PAGE_SIZE), zone))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        table.clear()
        zone = message.zone
        for referral in message.referrals:
            received = referral.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            band = f"${referral.price_min // 1000:,}K–${referral.price_max // 1000:,}K"
            table.add_row(
                referral.id,
                received,
                referral.status,
                referral.side,
                f"{referral.metro} {referral.zip or ''}".strip(),
                band,
                referral.source.name,
                key=referral.id,
            )
        self.query_one("#empty").display = not message.referrals
        table.display = bool(message.referrals)

    @on(Worker.StateChanged)
    def _report_failure(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(str(event.worker.error), title="Could not load", severity="error")
