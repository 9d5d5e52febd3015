"""The desk's engine: everything the desk knows and does, with no screen and no web page.

Rooms by area, from the ground up: `rules/` (pure decisions), `storage/`
(tables, transactions), `read/` (views and read queries), `delivery/`
(messages and escalations), `report/` (the quarterly report), `desk/` (the
service: the one place that writes) and `simulate/` (what-if runs). `clock.py`
is the only module that reads the system clock.

This package is the engine's public API: the screens, widgets and the rest of
the app import from here only (import-linter checks it). The names load on
first use, so importing the package costs nothing and a headless command loads
only what it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .clock import Clock, FixedClock, OffsetClock, SystemClock
    from .desk import Desk
    from .desk.routing.lapses import Lapse
    from .read.board import BoardLine, BoardOffer
    from .read.link_answers import LinkAnswer
    from .read.messages import MessageView
    from .read.offer_pages import ClientContact, OfferPage
    from .read.people import AgentView, SourceView
    from .read.summary import DeskCounts, ReferralName
    from .read.views import EventView, FeeView, FlagView, OfferView, ReferralView, TaskView
    from .report.audit import Audit
    from .report.figure_text import count_text, duration_text, money_text, percent_text
    from .report.figures import Report
    from .report.formats import to_csv, to_markdown
    from .rules.bands import band_text
    from .rules.coverage import CoverageRow
    from .rules.drops import DROP_CAUSE_LABELS, DROP_CAUSE_WORDS
    from .rules.eligibility import RoutingDecision
    from .rules.errors import (
        DeskError,
        ExistingFile,
        InvalidInput,
        NotFound,
        PartlyStored,
        Refused,
        StorageError,
        echo,
    )
    from .rules.fees import parse_decimal
    from .rules.lifecycle import (
        CLOSING_DATE_TARGETS,
        SALE_RECORDING_TARGETS,
        STATUS_LABELS,
        TRANSITIONS,
        USER_MOVES,
    )
    from .rules.text import shown_text
    from .rules.timefmt import cents_to_text, iso, parse_day, parse_moment
    from .rules.vocabulary import (
        AGENT_KINDS,
        AGENT_SIDES,
        CHANNELS,
        DEFAULT_MODES,
        INTEREST_MODES,
        MODES,
        PROPERTY_TYPES,
        SEQUENTIAL_MODES,
        SIDES,
        SOURCE_TYPES,
    )
    from .simulate.tune import Tuned, TuneResult
    from .simulate.tune_desk import tune_desk
    from .storage.connect import shown_url
    from .storage.secret import SECRET_ENV
    from .values.schemas import intake_json_schema
    from .values.settings import WEIGHT_KEYS, DeskSettings

_HOMES: dict[str, tuple[str, ...]] = {
    ".clock": ("Clock", "FixedClock", "OffsetClock", "SystemClock"),
    ".desk": ("Desk",),
    ".desk.routing.lapses": ("Lapse",),
    ".read.board": ("BoardLine", "BoardOffer"),
    ".read.link_answers": ("LinkAnswer",),
    ".read.messages": ("MessageView",),
    ".read.offer_pages": ("ClientContact", "OfferPage"),
    ".read.people": ("AgentView", "SourceView"),
    ".read.summary": ("DeskCounts", "ReferralName"),
    ".read.views": ("EventView", "FeeView", "FlagView", "OfferView", "ReferralView", "TaskView"),
    ".report.audit": ("Audit",),
    ".report.figure_text": ("count_text", "duration_text", "money_text", "percent_text"),
    ".report.figures": ("Report",),
    ".report.formats": ("to_csv", "to_markdown"),
    ".rules.bands": ("band_text",),
    ".rules.coverage": ("CoverageRow",),
    ".rules.drops": ("DROP_CAUSE_LABELS", "DROP_CAUSE_WORDS"),
    ".rules.eligibility": ("RoutingDecision",),
    ".rules.fees": ("parse_decimal",),
    ".rules.errors": (
        "DeskError",
        "ExistingFile",
        "InvalidInput",
        "NotFound",
        "PartlyStored",
        "Refused",
        "StorageError",
        "echo",
    ),
    ".rules.lifecycle": (
        "CLOSING_DATE_TARGETS",
        "SALE_RECORDING_TARGETS",
        "STATUS_LABELS",
        "TRANSITIONS",
        "USER_MOVES",
    ),
    ".values.schemas": ("intake_json_schema",),
    ".values.settings": ("WEIGHT_KEYS", "DeskSettings"),
    ".rules.text": ("shown_text",),
    ".rules.timefmt": ("cents_to_text", "iso", "parse_day", "parse_moment"),
    ".simulate.tune": ("TuneResult", "Tuned"),
    ".simulate.tune_desk": ("tune_desk",),
    ".storage.connect": ("shown_url",),
    ".storage.secret": ("SECRET_ENV",),
    ".rules.vocabulary": (
        "AGENT_KINDS",
        "AGENT_SIDES",
        "CHANNELS",
        "DEFAULT_MODES",
        "INTEREST_MODES",
        "MODES",
        "PROPERTY_TYPES",
        "SEQUENTIAL_MODES",
        "SIDES",
        "SOURCE_TYPES",
    ),
}
"""Where each public name lives (a test keeps this, `__all__` and the imports above equal)."""

_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "AGENT_KINDS",
    "AGENT_SIDES",
    "CHANNELS",
    "CLOSING_DATE_TARGETS",
    "DEFAULT_MODES",
    "DROP_CAUSE_LABELS",
    "DROP_CAUSE_WORDS",
    "INTEREST_MODES",
    "MODES",
    "PROPERTY_TYPES",
    "SALE_RECORDING_TARGETS",
    "SECRET_ENV",
    "SEQUENTIAL_MODES",
    "SIDES",
    "SOURCE_TYPES",
    "STATUS_LABELS",
    "TRANSITIONS",
    "USER_MOVES",
    "WEIGHT_KEYS",
    "AgentView",
    "Audit",
    "BoardLine",
    "BoardOffer",
    "ClientContact",
    "Clock",
    "CoverageRow",
    "Desk",
    "DeskCounts",
    "DeskError",
    "DeskSettings",
    "EventView",
    "ExistingFile",
    "FeeView",
    "FixedClock",
    "FlagView",
    "InvalidInput",
    "Lapse",
    "LinkAnswer",
    "MessageView",
    "NotFound",
    "OfferPage",
    "OfferView",
    "OffsetClock",
    "PartlyStored",
    "ReferralName",
    "ReferralView",
    "Refused",
    "Report",
    "RoutingDecision",
    "SourceView",
    "StorageError",
    "SystemClock",
    "TaskView",
    "TuneResult",
    "Tuned",
    "band_text",
    "cents_to_text",
    "count_text",
    "duration_text",
    "echo",
    "intake_json_schema",
    "iso",
    "money_text",
    "parse_day",
    "parse_decimal",
    "parse_moment",
    "percent_text",
    "shown_text",
    "shown_url",
    "to_csv",
    "to_markdown",
    "tune_desk",
]


def __getattr__(name: str) -> Any:
    """Imports a public name from its module the first time it is asked for."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value
