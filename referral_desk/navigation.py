"""The desk's places (one screen each), their keys, and where their modules live.

Each place is an app mode with its own screen stack, so switching from the
queue to intake and back keeps what was typed and where the cursor was. A
place whose screen module is not there yet (another engineer is building it)
is simply left out: no key, no palette entry, nothing broken.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from .screens.base import DeskScreen

__all__ = ["PLACES", "Place", "load_screen_class", "place_exists", "screen_factory"]


@dataclass(frozen=True)
class Place:
    """A screen a user moves to with one key."""

    mode: str
    """The app mode's name (also the `go('…')` action's argument)."""
    title: str
    """What the footer, the help and the palette call it."""
    key: str
    """The key that goes there (Textual key name)."""
    module: str
    """The module under `referral_desk.screens` that defines its screen."""
    class_name: str
    """The screen class's expected name (any DeskScreen in the module will do)."""
    help: str
    """One line for the palette and the help screen."""
    key_display: str | None = None
    """How the footer shows the key, when its name reads badly (`comma` → `,`)."""
    in_footer: bool = True
    """False for a place the team lead visits now and then: its key works, and `?` and
    the palette name it, but the footer keeps its 80 columns for the VA's daily places."""


PLACES: tuple[Place, ...] = (
    Place("queue", "Queue", "q", "queue", "QueueScreen", "What the desk is waiting on, live"),
    Place("intake", "Intake", "i", "intake", "IntakeScreen", "Take in a new referral"),
    Place("roster", "Roster", "o", "roster", "RosterScreen", "Agents, territories and capacity"),
    Place("sources", "Sources", "s", "sources", "SourcesScreen", "Who refers to us, and what"),
    Place("thanks", "Thanks", "t", "thanks", "ThanksScreen", "Thank-yous due and done"),
    Place("report", "Report", "p", "report", "ReportScreen", "The quarterly figures"),
    Place(
        "coverage",
        "Coverage",
        "g",
        "coverage",
        "CoverageScreen",
        "Where the roster is thin, and recent drops",
        in_footer=False,
    ),
    Place("referrals", "All", "l", "referrals", "ReferralsScreen", "Every referral, newest first"),
    Place(
        "settings",
        "Settings",
        "comma",
        "settings",
        "SettingsScreen",
        "Weights, window, time",
        key_display=",",
    ),
)
"""Every place, in footer order. `F2` also goes to the queue."""


def _module_name(place: Place) -> str:
    return f"{__package__}.screens.{place.module}"


def place_exists(place: Place) -> bool:
    """Whether the place's screen module is there, without importing it.

    Importing every screen up front would put all of them on the path to the
    queue's first paint; a place's module is imported the first time it is opened.
    """
    return importlib.util.find_spec(_module_name(place)) is not None


def screen_factory(place: Place) -> Callable[[], Screen[Any]]:
    """Builds the place's screen on first visit (importing its module then)."""

    def build() -> Screen[Any]:
        screen_class = load_screen_class(place)
        if screen_class is None:
            raise LookupError(f"{_module_name(place)} defines no desk screen")
        return screen_class()

    return build


def load_screen_class(place: Place) -> type[Screen[Any]] | None:
    """The place's screen class, or None when its module does not exist yet.

    An import error inside an existing module is not swallowed: a broken
    screen should fail loudly in tests, not vanish from the footer.
    """
    name = _module_name(place)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return None
        raise
    preferred = getattr(module, place.class_name, None)
    if inspect.isclass(preferred) and issubclass(preferred, Screen):
        return preferred
    for _, value in inspect.getmembers(module, inspect.isclass):
        if (
            issubclass(value, DeskScreen)
            and value is not DeskScreen
            and value.__module__ == module.__name__
        ):
            return value
    return None
