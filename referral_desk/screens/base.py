"""What every desk screen shares: the desk service and the injected clock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.screen import Screen

from ..engine.desk import Desk

if TYPE_CHECKING:
    from ..app import ReferralDeskApp


class DeskScreen(Screen[None]):
    """A screen of the desk. Database work goes in thread workers; never SQL here."""

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
