"""A demo desk: the packaged roster and referrals, replayed relative to "now".

`data/referrals.json` holds referrals received some hours before the demo
starts, each with a story (responses, awards, status moves, fees, thanks)
that is replayed through the desk service at its own moment, so the demo's
history reads like a real desk's and its newest offers are still ticking.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .engine import Desk, DeskError, iso
from .locations import demo_data_dir

FALLBACK_AGENT = "T-HQ-01"
AGENT_NAME = "Priya Raman"

Step = dict[str, Any]


def seed_demo(desk: Desk, now: datetime) -> int:
    """Fills an empty desk with the demo roster and referrals; returns how many referrals."""
    folder = demo_data_dir()
    desk.import_roster(
        (folder / "roster.csv").read_text(encoding="utf-8"), now - timedelta(days=200)
    )
    desk.set_setting("fallback_agent_id", FALLBACK_AGENT, now)
    desk.set_setting("agent_name", AGENT_NAME, now)
    stories = json.loads((folder / "referrals.json").read_text(encoding="utf-8"))
    stories.sort(key=lambda story: -float(story["received_hours_ago"]))
    for story in stories:
        received = now - timedelta(hours=float(story["received_hours_ago"]))
        intake = dict(story["intake"], received_at=iso(received))
        desk.tick(received)
        referral = desk.intake(intake, received)[0]
        for step in story.get("story", []):
            moment = received + timedelta(minutes=float(step["after_minutes"]))
            if moment > now:
                break
            _replay(desk, referral.id, step, moment)
    return len(stories)


def _replay(desk: Desk, referral_id: str, step: Step, moment: datetime) -> None:
    handler = _HANDLERS.get(step["do"])
    if handler is None:
        return
    try:
        handler(desk, referral_id, step, moment)
    except DeskError:
        # A story written for an older routing outcome: the demo goes on without it.
        return


def _agent(desk: Desk, referral_id: str, named: str) -> str:
    referral = desk.referral(referral_id)
    if named == "first" and referral.offers:
        return referral.offers[0].agent_id
    if named == "current":
        open_offers = [offer for offer in referral.offers if offer.status == "offered"]
        if open_offers:
            return open_offers[0].agent_id
    return named


def _respond(desk: Desk, referral_id: str, step: Step, moment: datetime) -> None:
    agent = _agent(desk, referral_id, step.get("agent", "current"))
    desk.respond(referral_id, agent, step["response"], moment, step.get("reason"))


def _award(desk: Desk, referral_id: str, step: Step, moment: datetime) -> None:
    desk.award(referral_id, _agent(desk, referral_id, step["agent"]), moment)


def _status(desk: Desk, referral_id: str, step: Step, moment: datetime) -> None:
    change = getattr(desk, "change_status", None)
    if change is None:
        return
    closing = None
    if "closing_in_days" in step:
        closing = (moment + timedelta(days=int(step["closing_in_days"]))).date()
    rate = Decimal(step["commission_rate"]) if "commission_rate" in step else None
    change(
        referral_id,
        step["to"],
        moment,
        sale_price=step.get("sale_price"),
        commission_rate=rate,
        closing_date=closing,
        reason=step.get("reason"),
    )


def _fee(desk: Desk, referral_id: str, step: Step, moment: datetime) -> None:
    log = getattr(desk, "log_fee", None)
    if log is not None:
        log(referral_id, step["direction"], Decimal(step["percent"]), step["agreed_by"], moment)


def _fee_paid(desk: Desk, referral_id: str, step: Step, moment: datetime) -> None:
    paid = getattr(desk, "fee_paid", None)
    if paid is not None:
        paid(referral_id, Decimal(step["amount"]), moment)


def _thanks_done(desk: Desk, referral_id: str, step: Step, moment: datetime) -> None:
    done = getattr(desk, "complete_first_open_task", None)
    if done is not None:
        done(referral_id, moment)


_HANDLERS: dict[str, Callable[[Desk, str, Step, datetime], None]] = {
    "respond": _respond,
    "award": _award,
    "status": _status,
    "fee": _fee,
    "fee_paid": _fee_paid,
    "thanks_done": _thanks_done,
}
