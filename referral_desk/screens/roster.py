"""The roster: who can receive referrals, where, and how full they are.

A team lead scans it for coverage and load, so it sorts by any column (click
the header, or `n` / `r`) and filters as you type (a name, a metro, a side,
`active`, `away`, `inactive`, `full`). Adding, editing, time away and imports
happen in modals that write through the desk and show its messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from ..engine import AgentView
from ..widgets.desk_footer import DeskFooter
from ..widgets.desk_header import DeskHeader
from ..widgets.price_input import format_band
from .agent_form import AgentFormScreen
from .base import DeskScreen
from .common import announce_write, theme_style
from .roster_columns import COLUMNS, WIDTHS, agent_status, away_text, matches_filter, metros_text
from .roster_import import RosterImportScreen
from .vacation import VacationScreen
from .writing import Refused, Written, write

__all__ = ["RosterScreen"]


class RosterScreen(DeskScreen):
    """Every agent with territory, sides, sweet spot, load against capacity and status."""

    DEFAULT_CSS = """
    RosterScreen #roster-filter {
        margin: 0 1;
    }
    RosterScreen DataTable {
        height: 1fr;
    }
    RosterScreen #roster-summary {
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", tooltip="Add an agent", id="roster.add"),
        Binding("e", "edit", "Edit", tooltip="Edit the highlighted agent", id="roster.edit"),
        Binding("v", "vacation", "Away", tooltip="Set or clear time away", id="roster.vacation"),
        Binding(
            "x",
            "toggle_active",
            "On/off",
            tooltip="Activate or deactivate the agent",
            id="roster.toggle-active",
        ),
        Binding(
            "ctrl+o",
            "import_csv",
            "Import",
            tooltip="Import a roster CSV file",
            id="roster.import",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            tooltip="Filter the roster",
            id="roster.filter",
        ),
        Binding(
            "n",
            "sort_next",
            "Sort",
            show=False,  # room in the footer at 80 columns; `?` lists it, a header click sorts
            tooltip="Sort by the next column",
            id="roster.sort",
        ),
        Binding(
            "r",
            "sort_reverse",
            "Reverse",
            tooltip="Reverse the sort order",
            id="roster.reverse",
            show=False,
        ),
        Binding(
            "escape",
            "leave_filter",
            "Table",
            tooltip="Back to the table",
            id="roster.leave-filter",
            show=False,
        ),
    ]

    @dataclass
    class Loaded(Message):
        """The roster was read, with the desk's today (for away dates)."""

        agents: list[AgentView]
        today: date

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.agents: list[AgentView] = []
        self.today = date.min
        self.sort_key = "id"
        self.sort_reverse = False

    def compose(self) -> ComposeResult:
        yield DeskHeader("Roster")
        yield Input(
            placeholder="Filter: name, metro, ZIP, side, active, away, inactive, full",
            id="roster-filter",
            compact=True,
        )
        yield DataTable(id="roster-table", cursor_type="row", zebra_stripes=True)
        yield Static("Loading the roster…", id="roster-summary", markup=False)
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._label_columns()
        table.focus()
        self._load(self.now())

    @work(thread=True, exclusive=True, group="roster-load", exit_on_error=False)
    def _load(self, now: datetime) -> None:
        zone = self.desk.settings().zone
        self.post_message(self.Loaded(self.desk.agents(), now.astimezone(zone).date()))

    def refresh_from_desk(self) -> None:
        self._load(self.now())

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if self.agents and (message.agents, message.today) == (self.agents, self.today):
            return  # nothing changed: keep the table as it is (no flicker, no re-measure)
        self.agents, self.today = message.agents, message.today
        self._fill()

    # --- the table ----------------------------------------------------------------

    def visible_agents(self) -> list[AgentView]:
        """The agents the filter lets through, in the chosen order."""
        text = self.query_one("#roster-filter", Input).value
        shown = [agent for agent in self.agents if matches_filter(agent, self.today, text)]
        sort_by = next(key for column, _, key in COLUMNS if column == self.sort_key)
        return sorted(shown, key=sort_by, reverse=self.sort_reverse)

    def _fill(self, keep: AgentView | None = None) -> None:
        table = self.query_one(DataTable)
        keep = keep or self.highlighted_agent()
        shown = self.visible_agents()
        table.clear()
        muted, warning = theme_style(self, "text-muted"), theme_style(self, "warning")
        for agent in shown:
            status = agent_status(agent, self.today)
            dim = muted if status == "inactive" or status.startswith("away") else None
            load_style = warning if agent.load >= agent.capacity else None
            table.add_row(
                Text(agent.id, style=dim or ""),
                Text(agent.name, style=dim or ""),
                Text(f"{agent.load}/{agent.capacity}", style=load_style or ""),
                Text(status, style=dim or ""),
                agent.sides,
                Text(metros_text(agent)),
                format_band(agent.price_min, agent.price_max),
                agent.kind,
                agent.preferred_channel,
                key=agent.id,
            )
        if keep is not None and any(agent.id == keep.id for agent in shown):
            table.move_cursor(row=table.get_row_index(keep.id), animate=False)
        full = sum(1 for agent in self.agents if agent.load >= agent.capacity)
        summary = self.query_one("#roster-summary", Static)
        if not self.agents:
            summary.update("No agents yet: press a to add one, or ctrl+o to import a CSV.")
        elif not shown:
            summary.update(f"No agent matches the filter ({len(self.agents)} on the roster).")
        else:
            summary.update(f"{len(shown)} of {len(self.agents)} agents · {full} at capacity")

    def _label_columns(self) -> None:
        """(Re)builds the columns with the sort arrow on the sorted one.

        Columns are rebuilt rather than relabelled: the table measures a header
        when the column is added, so a relabelled header was drawn at its old
        width until some later refresh.
        """
        table = self.query_one(DataTable)
        arrow = " ▼" if self.sort_reverse else " ▲"
        table.clear(columns=True)
        for key, label, _ in COLUMNS:
            text = Text(label + (arrow if key == self.sort_key else ""))
            table.add_column(text, width=WIDTHS[key], key=key)

    def sort_by(self, key: str, reverse: bool = False) -> None:
        """Orders the roster by a column."""
        keep = self.highlighted_agent()
        self.sort_key, self.sort_reverse = key, reverse
        self._label_columns()
        self._fill(keep)

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        self.sort_by(key, reverse=not self.sort_reverse if key == self.sort_key else False)

    def action_sort_next(self) -> None:
        """Sorts by the next column to the right."""
        keys = [key for key, _, _ in COLUMNS]
        self.sort_by(keys[(keys.index(self.sort_key) + 1) % len(keys)])

    def action_sort_reverse(self) -> None:
        """Flips the order."""
        self.sort_by(self.sort_key, not self.sort_reverse)

    @on(Input.Changed, "#roster-filter")
    def _filtered(self) -> None:
        self._fill()

    @on(Input.Submitted, "#roster-filter")
    def action_leave_filter(self) -> None:
        """Back from the filter to the table."""
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        """Puts the cursor in the filter."""
        self.query_one("#roster-filter", Input).focus()

    def highlighted_agent(self) -> AgentView | None:
        """The agent under the table's cursor, if any."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((agent for agent in self.agents if agent.id == key), None)

    def _chosen(self) -> AgentView | None:
        agent = self.highlighted_agent()
        if agent is None:
            self.notify("Highlight an agent first.", severity="warning")
        return agent

    # --- changes ------------------------------------------------------------------

    def action_add(self) -> None:
        """Opens the form for a new agent."""
        self._edit(None)

    def action_edit(self) -> None:
        """Opens the form for the highlighted agent."""
        agent = self._chosen()
        if agent is not None:
            self._edit(agent)

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_edit()

    @work(exclusive=True, group="prompt")
    async def _edit(self, agent: AgentView | None) -> None:
        ids = {existing.id for existing in self.agents}
        saved = await self.app.push_screen_wait(AgentFormScreen(agent, ids))
        if saved is not None:
            self.notify(f"{saved.name} ({saved.id}) saved.", title="Roster", markup=False)
            self._load(self.now())

    def action_vacation(self) -> None:
        """Sets or clears the highlighted agent's time away."""
        agent = self._chosen()
        if agent is not None:
            self._vacation(agent)

    @work(exclusive=True, group="prompt")
    async def _vacation(self, agent: AgentView) -> None:
        saved = await self.app.push_screen_wait(VacationScreen(agent))
        if saved is not None:
            when = (
                "no time away"
                if not (saved.away_from or saved.away_until)
                else (f"away {away_text(saved)}")
            )
            self.notify(f"{saved.name}: {when}.", title="Roster", markup=False)
            self._load(self.now())

    def action_import_csv(self) -> None:
        """Imports a roster CSV (all or nothing)."""
        self._import()

    @work(exclusive=True, group="prompt")
    async def _import(self) -> None:
        counts = await self.app.push_screen_wait(RosterImportScreen())
        if counts is not None:
            created, updated = counts
            self.notify(
                f"{created} agent(s) added, {updated} updated.",
                title="Roster imported",
                markup=False,
            )
            self._load(self.now())

    def action_toggle_active(self) -> None:
        """Deactivates an active agent (no new offers) or activates an inactive one."""
        agent = self._chosen()
        if agent is not None:
            agent_id, active, now = agent.id, not agent.active, self.now()
            write(self, lambda desk: desk.set_active(agent_id, active, now))

    @on(Written)
    def _changed(self, message: Written[AgentView]) -> None:
        agent = message.result
        note = "active again" if agent.active else "deactivated: no new offers"
        self.notify(f"{agent.name} {note}.", title="Roster", markup=False)
        announce_write(self, message.revision)
        self._load(self.now())

    @on(Refused)
    def _failed(self, message: Refused) -> None:
        self.notify(str(message.error), title="Not changed", severity="error", markup=False)
