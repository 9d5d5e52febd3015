"""The last guard between what the desk shows and the terminal: no control characters.

Text a person typed is checked when it is stored (the engine's one rule for
free text refuses control characters), but a desk may hold text stored before
that rule, and a `Static` or toast shows its string as it is: an escape
sequence in an agent's name would retitle the terminal or paint over the
screen. Every line every widget renders passes this filter (the app returns it
from `get_line_filters`), which drops C0 and C1 control characters, DEL and the
invisible direction overrides from the text. Each is zero cells wide, so the
layout does not move; what the desk's own widgets draw (colors, links) travels
in styles, never in the text, and is untouched.
"""

from __future__ import annotations

import re
from typing import Final

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

__all__ = ["ControlCharacters"]

UNSAFE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters (C0, DEL, C1: `\\x9b` is an 8-bit CSI) and direction overrides."""


class ControlCharacters(LineFilter):
    """Drops control characters from the text of every rendered segment."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if all(segment.text.isprintable() for segment in segments):
            return segments
        return [
            segment
            if segment.control or segment.text.isprintable()
            else Segment(UNSAFE.sub("", segment.text), segment.style)
            for segment in segments
        ]
