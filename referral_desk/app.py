"""The Textual desk: one app factory for the CLI, the demo and the tests.

The app holds the desk service and an injected clock; screens ask the app for
both and never touch SQL. Database work runs in thread workers.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from .engine.clock import Clock, SystemClock
from .engine.desk import Desk
from .screens.referrals import ReferralsScreen


class ReferralDeskApp(App[None]):
    """The referral desk in a terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "Referral Desk"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="Leave the desk", id="quit"),
    ]

    def __init__(self, desk: Desk, clock: Clock) -> None:
        super().__init__()
        self.desk = desk
        self.clock = clock

    def now(self) -> datetime:
        """The desk's current time, from the injected clock."""
        return self.clock.now()

    def on_mount(self) -> None:
        self.sub_title = self.desk.store.url
        self.push_screen(ReferralsScreen())

    def on_unmount(self) -> None:
        self.desk.close()


def make_app(database: str, clock: Clock | None = None) -> ReferralDeskApp:
    """The app over a database path or URL; the one factory everything uses."""
    return ReferralDeskApp(Desk.open(database), clock or SystemClock())


def run_desk(database: str, clock: Clock | None = None) -> int:
    """Opens the TUI and returns an exit code when it closes."""
    make_app(database, clock).run()
    return 0
