"""Messages the app and its screens exchange (Textual-side; the engine never sees them)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from .engine import Lapse


@dataclass
class DeskChanged(Message):
    """Something on the desk changed (here or in another process): screens re-query.

    Arrives at most about once a second; a newer one replaces an unhandled older one.
    """

    revision: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DeskChanged)


@dataclass
class OffersLapsed(Message):
    """The clock lapsed offers and routed what followed (for toasts)."""

    lapses: list[Lapse]


@dataclass
class ShowReferral(Message):
    """A request to open a referral's detail screen."""

    referral_id: str
