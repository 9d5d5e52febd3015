"""The one-line header every desk screen shares: where you are, and what needs you.

The counts (waiting, unassigned, thank-yous due, open flags) live on the app
as a reactive, refreshed whenever the desk changes; each header watches it, so
every screen shows the same numbers without querying anything itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from ..engine import DeskCounts, count_text

if TYPE_CHECKING:
    from ..app import ReferralDeskApp

__all__ = ["DeskHeader", "counts_content"]


def counts_content(counts: DeskCounts | None) -> Content:
    """`7 waiting · 1 unassigned · 3 thanks due · 2 flags`, the urgent ones coloured."""
    if counts is None:
        return Content("counting…")
    parts = [
        Content.from_markup("[b]$n[/] waiting", n=count_text(counts.waiting)),
        Content.from_markup(
            "[b $error]$n[/] unassigned" if counts.unassigned else "[b]$n[/] unassigned",
            n=count_text(counts.unassigned),
        ),
        Content.from_markup(
            "[b $warning]$n[/] thanks due" if counts.thanks_due else "[b]$n[/] thanks due",
            n=count_text(counts.thanks_due),
        ),
        Content.from_markup(
            "[b $warning]$n[/] flags" if counts.open_flags else "[b]$n[/] flags",
            n=count_text(counts.open_flags),
        ),
    ]
    return Content(" · ").join(parts)


class DeskHeader(Horizontal):
    """Title of the place on the left, the desk's counts on the right."""

    DEFAULT_CSS = """
    DeskHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    DeskHeader #desk-title {
        width: 1fr;
        padding: 0 1;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DeskHeader #desk-counts {
        width: auto;
        padding: 0 1;
        text-wrap: nowrap;
    }
    """

    def __init__(self, place: str) -> None:
        super().__init__()
        self.place = place
        """Which screen this header tops (e.g. `Queue`)."""

    def compose(self) -> ComposeResult:
        yield Static(f"Referral Desk › {self.place}", id="desk-title", markup=False)
        yield Static(counts_content(None), id="desk-counts", markup=False)

    def on_mount(self) -> None:
        app: ReferralDeskApp = self.app  # type: ignore[assignment]
        self.watch(app, "counts", self._show_counts, init=True)

    def _show_counts(self, counts: DeskCounts | None) -> None:
        self.query_one("#desk-counts", Static).update(counts_content(counts))
