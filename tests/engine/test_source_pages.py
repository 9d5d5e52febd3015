"""Referring parties and their referrals read a page at a time, for long lists."""

from __future__ import annotations

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from tests.factories import intake


def test_sources_page_in_order_without_overlap(roster_desk: Desk, clock: ManualClock) -> None:
    """Pages follow the full list (most referrals first, ties by name then id)."""
    for name in ("Cy", "Ann", "Bo"):
        roster_desk.intake(intake(source__name=name, source__email=""), clock.now())
    roster_desk.intake(intake(source__name="Bo", source__email=""), clock.now())
    everyone = [source.name for source in roster_desk.sources()]
    assert everyone == ["Bo", "Ann", "Cy"]
    pages = [roster_desk.sources(limit=2, offset=0), roster_desk.sources(limit=2, offset=2)]
    assert [source.name for page in pages for source in page] == everyone


def test_referrals_from_one_source_newest_first(roster_desk: Desk, clock: ManualClock) -> None:
    """Only that party's referrals, newest first, a page at a time."""
    for hours in range(3):
        moment = clock.advance(hours=1)
        roster_desk.intake(intake(client_first_name=f"C{hours}", received_at=None), moment)
    roster_desk.intake(intake(source__name="Other", source__email=""), clock.now())
    source = next(s for s in roster_desk.sources() if s.name == "John Smith")
    first = roster_desk.referrals_from_source(source.id, limit=2)
    rest = roster_desk.referrals_from_source(source.id, limit=2, offset=2)
    names = [r.client_first_name for r in [*first, *rest]]
    assert names == ["C2", "C1", "C0"]
