"""One referral in full: client, source, status and its next moves, offers with 'why
this agent', the event timeline, fees, tasks and flags.

Opened from the queue (Enter), the list of all referrals, or the palette; Escape
goes back. The same answer keys as the queue work here, plus `m` to move the
status. The referral is re-read when the desk changes; an open offer's
countdown ticks every second from the app's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Label, Static

from ..engine import (
    DROP_CAUSE_WORDS,
    STATUS_LABELS,
    TRANSITIONS,
    USER_MOVES,
    OfferView,
    ReferralView,
    cents_to_text,
)
from ..widgets.countdown import countdown_level, countdown_text
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from ..widgets.score import ScoreBreakdown
from .responding import RESPONSE_BINDINGS, RespondingScreen
from .status_change import StatusChange, StatusChanged

__all__ = ["ReferralScreen"]

WIDE = 110
"""From this many columns the detail shows two columns side by side."""


@dataclass
class ReferralLoaded(Message):
    """The referral was read from the desk (in a worker)."""

    referral: ReferralView
    revision: int
    zone: ZoneInfo
    names: dict[str, str]


def _kv(label: str, value: str) -> Content:
    return Content.from_markup("[$text-muted]$label[/] $value", label=f"{label:<9}", value=value)


def _money(low: int, high: int) -> str:
    return f"${low:,}–${high:,}"


RELATIONSHIP = "served this source's referral "
"""How an `offered` event says the agent was chosen first for an existing relationship."""


def _relationship(referral: ReferralView, offer: OfferView) -> str:
    """`First: served this source's referral R-000012`, for an offer made to the agent who
    took the source's last referral (`prefer_previous_agent`); empty for any other."""
    for event in referral.events:
        if (
            event.kind == "offered"
            and event.agent_id == offer.agent_id
            and event.at == offer.offered_at
        ):
            _, found, rest = event.detail.partition(RELATIONSHIP)
            return f"First: {RELATIONSHIP}{rest}" if found else ""
    return ""


