"""'Why this agent': an offer's five routing values as small bars.

Every offer keeps the breakdown routing computed (territory, price, capacity,
history, property type, each in [0, 1]); showing it as bars lets a VA see at a
glance why an agent was chosen without reading numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content
from textual.widgets import Static

__all__ = ["DIMENSIONS", "ScoreBreakdown", "score_bar"]

DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("territory", "territory"),
    ("price", "price"),
    ("capacity", "capacity"),
    ("history", "history"),
    ("property_type", "type"),
)
"""The breakdown's keys in the order DESIGN.md lists them, with a short label."""

BAR_WIDTH = 10
"""Cells per bar: ten cells, eighth-block precision, fits an 80-column terminal."""

_EIGHTHS = " ▏▎▍▌▋▊▉"


def score_bar(value: float, width: int = BAR_WIDTH) -> str:
    """A left-to-right bar of `width` cells for a value in [0, 1] (eighth-cell precision)."""
    clamped = min(1.0, max(0.0, value))
    eighths = round(clamped * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full
    if part and full < width:
        bar += _EIGHTHS[part]
    return bar.ljust(width, "·")


class ScoreBreakdown(Static):
    """Five labelled bars with their values, e.g. `territory ██████████ 1.00`."""

    DEFAULT_CSS = """
    ScoreBreakdown {
        width: auto;
        height: auto;
        padding: 0 0 0 2;
        margin: 0 0 1 0;
    }
    """

    def __init__(self, breakdown: Mapping[str, float], **kwargs: object) -> None:
        super().__init__(self.content_of(breakdown), **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def content_of(breakdown: Mapping[str, float]) -> Content:
        """The bars as Content; values missing from an old offer read as 0."""
        lines = []
        for key, label in DIMENSIONS:
            value = float(breakdown.get(key, 0.0))
            lines.append(
                Content.from_markup(
                    f"{label:<9} [$accent]$bar[/] $value",
                    bar=score_bar(value),
                    value=f"{value:.2f}",
                )
            )
        return Content("\n").join(lines)
