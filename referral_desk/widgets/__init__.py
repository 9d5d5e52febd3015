"""Reusable widgets of the desk."""

from __future__ import annotations

from .countdown import COUNTDOWN_WIDTH, CountdownStyles, countdown_level, countdown_text
from .desk_header import DeskHeader, counts_content
from .form_field import FormField, problems_by_field
from .intake_form import IntakeForm
from .price_input import PriceInput, format_band, format_price, parse_price
from .routing_outcome import RoutingOutcome
from .score import ScoreBreakdown, score_bar

__all__ = [
    "COUNTDOWN_WIDTH",
    "CountdownStyles",
    "DeskHeader",
    "FormField",
    "IntakeForm",
    "PriceInput",
    "RoutingOutcome",
    "ScoreBreakdown",
    "countdown_level",
    "countdown_text",
    "counts_content",
    "format_band",
    "format_price",
    "parse_price",
    "problems_by_field",
    "score_bar",
]