class ReferralScreen(RespondingScreen):
    """A referral's detail, and the moves that can be made on it."""

    HIDE_UNFIT = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to where you came from", id="back"),
        Binding(
            "m", "move", "Move status", tooltip="Change the status (next moves listed)", id="move"
        ),
        *RESPONSE_BINDINGS,
    ]

    def __init__(self, referral_id: str) -> None:
        super().__init__()
        self.referral_id = referral_id
        """The referral shown (`R-000042`)."""
        self.referral: ReferralView | None = None
        self._zone = ZoneInfo("UTC")
        self._names: dict[str, str] = {}
        self._ticker: Timer | None = None
        self._shown_left: dict[int, str] = {}
        self._offer_lines: dict[int, Static] = {}

    def compose(self) -> ComposeResult:
        yield DeskHeader(f"Referral {self.referral_id}")
        with VerticalScroll(id="detail"):
            yield Static(f"Loading {self.referral_id}…", id="title", markup=False)
            with Horizontal(id="columns"):
                with Vertical(id="left"):
                    yield Label("Client", classes="section")
                    yield Static("", id="client")
                    yield Label("Source", classes="section")
                    yield Static("", id="source")
                    yield Label("Status", classes="section")
                    yield Static("", id="status")
                    yield Label("Offers — why this agent", classes="section")
                    yield Vertical(id="offers")
                with Vertical(id="right"):
                    yield Label("Timeline", classes="section")
                    yield Static("", id="timeline")
                    yield Label("Fees", classes="section")
                    yield Static("", id="fees")
                    yield Label("Tasks", classes="section")
                    yield Static("", id="tasks")
                    yield Label("Flags", classes="section")
                    yield Static("", id="flags")
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1.0, self._tick)
        self.refresh_from_desk()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < WIDE, "narrow")

    def on_screen_resume(self) -> None:
        if self._ticker is not None:
            self._ticker.resume()

    def on_screen_suspend(self) -> None:
        if self._ticker is not None:
            self._ticker.pause()

    def current_referral(self) -> ReferralView | None:
        return self.referral

    def action_back(self) -> None:
        self.dismiss(None)

    def refresh_from_desk(self) -> None:
        """Reads the referral again (in a thread)."""
        self._load()

    @work(thread=True, exclusive=True, group="detail-load", exit_on_error=False)
    def _load(self) -> None:
        desk = self.desk
        revision = desk.revision()
        names = dict(self.desk_app.agent_names) or desk.agent_names()
        referral = desk.referral(self.referral_id)
        self.post_message(ReferralLoaded(referral, revision, desk.settings().zone, names))

    @on(ReferralLoaded)
    async def _loaded(self, message: ReferralLoaded) -> None:
        self.referral, self.shown_revision = message.referral, message.revision
        self._zone, self._names = message.zone, message.names
        await self._show(message.referral)
        self.refresh_answer_keys()

    def action_move(self) -> None:
        if self.referral is not None:
            self._move(self.referral)

    @work(group="prompt", exclusive=True, exit_on_error=False)
    async def _move(self, referral: ReferralView) -> None:
        result: StatusChanged | None = await self.app.push_screen_wait(StatusChange(referral))
        if result is None:
            return
        label = STATUS_LABELS.get(result.referral.status, result.referral.status)
        self.notify(f"{referral.id} → {label}", timeout=4, markup=False)
        self.desk_app.announce_write(result.revision)

    # Rendering ------------------------------------------------------------------------

    def _when(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return moment.astimezone(self._zone).strftime("%a %b %d %H:%M")

    def _agent(self, agent_id: str | None) -> str:
        if agent_id is None:
            return "—"
        return f"{self._names.get(agent_id, agent_id)} ({agent_id})"

    async def _show(self, referral: ReferralView) -> None:
        status = STATUS_LABELS.get(referral.status, referral.status)
        badge = "[b reverse $error]" if referral.status == "unassigned" else "[b reverse $accent]"
        self.query_one("#title", Static).update(
            Content.from_markup(
                f"[b]$id[/] · $client · {badge} $status [/]",
                id=referral.id,
                client=f"{referral.client_first_name} {referral.client_last_name}".strip(),
                status=status,
            )
        )
        client = [
            _kv("Name", f"{referral.client_first_name} {referral.client_last_name}".strip()),
            _kv("Contact", f"{referral.client_email or '—'} · {referral.client_phone or '—'}"),
            _kv(
                "Wants",
                f"{referral.side} · {referral.property_type} · "
                f"{_money(referral.price_min, referral.price_max)}",
            ),
            _kv("Market", f"{referral.metro} {referral.zip or ''}".strip()),
            _kv("Timeline", referral.timeline or "—"),
            _kv("Notes", referral.notes or "—"),
            _kv("Received", self._when(referral.received_at)),
        ]
        self.query_one("#client", Static).update(Content("\n").join(client))
        source = referral.source
        self.query_one("#source", Static).update(
            Content("\n").join(
                [
                    _kv("Name", f"{source.name} ({source.type}) · {source.id}"),
                    _kv("Referred", f"{source.referral_count} so far"),
                ]
            )
        )
        self._show_status(referral)
        self._show_history(referral)
        await self._show_offers(referral)

    def _show_status(self, referral: ReferralView) -> None:
        moves = TRANSITIONS.get(referral.status, ())
        user = USER_MOVES.get(referral.status, ())
        by_routing = [STATUS_LABELS.get(move, move) for move in moves if move not in user]
        lines = [_kv("Now", STATUS_LABELS.get(referral.status, referral.status))]
        if referral.assigned_agent_id:
            lines.append(_kv("Agent", self._agent(referral.assigned_agent_id)))
        lines.append(_kv("Mode", referral.mode.replace("_", " ")))
        if referral.drop_cause is not None:
            lines.append(_kv("Dropped", DROP_CAUSE_WORDS[referral.drop_cause]))
        if user:
            lines.append(
                _kv("Next (m)", " · ".join(STATUS_LABELS.get(move, move) for move in user))
            )
        if by_routing:
            maker = "logging the fee" if referral.status == "pending" else "routing"
            lines.append(_kv("By desk", f"{' · '.join(by_routing)} (made by {maker})"))
        if not moves:
            lines.append(_kv("Next", "nothing: this referral is finished"))
        if referral.closing_date:
            lines.append(_kv("Closing", referral.closing_date.isoformat()))
        if referral.sale_price:
            rate = f" at {referral.commission_rate}%" if referral.commission_rate else ""
            lines.append(_kv("Sale", f"${referral.sale_price:,}{rate}"))
        if referral.lost_reason:
            lines.append(_kv("Lost", referral.lost_reason))
        self.query_one("#status", Static).update(Content("\n").join(lines))

    def _offer_line(self, offer: OfferView, now: datetime) -> Content:
        seconds = offer.seconds_left(now)
        if seconds is not None:
            level = countdown_level(seconds)
            colour = {"warning": "$warning", "error": "$error"}.get(level, "$success")
            tail = Content.from_markup(
                f" · [b {colour}]$left[/] left", left=countdown_text(seconds)
            )
        else:
            answered = self._when(offer.responded_at) if offer.responded_at else ""
            reason = f" ({offer.reason})" if offer.reason else ""
            tail = Content(f" · {answered}{reason}" if answered or reason else "")
        head = Content.from_markup(
            "[b]$agent[/] · $status · score [b]$score[/] · offered $at",
            agent=self._agent(offer.agent_id),
            status=offer.status,
            score=f"{offer.score:.2f}",
            at=self._when(offer.offered_at),
        )
        return head + tail

    async def _show_offers(self, referral: ReferralView) -> None:
        box = self.query_one("#offers", Vertical)
        now = self.now()
        widgets: list[Static] = []
        self._shown_left.clear()
        self._offer_lines.clear()
        # Newest first: the offer still open (if any) is the one that matters now.
        for offer in reversed(referral.offers):
            line = Static(self._offer_line(offer, now), classes="offer", markup=False)
            self._offer_lines[offer.id] = line
            widgets.append(line)
            widgets.append(ScoreBreakdown(offer.breakdown))
            relationship = _relationship(referral, offer)
            if relationship:
                widgets.append(Static(relationship, classes="muted", markup=False))
            left = offer.seconds_left(now)
            if left is not None:
                self._shown_left[offer.id] = countdown_text(left)
        if not referral.offers:
            widgets.append(Static("No offer yet.", classes="muted"))
        with self.app.batch_update():
            await box.remove_children()
            await box.mount_all(widgets)

    def _tick(self) -> None:
        """Repaints the lines of open offers whose countdown text changed."""
        if self.referral is None or not self._shown_left or not self.is_current:
            return
        now = self.now()
        for offer in self.referral.offers:
            if offer.id not in self._shown_left:
                continue
            text = countdown_text(offer.seconds_left(now))
            if text != self._shown_left[offer.id]:
                self._shown_left[offer.id] = text
                line = self._offer_lines.get(offer.id)
                if line is not None:
                    line.update(self._offer_line(offer, now))

    def _show_history(self, referral: ReferralView) -> None:
        events = [
            Content.from_markup(
                "[$text-muted]$at[/] [b]$kind[/] $rest",
                at=self._when(event.at),
                kind=event.kind,
                rest=" ".join(
                    part
                    for part in (
                        self._agent(event.agent_id) if event.agent_id else "",
                        event.detail,
                    )
                    if part
                ),
            )
            for event in referral.events
        ]
        self.query_one("#timeline", Static).update(
            Content("\n").join(events) if events else Content("Nothing yet.")
        )
        fees = [
            _kv(
                fee.direction,
                f"{fee.percent}% · {fee.counterparty} · agreed by {fee.agreed_by} "
                f"{fee.agreed_on.isoformat()} · expected {cents_to_text(fee.expected_cents) or '—'}"
                f" · paid {cents_to_text(fee.paid_cents) or '—'}",
            )
            for fee in referral.fees
        ]
        self.query_one("#fees", Static).update(
            Content("\n").join(fees) if fees else Content("No fee agreement logged.")
        )
        tasks = [
            _kv(
                "done" if task.done_at else "due",
                f"{task.kind.replace('_', ' ')} · "
                f"{self._when(task.done_at or task.due_at)} · {task.channel or '—'}",
            )
            for task in referral.tasks
        ]
        self.query_one("#tasks", Static).update(
            Content("\n").join(tasks) if tasks else Content("No acknowledgment tasks.")
        )
        flags = [
            _kv(
                "resolved" if flag.resolved_at else "open",
                f"{flag.kind.replace('_', ' ')} · {self._when(flag.raised_at)} · {flag.detail}",
            )
            for flag in referral.flags
        ]
        self.query_one("#flags", Static).update(
            Content("\n").join(flags) if flags else Content("No flags.")
        )
