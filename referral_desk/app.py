"""The Textual desk: one app factory for the CLI, the demo and the tests.

The app holds the desk service and an injected clock; screens ask the app for
both and never touch SQL. It owns what every screen shares: the places (one
app mode each) and their keys, the command palette, help, the header counts,
and the reassignment clock's worker (`desk_clock.py`), which tells every
screen when the desk changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from .desk_clock import COUNTS_EVERY, ClockBeat, beat, lapse_toast, link_answer_toast
from .engine import Clock, Desk, DeskCounts, DeskError, Lapse, SystemClock
from .messages import DeskChanged, OffersLapsed, ShowReferral
from .navigation import PLACES, Place, place_exists, screen_factory
from .providers import AgentsProvider, DeskActionsProvider, ReferralsProvider
from .widgets.terminal_safe import ControlCharacters

__all__ = ["ReferralDeskApp", "make_app", "run_desk"]

PLACES_GROUP = Binding.Group("go", compact=True)
"""The place keys share one footer label (`?Help qiostpl, go`): each with its own label they
left no room for a screen's actions at 80 columns. `?` and the palette name them."""

CLOCK_INTERVAL = 1.0
"""Seconds between the end of one clock beat and the start of the next."""


CONTROL_CHARACTERS = ControlCharacters()


