"""Intake: type a referral in, see at once where it went and why, take the next one.

The VA types while the client or partner is still on the phone, so nothing
typed may be lost: a refused submit keeps every field and puts the engine's
message under the field it names; leaving a half-filled form asks first. The
desk is called only from thread workers; results come back as messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from ..engine import AgentView, Desk, InvalidInput, ReferralView, RoutingDecision, SourceView
from ..messages import ShowReferral
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from ..widgets.intake_form import IntakeForm
from ..widgets.routing_outcome import RoutingOutcome, stored_title
from .base import DeskScreen
from .common import announce_write
from .confirm import ConfirmScreen
from .writing import Refused, Written, write, writing

__all__ = ["IntakeScreen"]


def _preview(
    desk: Desk, payload: dict[str, Any], local: dict[str, str], now: datetime
) -> RoutingDecision:
    """The dry run: who would get the referral; nothing is stored. With slips the form
    found itself it is refused, carrying the desk's own in the same pass."""
    decision = desk.preview(payload, now)
    if local:
        raise InvalidInput(())
    return decision


def _store(
    desk: Desk, payload: dict[str, Any], local: dict[str, str], now: datetime
) -> ReferralView:
    """Stores and routes the referral; with slips the form found itself, stores nothing
    and is refused with every other field's slips too."""
    if local:
        desk.preview(payload, now)  # checks every other field in the same pass
        raise InvalidInput(())
    return desk.intake(payload, now)[0]


