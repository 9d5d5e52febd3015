"""How an acceptance window's countdown reads and is coloured, everywhere it shows.

The queue and the detail screen both show "time left"; they share this module
so the thresholds (warning under five minutes, error at zero) and the fixed
width stay the same. Colours come from the running theme's variables
(`$warning`, `$error`), looked up once per theme, so every Textual theme works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from textual.app import App

__all__ = [
    "COUNTDOWN_WIDTH",
    "WARNING_SECONDS",
    "CountdownStyles",
    "countdown_level",
    "countdown_text",
]

WARNING_SECONDS = 5 * 60
"""Under this many seconds left, a countdown turns to the theme's warning colour."""

COUNTDOWN_WIDTH = 8
"""Cells the countdown column takes: `1:00:00` and `lapsing` both fit, so it never resizes."""

Level = Literal["idle", "calm", "warning", "error"]


def countdown_text(seconds: int | None) -> str:
    """`29:59`, `1:02:03`, `lapsing` at zero, `—` when nothing is ticking."""
    if seconds is None:
        return "—"
    if seconds <= 0:
        return "lapsing"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def countdown_level(seconds: int | None) -> Level:
    """Which colour a countdown takes: none, normal, warning (< 5 min) or error (0)."""
    if seconds is None:
        return "idle"
    if seconds <= 0:
        return "error"
    if seconds < WARNING_SECONDS:
        return "warning"
    return "calm"


class CountdownStyles:
    """Rich styles for countdown cells, built from the app's current theme variables.

    DataTable cells are Rich renderables, which cannot name `$warning`; this turns
    the theme's variables into concrete colours and rebuilds when the theme changes.
    """

    def __init__(self, app: App[object]) -> None:
        self._app = app
        self._theme: str | None = None
        self._styles: dict[str, Style] = {}

    def style(self, name: str) -> Style:
        """A style by role: `idle`, `calm`, `warning`, `error`, `unassigned`, `muted`."""
        if self._theme != self._app.theme:
            self._rebuild()
        return self._styles[name]

    def cell(self, seconds: int | None) -> Text:
        """The countdown as a right-aligned, coloured cell of fixed width."""
        text = countdown_text(seconds)
        return Text(
            text.rjust(COUNTDOWN_WIDTH),
            style=self.style(countdown_level(seconds)),
            end="",
            no_wrap=True,
        )

    def _rebuild(self) -> None:
        variables = self._app.theme_variables
        self._theme = self._app.theme

        def colour(name: str) -> str | None:
            value = variables.get(name, "")
            return value if value.startswith("#") else None

        self._styles = {
            "idle": Style(dim=True),
            "calm": Style(),
            "warning": Style(color=colour("warning"), bold=True),
            "error": Style(color=colour("error"), bold=True),
            "unassigned": Style(color=colour("error"), bold=True, reverse=True),
            "muted": Style(dim=True),
            "accent": Style(color=colour("accent")),
            "success": Style(color=colour("success")),
        }
