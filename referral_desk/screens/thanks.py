"""Thanks: the acknowledgments the desk prompts for, most urgent first.

A referral source who is thanked promptly sends the next one. The VA sees
what is overdue, what is due today (the desk's day, in its time zone) and
what is coming, reads the draft in full with the channel to send it on, sends
it outside the desk, and marks it done here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..engine import SourceView, TaskView
from ..messages import ShowReferral
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from .base import DeskScreen
from .common import announce_write
from .writing import Refused, Written, write

__all__ = ["ThanksScreen", "group_tasks", "relative"]

GROUPS = (("overdue", "Overdue"), ("today", "Due today"), ("upcoming", "Upcoming"))
KIND_LABELS = {
    "personal_thanks": "thank-you",
    "card": "handwritten card",
    "closing_recognition": "closing recognition",
}


def relative(delta: timedelta) -> str:
    """`3 d`, `5 h`, `12 min`: how far a due time is, in the largest whole unit."""
    seconds = abs(int(delta.total_seconds()))
    if seconds >= 86_400:
        return f"{seconds // 86_400} d"
    if seconds >= 3_600:
        return f"{seconds // 3_600} h"
    return f"{max(1, seconds // 60)} min"


def group_tasks(tasks: list[TaskView], now: datetime, zone: ZoneInfo) -> dict[str, list[TaskView]]:
    """Open tasks split into overdue (past due), due today (desk day) and upcoming."""
    today: date = now.astimezone(zone).date()
    groups: dict[str, list[TaskView]] = {key: [] for key, _ in GROUPS}
    for task in tasks:
        if task.done_at is not None:
            continue
        if task.due_at < now:
            groups["overdue"].append(task)
        elif task.due_at.astimezone(zone).date() == today:
            groups["today"].append(task)
        else:
            groups["upcoming"].append(task)
    return groups


class ThanksScreen(DeskScreen):
    """Open acknowledgment tasks by urgency, with the selected one's draft in full."""

    DEFAULT_CSS = """
    ThanksScreen #thanks-body {
        height: 1fr;
    }
    ThanksScreen #thanks-list {
        width: 3fr;
        height: 1fr;
    }
    ThanksScreen #thanks-detail {
        width: 2fr;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $border-blurred;
    }
    ThanksScreen #thanks-title {
        text-style: bold;
    }
    ThanksScreen #thanks-due.-overdue {
        color: $error;
    }
    ThanksScreen #thanks-due.-today {
        color: $warning;
    }
    ThanksScreen #thanks-meta {
        color: $text-muted;
        margin-bottom: 1;
    }
    ThanksScreen #thanks-draft {
        padding: 1;
        background: $boost;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "d", "done", "Done", tooltip="Mark the selected thank-you as done", id="thanks.done"
        ),
        Binding(
            "c",
            "copy_draft",
            "Copy draft",
            tooltip="Copy the draft to the clipboard",
            id="thanks.copy",
        ),
        Binding(
            "enter",
            "open_referral",
            "Open referral",
            tooltip="Open the task's referral",
            id="thanks.open",
            show=False,
        ),
    ]

    @dataclass
    class Loaded(Message):
        """Open tasks and the parties they thank."""

        tasks: list[TaskView]
        sources: dict[str, SourceView]
        zone: ZoneInfo

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.tasks: dict[str, TaskView] = {}
        self.sources: dict[str, SourceView] = {}
        self.zone = ZoneInfo("UTC")

    def compose(self) -> ComposeResult:
        yield DeskHeader("Thanks")
        with Horizontal(id="thanks-body"):
            yield OptionList(id="thanks-list")
            with VerticalScroll(id="thanks-detail"):
                yield Static("", id="thanks-title", markup=False)
                yield Static("", id="thanks-due", markup=False)
                yield Static("", id="thanks-meta", markup=False)
                yield Static("Loading…", id="thanks-draft", markup=False)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="thanks-load", exit_on_error=False)
    def _load(self) -> None:
        zone = self.desk.settings().zone
        sources = {source.id: source for source in self.desk.sources()}
        self.post_message(self.Loaded(self.desk.tasks(open_only=True), sources, zone))

    def refresh_from_desk(self) -> None:
        self._load()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.zone, self.sources = message.zone, message.sources
        self.tasks = {task.id: task for task in message.tasks}
        options = self.query_one(OptionList)
        selected = self.selected_task()
        keep_id = selected.id if selected is not None else None
        keep_index = options.highlighted
        now = self.now()
        options.clear_options()
        groups = group_tasks(message.tasks, now, self.zone)
        for key, title in GROUPS:
            group = groups[key]
            if not group:
                continue
            options.add_option(
                Option(Content.styled(f"{title} ({len(group)})", "bold $accent"), disabled=True)
            )
            options.add_options(self._option(task, now) for task in group)
        if not self.tasks:
            options.add_option(Option("No thank-yous waiting. Nicely done.", disabled=True))
        self._restore(keep_id, keep_index)
        self._show(self.selected_task())

    def _option(self, task: TaskView, now: datetime) -> Option:
        party = self.sources.get(task.source_id)
        who = party.name if party else task.source_id
        due = task.due_at.astimezone(self.zone).strftime("%b %-d %H:%M")
        late = task.due_at < now
        when = f"{relative(task.due_at - now)} {'late' if late else 'left'}"
        return Option(
            Content.assemble(
                (f"{KIND_LABELS.get(task.kind, task.kind)} · {who}", "bold"),
                "\n  ",
                (f"{due} · {when} · {task.referral_id}", "$text-muted"),
            ),
            id=task.id,
        )

    def _restore(self, task_id: str | None, index: int | None) -> None:
        options = self.query_one(OptionList)
        if task_id is not None and task_id in self.tasks:
            options.highlighted = options.get_option_index(task_id)
            return
        enabled = [
            i for i in range(options.option_count) if not options.get_option_at_index(i).disabled
        ]
        if not enabled:
            options.highlighted = None
            return
        wanted = index or 0
        options.highlighted = next((i for i in enabled if i >= wanted), enabled[-1])

    def selected_task(self) -> TaskView | None:
        """The highlighted task, if any."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return self.tasks.get(option.id or "")

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show(self.selected_task())

    def _show(self, task: TaskView | None) -> None:
        title = self.query_one("#thanks-title", Static)
        due = self.query_one("#thanks-due", Static)
        meta = self.query_one("#thanks-meta", Static)
        draft = self.query_one("#thanks-draft", Static)
        if task is None:
            for widget in (title, due, meta):
                widget.update("")
            draft.update("Nothing selected." if self.tasks else "No thank-yous waiting.")
            return
        now = self.now()
        party = self.sources.get(task.source_id)
        who = f"{party.name} ({party.type})" if party else task.source_id
        title.update(f"{KIND_LABELS.get(task.kind, task.kind).capitalize()} for {who}")
        late = task.due_at < now
        local_due = task.due_at.astimezone(self.zone).strftime("%a %b %-d %H:%M")
        due.update(
            f"Due {local_due} — {relative(task.due_at - now)}{' overdue' if late else ' left'}"
        )
        due.set_class(late, "-overdue")
        today = now.astimezone(self.zone).date()
        due.set_class(not late and task.due_at.astimezone(self.zone).date() == today, "-today")
        address = ""
        if party is not None:
            address = {"email": party.email, "sms": party.phone, "call": party.phone}.get(
                task.channel, ""
            )
        meta.update(
            f"Send by {task.channel}{' to ' + address if address else ''} · "
            f"referral {task.referral_id} · task {task.id}"
        )
        draft.update(task.draft)

    # --- actions --------------------------------------------------------------------

    def action_done(self) -> None:
        """Marks the selected thank-you as sent."""
        task = self.selected_task()
        if task is None:
            self.notify("Highlight a thank-you first.", severity="warning")
            return
        task_id, now = task.id, self.now()
        write(self, lambda desk: desk.complete_task(task_id, now))

    @on(Written)
    def _completed(self, message: Written[TaskView]) -> None:
        task = message.result
        party = self.sources.get(task.source_id)
        self.notify(
            f"{KIND_LABELS.get(task.kind, task.kind).capitalize()} for "
            f"{party.name if party else task.source_id} marked done.",
            title="Thanks",
            markup=False,
        )
        announce_write(self, message.revision)
        self._load()

    @on(Refused)
    def _failed(self, message: Refused) -> None:
        self.notify(str(message.error), title="Not marked done", severity="error", markup=False)
        self._load()

    def action_copy_draft(self) -> None:
        """Copies the draft, to paste into an email or a text."""
        task = self.selected_task()
        if task is None:
            self.notify("Highlight a thank-you first.", severity="warning")
            return
        self.app.copy_to_clipboard(task.draft)
        self.notify("Draft copied.", title="Thanks")

    @on(OptionList.OptionSelected)
    def action_open_referral(self) -> None:
        """Asks the app to open the referral the task belongs to."""
        task = self.selected_task()
        if task is not None:
            self.post_message(ShowReferral(task.referral_id))
