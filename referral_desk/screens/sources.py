"""Sources: who refers clients to us, how often, and what they sent.

Top sources come first (most referrals), so the people to thank and report
on are at the top. Highlighting a party lists its referrals below; Enter on
one asks the app to open it. Both lists load a page at a time, the next page
when the cursor reaches the end, so a desk with years of sources opens fast.
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

from ..engine import ReferralView, SourceView
from ..messages import ShowReferral
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from ..widgets.price_input import format_band
from .base import DeskScreen
from .common import local_time

__all__ = ["SourcesScreen"]

SOURCE_PAGE = 100
"""Referring parties read at a time."""
REFERRAL_PAGE = 50
"""Referrals of one party read at a time."""
GIFTS = {"gifts": "gifts ok", "no_gifts": "no gifts"}


class SourcesScreen(DeskScreen):
    """Referring parties (top first) above the referrals of the highlighted one."""

    DEFAULT_CSS = """
    SourcesScreen #sources {
        height: 1fr;
    }
    SourcesScreen #source-referrals {
        height: 1fr;
    }
    SourcesScreen .sources--line {
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SourcesScreen #source-title {
        padding: 0 1;
        background: $panel;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m", "more", "More", tooltip="Load the next page of the focused list", id="sources.more"
        ),
        Binding(
            "escape",
            "back_to_sources",
            "Sources",
            tooltip="Back to the sources list",
            id="sources.back",
            show=False,
        ),
    ]

    @dataclass
    class SourcesLoaded(Message):
        """A page of referring parties (replacing the list when `offset` is 0)."""

        sources: list[SourceView]
        offset: int
        limit: int
        zone: ZoneInfo

    @dataclass
    class ReferralsLoaded(Message):
        """A page of one party's referrals."""

        source_id: str
        referrals: list[ReferralView]
        offset: int
        limit: int

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.sources: list[SourceView] = []
        self.referrals: list[ReferralView] = []
        self.zone = ZoneInfo("UTC")
        self._more_sources = False
        self._more_referrals = False
        self._shown_source: str | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader("Sources")
        yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield Static("", id="source-summary", classes="sources--line", markup=False)
        yield Static("Referrals", id="source-title", markup=False)
        yield DataTable(id="source-referrals", cursor_type="row", zebra_stripes=True)
        yield Static(
            "Enter on a referral opens it.",
            id="referral-summary",
            classes="sources--line",
            markup=False,
        )
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        sources = self.query_one("#sources", DataTable)
        for label, key in (
            ("Name", "name"),
            ("Type", "type"),
            ("Tag", "tag"),
            ("Referrals", "count"),
            ("Last referral", "last"),
            ("Gifts", "gifts"),
            ("Id", "id"),
        ):
            sources.add_column(label, key=key)
        referrals = self.query_one("#source-referrals", DataTable)
        for label in (
            "Referral",
            "Received",
            "Status",
            "Client",
            "Side",
            "Market",
            "Band",
            "Agent",
        ):
            referrals.add_column(label, key=label.lower())
        sources.focus()
        self._load_sources(0, SOURCE_PAGE)

    # --- referring parties ----------------------------------------------------------

    @work(thread=True, exclusive=True, group="sources-load", exit_on_error=False)
    def _load_sources(self, offset: int, limit: int) -> None:
        zone = self.desk.settings().zone
        page = self.desk.sources(limit, offset)
        self.post_message(self.SourcesLoaded(page, offset, limit, zone))

    @on(SourcesLoaded)
    def _sources_loaded(self, message: SourcesLoaded) -> None:
        table = self.query_one("#sources", DataTable)
        self.zone = message.zone
        keep = self._shown_source
        if message.offset == 0:
            self.sources = []
            table.clear()
        page = message.sources
        self._more_sources = len(page) >= message.limit
        self.sources.extend(page)
        for source in page:
            table.add_row(
                Text(source.name),
                source.type,
                Text(source.tag),
                Text(str(source.referral_count), justify="right"),
                local_time(source.last_referral_at, self.zone),
                GIFTS.get(source.gift_policy, source.gift_policy),
                source.id,
                key=source.id,
            )
        if message.offset == 0 and keep is not None:
            index = next((i for i, s in enumerate(self.sources) if s.id == keep), None)
            if index is not None:
                table.move_cursor(row=index, animate=False)
        self._summarise_sources()
        if message.offset == 0:
            self._show_source(self._highlighted_source(), force=True)

    def _summarise_sources(self) -> None:
        more = " · more below (m or scroll to the end)" if self._more_sources else ""
        text = (
            f"{len(self.sources)} referring part{'y' if len(self.sources) == 1 else 'ies'}"
            f" loaded{more}"
            if self.sources
            else "No referring parties yet: they appear with their first referral."
        )
        self.query_one("#source-summary", Static).update(text)

    def _highlighted_source(self) -> SourceView | None:
        table = self.query_one("#sources", DataTable)
        row = table.cursor_row
        return self.sources[row] if 0 <= row < len(self.sources) else None

    @on(DataTable.RowHighlighted, "#sources")
    def _source_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_source(self._highlighted_source())
        if event.cursor_row >= len(self.sources) - 1 and self._more_sources:
            self._more_sources = False
            self._load_sources(len(self.sources), SOURCE_PAGE)

    @on(DataTable.RowSelected, "#sources")
    def _source_selected(self) -> None:
        self.query_one("#source-referrals", DataTable).focus()

    def _show_source(self, source: SourceView | None, force: bool = False) -> None:
        if source is None:
            self._shown_source = None
            self.query_one("#source-title", Static).update("Referrals")
            self.query_one("#source-referrals", DataTable).clear()
            return
        if source.id == self._shown_source and not force:
            return
        same = source.id == self._shown_source
        self._shown_source = source.id
        contact = " · ".join(
            part for part in (source.email, source.phone, source.brokerage) if part
        )
        self.query_one("#source-title", Static).update(
            f"{source.name} ({source.id}) · {source.type} · "
            f"{source.referral_count} referral(s){' · ' + contact if contact else ''}"
        )
        loaded = len(self.referrals) if same else 0
        self._load_referrals(source.id, 0, max(REFERRAL_PAGE, loaded))

    # --- the party's referrals ------------------------------------------------------

    @work(thread=True, exclusive=True, group="sources-referrals", exit_on_error=False)
    def _load_referrals(self, source_id: str, offset: int, limit: int) -> None:
        page = self.desk.referrals_from_source(source_id, limit=limit, offset=offset)
        self.post_message(self.ReferralsLoaded(source_id, page, offset, limit))

    @on(ReferralsLoaded)
    def _referrals_loaded(self, message: ReferralsLoaded) -> None:
        if message.source_id != self._shown_source:
            return  # the cursor has moved on; a newer page is on its way
        table = self.query_one("#source-referrals", DataTable)
        keep = table.cursor_row
        if message.offset == 0:
            self.referrals = []
            table.clear()
        self._more_referrals = len(message.referrals) >= message.limit
        self.referrals.extend(message.referrals)
        names = getattr(self.app, "agent_names", {})
        for referral in message.referrals:
            client = f"{referral.client_first_name} {referral.client_last_name}".strip()
            agent = referral.assigned_agent_id or ""
            table.add_row(
                referral.id,
                local_time(referral.received_at, self.zone),
                referral.status.replace("_", " "),
                Text(client),
                referral.side,
                Text(f"{referral.metro} {referral.zip or ''}".strip()),
                format_band(referral.price_min, referral.price_max),
                Text(names.get(agent, agent)),
                key=referral.id,
            )
        if message.offset == 0 and 0 < keep < table.row_count:
            table.move_cursor(row=keep, animate=False)
        more = " · more below (m)" if self._more_referrals else ""
        self.query_one("#referral-summary", Static).update(
            f"{len(self.referrals)} shown{more} · Enter on a referral opens it"
            if self.referrals
            else "No referrals from this party."
        )

    @on(DataTable.RowHighlighted, "#source-referrals")
    def _referral_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.referrals) - 1 and self._more_referrals:
            self._more_referrals = False
            assert self._shown_source is not None
            self._load_referrals(self._shown_source, len(self.referrals), REFERRAL_PAGE)

    @on(DataTable.RowSelected, "#source-referrals")
    def _referral_selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(ShowReferral(str(event.row_key.value)))

    # --- keys and changes -----------------------------------------------------------

    def action_more(self) -> None:
        """Loads the next page of whichever list has the focus."""
        if self.focused is self.query_one("#source-referrals") and self._shown_source:
            if self._more_referrals:
                self._more_referrals = False
                self._load_referrals(self._shown_source, len(self.referrals), REFERRAL_PAGE)
                return
        elif self._more_sources:
            self._more_sources = False
            self._load_sources(len(self.sources), SOURCE_PAGE)
            return
        self.notify("Everything is loaded.", severity="information")

    def action_back_to_sources(self) -> None:
        """Moves the focus back to the list of parties."""
        self.query_one("#sources", DataTable).focus()

    def refresh_from_desk(self) -> None:
        self._load_sources(0, max(SOURCE_PAGE, len(self.sources)))
