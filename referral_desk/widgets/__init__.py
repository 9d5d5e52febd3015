"""Reusable widgets of the desk.

The names below are loaded on first use (PEP 562): importing one widget module
(say `widgets.countdown`, which the queue needs for its first paint) no longer
imports every form widget and their Textual dependencies with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .countdown import COUNTDOWN_WIDTH, CountdownStyles, countdown_level, countdown_text
    from .desk_footer import DeskFooter
    from .desk_header import DeskHeader, counts_content
    from .form_field import FormField, problems_by_field
    from .intake_form import IntakeForm
    from .price_input import PriceInput, format_band, format_price, parse_price
    from .routing_outcome import RoutingOutcome
    from .score import ScoreBreakdown, score_bar

_MODULES = {
    "COUNTDOWN_WIDTH": "countdown",
    "CountdownStyles": "countdown",
    "DeskFooter": "desk_footer",
    "DeskHeader": "desk_header",
    "FormField": "form_field",
    "IntakeForm": "intake_form",
    "PriceInput": "price_input",
    "RoutingOutcome": "routing_outcome",
    "ScoreBreakdown": "score",
    "countdown_level": "countdown",
    "countdown_text": "countdown",
    "counts_content": "desk_header",
    "format_band": "price_input",
    "format_price": "price_input",
    "parse_price": "price_input",
    "problems_by_field": "form_field",
    "score_bar": "score",
}

__all__ = [
    "COUNTDOWN_WIDTH",
    "CountdownStyles",
    "DeskFooter",
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


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
