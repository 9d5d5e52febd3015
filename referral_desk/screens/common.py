"""Small helpers the desk's screens and modals share.

Kept apart from `base.py` (owned with the app shell) so modals, which are not
`DeskScreen`s, reach the desk and the clock the same way, and every screen
turns a crashed worker into the same error toast.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.color import ColorParseError
from rich.style import Style
from textual.dom import DOMNode

if TYPE_CHECKING:
    from textual.worker import Worker

    from ..app import ReferralDeskApp
    from ..engine import Desk

__all__ = ["announce_write", "desk_of", "local_time", "now_of", "report_failure", "theme_style"]


def _app(node: DOMNode) -> ReferralDeskApp:
    return node.app  # type: ignore[return-value]


def report_failure(node: DOMNode, worker: Worker[object]) -> None:
    """A modal's crashed worker becomes the app's usual error toast (`DeskScreen`s get
    theirs from the base class)."""
    _app(node).report_worker_error(worker)


def desk_of(node: DOMNode) -> Desk:
    """The desk service of the app a widget or modal belongs to (use it in thread workers)."""
    return _app(node).desk


def now_of(node: DOMNode) -> datetime:
    """The desk's current time from the app's injected clock (never `datetime.now()`)."""
    return _app(node).now()


def announce_write(node: DOMNode, revision: int) -> None:
    """Tells the app a screen wrote through the desk, so every screen (and the header's
    counts) re-reads now rather than at the clock's next beat."""
    announce = getattr(_app(node), "announce_write", None)
    if announce is not None:
        announce(revision)


def local_time(moment: datetime | None, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as the desk's zone shows it; blank for None."""
    return "" if moment is None else moment.astimezone(zone).strftime(fmt)


def theme_style(node: DOMNode, variable: str, *, bold: bool = False) -> Style:
    """A Rich style in a theme colour (`success`, `warning`, `error`); `text-muted` is dim.

    DataTable cells are Rich text, which cannot name CSS variables; reading the
    colour from the current theme keeps cells in step with every theme.
    """
    if variable == "text-muted":
        return Style(dim=True, bold=bold)
    colour = _app(node).theme_variables.get(variable)
    try:
        return Style(color=colour, bold=bold)
    except ColorParseError:
        return Style(bold=bold)
