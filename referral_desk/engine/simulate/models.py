"""The simulator's part in the routing models where someone besides the agent acts.

An inside sales agent holds `isa` referrals while qualifying and hands each off a
day later (by the desk's default mode, `best_fit` when that is `isa`); in the
modes picked among the interested (`network`, `open`) a willing agent answers
`interest` instead of accepting, and the sender awards the first interested
agent two hours later, logging the fee agreement that makes it awarded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from ..desk import Desk
from ..read.views import ReferralView
from ..rules.errors import DeskError
from ..rules.vocabulary import INTEREST_MODES

__all__ = ["HANDOFF_AFTER", "ModelSteps", "answer_in_mode"]

HANDOFF_AFTER: Final = timedelta(hours=20)
"""How long the simulated ISA qualifies a referral before handing it off."""
AWARD_AFTER: Final = timedelta(hours=2)
"""How long the simulated sender waits after the first interest before awarding."""


def answer_in_mode(mode: str, answer: str) -> str:
    """A willing agent's answer as the mode takes it (`interest` where the sender picks)."""
    return "interest" if mode in INTEREST_MODES and answer in ("accept", "claim") else answer


class ModelSteps:
    """The ISA's hand-off and the sender's award, as steps of a run's event loop."""

    desk: Desk
    modes: dict[str, str]
    handing_off: set[str]
    awarding: set[str]
    call: Callable[..., Any]
    push: Callable[..., None]
    sync: Callable[[ReferralView, datetime], None]
    log_fees: Callable[[str, str, datetime], None]

    def note_models(self, view: ReferralView, now: datetime) -> None:
        """Remembers the referral's mode; a qualifying one is handed off a day later."""
        self.modes[view.id] = view.mode
        if view.status == "qualifying" and view.id not in self.handing_off:
            self.handing_off.add(view.id)
            self.push(now + HANDOFF_AFTER, "handoff", view.id)

    def interest_shown(self, referral_id: str, now: datetime) -> None:
        """The first interest: the sender awards two hours later."""
        if referral_id not in self.awarding:
            self.awarding.add(referral_id)
            self.push(now + AWARD_AFTER, "award", referral_id)

    def handoff(self, now: datetime, referral_id: str) -> None:
        """The ISA hands the referral off (refused if it moved on meanwhile)."""
        try:
            view = self.call(self.desk.routing.handoff, referral_id, now)
        except DeskError:
            return
        self.sync(view, now)

    def award(self, now: datetime, referral_id: str) -> None:
        """The sender awards the first agent still interested and logs the fee agreement."""
        view = self.call(self.desk.referral, referral_id)
        interested = [o.agent_id for o in view.offers if o.status == "interested"]
        if view.status != "accepted" or not interested:
            return
        try:
            view = self.call(self.desk.award, referral_id, interested[0], now)
            self.log_fees(referral_id, interested[0], now)
            view = self.call(self.desk.referral, referral_id)
        except DeskError:
            return
        self.sync(view, now)
