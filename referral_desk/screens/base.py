"""What every desk screen shares: the desk service and the injected clock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import events, on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ..engine import Desk
from ..messages import DeskChanged

if TYPE_CHECKING:
    from ..app import ReferralDeskApp


class DeskScreen(Screen[None]):
    """A screen of the desk. Database work goes in thread workers; never SQL here.

    When the desk changes (this desk's writes, the clock, another process) the
    screen in front reads again at once; a screen behind it or in another place
    only notes that it is stale and reads again when it comes back, so a busy
    clock does not keep every screen of every place reading in the background.
    """

    shown_revision: int | None = None
    """The desk revision of what the screen shows, when it knows it: a change
    notice for that revision (its own write coming back) needs no new read."""
    _stale = False

    def refresh_from_desk(self) -> None:
        """Reads what the screen shows again (in a worker). Screens with desk data override it."""

    @on(DeskChanged)
    def _desk_changed(self, message: DeskChanged) -> None:
        if message.revision == self.shown_revision:
            return
        if self.is_current:
            self.refresh_from_desk()
        else:
            self._stale = True

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A worker's failure stops at the screen that ran it: the app tells the user."""
        if event.state == WorkerState.ERROR:
            self.desk_app.report_worker_error(event.worker)

    @on(events.ScreenResume)
    def _read_if_stale(self) -> None:
        if self._stale:
            self._stale = False
            self.refresh_from_desk()

    @property
    def desk_app(self) -> ReferralDeskApp:
        return self.app  # type: ignore[return-value]

    @property
    def desk(self) -> Desk:
        """The desk service (call it from thread workers)."""
        return self.desk_app.desk

    def now(self) -> datetime:
        """The desk's current time, from the app's injected clock."""
        return self.desk_app.now()
