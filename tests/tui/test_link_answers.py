"""An answer a partner gives on an offer link reaches the VA's screen at the next beat.

The link is answered by another process's desk (as `serve` does); the app, polling
the change counter, shows a toast naming the referral, the answer and the agent,
and the queue drops the referral it no longer waits on. Only answers given after
the app opened are news.
"""

from __future__ import annotations

import pytest

from referral_desk.app import make_app
from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from tests.tui.helpers import record_toasts, settle


def _answer_by_link(demo_db: str, clock: ManualClock, response: str) -> tuple[str, str]:
    """Answers the queue's first open sequential offer from its link; (referral, agent)."""
    desk = Desk.open(demo_db)
    try:
        desk.set_setting("public_url", "https://desk.example.com", clock.now())
        referral = next(r for r in desk.queue() if r.mode == "best_fit" and r.open_offers)
        offer = referral.open_offers[0]
        link = desk.links.link_for(offer.id, offer.agent_id)
        assert link is not None
        desk.links.answer(link.rsplit("/", 1)[1], response, clock.now(), "no room")
        return referral.id, offer.agent_id
    finally:
        desk.close()


@pytest.mark.parametrize(("response", "word"), [("accept", "accepted"), ("decline", "declined")])
async def test_a_link_answer_is_toasted_at_the_next_beat(
    demo_db: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, response: str, word: str
) -> None:
    app = make_app(demo_db, clock, clock_interval=None)
    shown = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.run_clock_once()
        await settle(pilot)
        assert not [line for line in shown if "offer link" in line]
        referral_id, agent_id = _answer_by_link(demo_db, clock, response)
        await app.run_clock_once()
        await settle(pilot)
        name = app.agent_names[agent_id]
        assert f"{referral_id} {word} by {name} from the offer link" in shown
        await app.run_clock_once()
        await settle(pilot)
        assert sum("offer link" in line for line in shown) == 1