class IntakeScreen(DeskScreen):
    """The intake form on the left, where the last referral went on the right."""

    DEFAULT_CSS = """
    IntakeScreen #intake-body {
        height: 1fr;
    }
    IntakeScreen #intake-main {
        width: 3fr;
    }
    IntakeScreen IntakeForm {
        height: 1fr;
    }
    IntakeScreen #intake-side {
        width: 2fr;
        min-width: 30;
        border-left: vkey $border-blurred;
    }
    IntakeScreen #intake-side > .side--title {
        padding: 0 1;
        text-style: bold;
        background: $panel;
        width: 1fr;
    }
    IntakeScreen #intake-buttons {
        height: auto;
        padding: 0 1;
    }
    IntakeScreen #intake-buttons Button {
        margin-right: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "submit",
            "Submit",
            tooltip="Store the referral and route it",
            id="intake.submit",
        ),
        Binding(
            "ctrl+r",
            "preview",
            "Preview",
            tooltip="Show who would get it; saves nothing",
            id="intake.preview",
        ),
        Binding(
            "ctrl+l", "clear", "Clear", tooltip="Empty the form (asks first)", id="intake.clear"
        ),
        Binding(
            "ctrl+o",
            "open_last",
            "Open last",
            tooltip="Open the referral just stored",
            id="intake.open_last",
            show=False,
        ),
        Binding(
            "escape",
            "leave",
            "Back",
            tooltip="Leave intake (asks before discarding)",
            id="intake.leave",
        ),
    ]

    @dataclass
    class LookupsLoaded(Message):
        """Known parties, the roster and the settings the form needs were read."""

        sources: list[SourceView]
        agents: list[AgentView]
        default_mode: str
        zone: ZoneInfo
        fallback_id: str | None

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._sent_mode = "best_fit"
        """The routing mode of the request under way (the preview shows it)."""
        self._sent_slips: dict[str, str] = {}
        """The form's own slips in the request under way, marked with the desk's."""
        self._agent_names: dict[str, str] = {}
        self._default_mode = "best_fit"
        self._zone = ZoneInfo("UTC")
        self._fallback_id: str | None = None
        self.last_stored: ReferralView | None = None
        """The referral this screen stored last (shown in the panel)."""

    def compose(self) -> ComposeResult:
        yield DeskHeader("Intake")
        with Horizontal(id="intake-body"):
            with Vertical(id="intake-main", classes="-form"):
                yield IntakeForm(id="intake-form")
                with Horizontal(id="intake-buttons"):
                    yield Button("Submit (ctrl+s)", id="submit", variant="primary", compact=True)
                    yield Button("Preview (ctrl+r)", id="preview", compact=True)
            with Vertical(id="intake-side"):
                yield Static("Where it goes", classes="side--title")
                yield RoutingOutcome(id="outcome")
        yield DeskFooter(compact=True)

    @property
    def form(self) -> IntakeForm:
        """The form widget."""
        return self.query_one(IntakeForm)

    def on_mount(self) -> None:
        self._focus_first()
        self._load_lookups()

    def _focus_first(self) -> None:
        self.form.control("client_first_name").focus()
        self.form.scroll_home(animate=False)

    # --- reading what the form needs ----------------------------------------------

    @work(thread=True, exclusive=True, group="intake-lookups", exit_on_error=False)
    def _load_lookups(self) -> None:
        settings = self.desk.settings()
        self.post_message(
            self.LookupsLoaded(
                self.desk.sources(),
                self.desk.agents(),
                settings.default_mode,
                settings.zone,
                settings.fallback_agent_id,
            )
        )

    @on(LookupsLoaded)
    def _lookups_loaded(self, message: LookupsLoaded) -> None:
        self._agent_names = {agent.id: agent.name for agent in message.agents}
        self._default_mode = message.default_mode
        self._zone = message.zone
        self._fallback_id = message.fallback_id
        self.form.set_lookups(message.sources, message.agents, message.default_mode, message.zone)

    def refresh_from_desk(self) -> None:
        self._load_lookups()

    # --- submit and preview ---------------------------------------------------------

    def action_submit(self) -> None:
        """Stores the referral and routes it (one transaction in the engine)."""
        self._start("submit")

    def action_preview(self) -> None:
        """Shows the routing decision for what is typed, writing nothing."""
        self._start("preview")

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#preview")
    def _preview_pressed(self) -> None:
        self.action_preview()

    def _start(self, what: str) -> None:
        if writing(self):
            self.notify("Still working on the last request…", severity="warning")
            return
        payload, local = self.form.payload()
        self._sent_mode, self._sent_slips = payload.get("mode") or "best_fit", local
        now = self.now()
        call = _preview if what == "preview" else _store
        write(self, lambda desk: call(desk, payload, local, now), what)

    @on(Written)
    def _written(self, message: Written[RoutingDecision | ReferralView]) -> None:
        if isinstance(message.result, RoutingDecision):
            self._previewed(message.result)
        else:
            self._stored(message.result, message.revision)

    def _stored(self, referral: ReferralView, revision: int) -> None:
        self.last_stored = referral
        self.query_one(RoutingOutcome).show_stored(referral, self._agent_names, self._zone)
        summary, _ = stored_title(referral, referral.open_offers, self._agent_names)
        unassigned = referral.status == "unassigned"
        self.notify(
            summary,
            title="Unassigned" if unassigned else "Referral stored",
            severity="warning" if unassigned else "information",
            markup=False,
        )
        self.form.clear(self._default_mode)
        self._focus_first()
        announce_write(self, revision)
        self._load_lookups()

    def _previewed(self, decision: RoutingDecision) -> None:
        self.form.show_problems((), {})
        self.query_one(RoutingOutcome).show_preview(
            decision, self._agent_names, self._sent_mode, self._fallback_id
        )

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        problems, local = message.lines("input"), self._sent_slips
        first = self.form.show_problems(problems, local)
        count = len(set(problems) | set(local))
        self.notify(
            f"Nothing was stored: fix the marked field{'s' if count > 1 else ''}.",
            title="Check the form",
            severity="warning",
            markup=False,
        )
        if first is not None:
            first.control.focus()
            self.form.scroll_to_widget(first, animate=False)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves on to the next field, as on a paper form."""
        event.stop()
        self.focus_next()

    # --- clearing and leaving -------------------------------------------------------

    async def confirm_discard(self) -> bool:
        """Whether it is fine to drop what is typed (asks when the form is half-filled).

        Call from an async worker (it waits for the answer); the app can use it
        before switching away from intake.
        """
        if not self.form.is_dirty:
            return True
        question = ConfirmScreen("Discard the referral you are typing? It has not been stored.")
        answer: bool = await self.app.push_screen_wait(question)
        return answer

    def action_clear(self) -> None:
        """Empties the form for a new referral, asking first if something was typed."""
        self._clear()

    @work(exclusive=True, group="prompt")
    async def _clear(self) -> None:
        if await self.confirm_discard():
            self.form.clear(self._default_mode)
            self._focus_first()

    async def action_leave(self) -> None:
        """Goes back: pops this screen when it was pushed (asking before a half-filled
        form is discarded); as a place of its own, goes to the queue and keeps the form."""
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self._leave()
        elif "queue" in getattr(self.app, "places", {}):
            if self.form.is_dirty:
                self.notify(
                    "What you typed is kept here for when you come back.", title="Intake kept"
                )
            await self.app.run_action("go('queue')")

    @work(exclusive=True, group="prompt")
    async def _leave(self) -> None:
        if not await self.confirm_discard():
            return
        self.form.clear(self._default_mode)
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.app.pop_screen()

    def action_open_last(self) -> None:
        """Asks the app to open the referral just stored."""
        if self.last_stored is None:
            self.notify("No referral stored here yet.", severity="warning")
            return
        self.post_message(ShowReferral(self.last_stored.id))