class ReferralDeskApp(App[None]):
    """The referral desk in a terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "Referral Desk"
    COMMANDS: ClassVar = App.COMMANDS | {DeskActionsProvider, ReferralsProvider, AgentsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "question_mark,f1", "help", "Help", key_display="?", tooltip="Every key here", id="help"
        ),
        *(
            Binding(
                place.key,
                f"go('{place.mode}')",
                place.title,
                tooltip=place.help,
                key_display=place.key_display,
                show=place.in_footer,
                id=f"go-{place.mode}",
                group=PLACES_GROUP,
            )
            for place in PLACES
        ),
        Binding(
            "f2", "go('queue')", "Queue", show=False, tooltip="The live queue", id="go-queue-f2"
        ),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            priority=True,
            show=False,  # as in every Textual app; `?` and the palette show it
            tooltip="Leave the desk",
            id="quit",
        ),
    ]

    counts: reactive[DeskCounts | None] = reactive(None, init=False)
    """The header's counts (waiting, unassigned, thank-yous due, open flags); None until read."""

    def __init__(
        self, desk: Desk, clock: Clock, *, clock_interval: float | None = CLOCK_INTERVAL
    ) -> None:
        """`clock_interval=None` turns the background clock off (tests drive it by hand)."""
        super().__init__()
        self.desk = desk
        self.clock = clock
        self.clock_interval = clock_interval
        self.agent_names: dict[str, str] = {}
        """Agent id → name (refreshed when the desk changes), for screens and toasts."""
        self.places: dict[str, Place] = {}
        """The places whose screens exist, by mode name."""
        self._revision: int | None = None
        self._beats_since_count = 0
        self._seen_event: int | None = None
        """The newest event looked at for answers given on offer links (toasted once)."""
        self._clock_timer: Timer | None = None
        for place in PLACES:
            if place_exists(place):
                self.places[place.mode] = place
                self.add_mode(place.mode, screen_factory(place))

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then the desk's last guard: no control character in any
        rendered line reaches the terminal (`widgets/terminal_safe.py`)."""
        return [*super().get_line_filters(), CONTROL_CHARACTERS]

    def now(self) -> datetime:
        """The desk's current time, from the injected clock (never `datetime.now()`)."""
        return self.clock.now()

    async def on_mount(self) -> None:
        self.sub_title = self.desk.url
        # The screens read the desk as of now; only later changes need a DeskChanged.
        self._revision = self.desk.revision()
        await self.switch_mode("queue")
        self._recount()  # the header's counts now, without ticking
        if self.clock_interval is not None:
            # The first beat waits one interval, so it does not compete with the
            # queue's first read and paint; tests with no interval tick by hand.
            self._clock_timer = self.set_timer(self.clock_interval, self._run_beat)

    def on_unmount(self) -> None:
        self.desk.close()

    # Places, help and referrals -------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hides the key of a place whose screen does not exist yet."""
        if action == "go" and parameters:
            return parameters[0] in self.places
        return True

    async def action_go(self, mode: str) -> None:
        """Goes to a place; pressing its key again there returns to its first screen."""
        if mode not in self.places:
            self.notify(
                f"The {mode} screen is not available yet.", severity="warning", markup=False
            )
            return
        if self.current_mode == mode:
            while len(self.screen_stack) > 1 and not self.screen.is_modal:
                self.pop_screen()
            return
        await self.switch_mode(mode)

    def action_help(self) -> None:
        """Shows every key of the current screen in a modal."""
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    @on(ShowReferral)
    def _show_referral(self, message: ShowReferral) -> None:
        from .screens.referral_detail import ReferralScreen

        current = self.screen
        if isinstance(current, ReferralScreen) and current.referral_id == message.referral_id:
            return
        self.push_screen(ReferralScreen(message.referral_id))

    # The clock ------------------------------------------------------------------------

    async def run_clock_once(self) -> None:
        """One beat, now, awaited: what a test calls after moving its manual clock."""
        recount = self._due_recount()
        result = await asyncio.to_thread(
            beat, self.desk, self.now(), self._revision, recount, self._seen_event
        )
        self._apply_beat(result)

    def announce_write(self, revision: int) -> None:
        """A screen wrote through the desk: every screen re-reads now, not at the next beat."""
        self._deliver(revision)
        self._recount()

    def _due_recount(self) -> bool:
        self._beats_since_count += 1
        return self.counts is None or self._beats_since_count >= COUNTS_EVERY

    def _run_beat(self) -> None:
        self._clock_timer = None
        self._clock_worker(self.now(), self._revision, self._due_recount(), self._seen_event)

    @work(thread=True, exclusive=True, group="clock", exit_on_error=False)
    def _clock_worker(
        self, now: datetime, revision: int | None, recount: bool, seen_event: int | None
    ) -> None:
        self.post_message(beat(self.desk, now, revision, recount, seen_event))

    @on(ClockBeat)
    def _on_beat(self, message: ClockBeat) -> None:
        self._apply_beat(message)

    def _apply_beat(self, result: ClockBeat) -> None:
        if result.names is not None:
            self.agent_names = result.names
        if result.counts is not None:
            self.counts = result.counts
            self._beats_since_count = 0
        for lapse in result.lapses:
            self.notify(lapse_toast(lapse), title=self._lapse_title(lapse), timeout=8, markup=False)
        if result.seen_event is not None:
            self._seen_event = result.seen_event
        for answer in result.link_answers:
            self.notify(link_answer_toast(answer), title="Answered from a link", timeout=8,
                        markup=False)  # fmt: skip
        if result.lapses:
            for screen in self._all_screens():
                screen.post_message(OffersLapsed(list(result.lapses)))
        if result.revision != self._revision:
            self._deliver(result.revision)

    def _lapse_title(self, lapse: Lapse) -> str:
        """`Lapsed: Samuel Goldberg → Olivia Mensah`: the toast's ids, in people's names."""
        names = self.agent_names
        before = names.get(lapse.agent_id, lapse.agent_id)
        after = ", ".join(names.get(agent, agent) for agent in lapse.next_agent_ids)
        return f"Lapsed: {before} → {after or lapse.referral_status}"

    def _deliver(self, revision: int) -> None:
        self._revision = revision
        for screen in self._all_screens():
            screen.post_message(DeskChanged(revision))

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _recount(self) -> None:
        desk = self.desk
        self.post_message(
            ClockBeat([], desk.revision(), desk.counts(self.now()), desk.agent_names())
        )

    def _all_screens(self) -> list[Screen[object]]:
        screens: list[Screen[object]] = []
        for mode in self.places:
            try:
                screens.extend(self.get_screen_stack(mode))
            except KeyError:  # a place never visited has no screens yet
                continue
        return screens

    def report_worker_error(self, worker: Worker[object]) -> None:
        """The one place worker failures become notifications (screens hand theirs here:
        a worker's state changes reach only the node that ran it)."""
        error = worker.error
        if error is None:
            return
        if isinstance(error, DeskError):
            self.notify(str(error), title="Refused", severity="warning", timeout=8, markup=False)
        else:
            title = "The clock failed" if worker.group == "clock" else "Something went wrong"
            # The error's own words may quote what someone typed (or be a markup error).
            message = f"{type(error).__name__}: {error}"
            self.notify(message, title=title, severity="error", markup=False)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers: a failure is reported; the clock re-arms here."""
        worker = event.worker
        if event.state == WorkerState.ERROR:
            self.report_worker_error(worker)
        if (
            worker.group == "clock"
            and worker.node is self
            and event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
            and self.clock_interval is not None
            and self.is_running
            and self._clock_timer is None
        ):
            self._clock_timer = self.set_timer(self.clock_interval, self._run_beat)


def make_app(
    database: str, clock: Clock | None = None, *, clock_interval: float | None = CLOCK_INTERVAL
) -> ReferralDeskApp:
    """The app over a database path or URL; the one factory everything uses."""
    return ReferralDeskApp(
        Desk.open(database), clock or SystemClock(), clock_interval=clock_interval
    )


def run_desk(database: str, clock: Clock | None = None) -> int:
    """Opens the TUI and returns an exit code when it closes."""
    make_app(database, clock).run()
    return 0
