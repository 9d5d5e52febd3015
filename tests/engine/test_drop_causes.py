"""Why referrals drop: each dropped referral has one cause, and the causes add up.

A hand-built November 2026 on a desk with one Austin agent (capacity 10) and no
fallback, every step through the desk service in time order (UTC):

| name | received         | story                                        | cause                  |
|------|------------------|----------------------------------------------|------------------------|
| D1   | 2026-11-02 15:00 | Denver: nobody covers it → unassigned        | nobody_eligible        |
| D2   | 2026-11-03 15:00 | Austin: declined → unassigned                | declined_or_lapsed     |
| D3   | 2026-11-04 15:00 | Austin: the offer lapses at 15:30            | declined_or_lapsed     |
| D4   | 2026-11-05 15:00 | Austin: lost 11-05 16:00 while still offered | lost_before_acceptance |
| D5   | 2026-11-06 15:00 | Denver: unassigned, then lost 11-07          | lost_before_acceptance |
| D6   | 2026-11-09 15:00 | Austin: accepted, then lost 11-10            | — (was accepted)       |
| D7   | 2026-11-10 15:00 | Austin: accepted, working                    | —                      |
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from referral_desk.engine.desk import Desk
from referral_desk.engine.report.formats import to_csv, to_markdown
from referral_desk.engine.rules.drops import DROP_CAUSES, drop_cause
from tests.factories import agent_row, intake, roster_csv

AGENT = "P-TST-01"
LATE_NOVEMBER = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def november(desk: Desk) -> dict[str, str]:
    desk.import_roster(roster_csv([agent_row(id=AGENT, capacity="10")]), at("2026-11-01 12:00"))
    ids: dict[str, str] = {}

    def receive(name: str, moment: str, metro: str = "Austin") -> str:
        payload = intake(
            received_at=at(moment).isoformat(),
            metro=metro,
            zip="80202" if metro == "Denver" else "78704",
            client_email=f"{name.lower()}@example.com",
        )
        ids[name] = desk.intake(payload, at(moment))[0].id
        return ids[name]

    receive("D1", "2026-11-02 15:00", "Denver")
    desk.respond(receive("D2", "2026-11-03 15:00"), AGENT, "decline", at("2026-11-03 15:05"))
    receive("D3", "2026-11-04 15:00")
    desk.tick(at("2026-11-04 15:31"))
    receive("D4", "2026-11-05 15:00")
    desk.change_status(ids["D4"], "lost", at("2026-11-05 16:00"), reason="went quiet")
    receive("D5", "2026-11-06 15:00", "Denver")
    desk.change_status(ids["D5"], "lost", at("2026-11-07 15:00"), reason="bought alone")
    desk.respond(receive("D6", "2026-11-09 15:00"), AGENT, "accept", at("2026-11-09 15:10"))
    desk.change_status(ids["D6"], "lost", at("2026-11-10 12:00"), reason="financing fell through")
    desk.respond(receive("D7", "2026-11-10 15:00"), AGENT, "accept", at("2026-11-10 15:10"))
    desk.change_status(ids["D7"], "working", at("2026-11-11 15:00"))
    return ids


EXPECTED = {
    "D1": "nobody_eligible",
    "D2": "declined_or_lapsed",
    "D3": "declined_or_lapsed",
    "D4": "lost_before_acceptance",
    "D5": "lost_before_acceptance",
    "D6": None,
    "D7": None,
}


def test_each_referral_says_why_it_dropped(desk: Desk, november: dict[str, str]) -> None:
    """`show --json` gains `drop_cause`; a referral that was never dropped has none."""
    for name, cause in EXPECTED.items():
        view = desk.referral(november[name])
        assert view.drop_cause == cause, name
        assert view.to_json(LATE_NOVEMBER)["drop_cause"] == cause


def test_the_report_counts_the_causes_and_they_add_up_to_the_dropped(
    desk: Desk, november: dict[str, str]
) -> None:
    report = desk.report("2026-Q4", LATE_NOVEMBER)
    assert report.dropped_by_cause == {
        "nobody_eligible": 1,
        "declined_or_lapsed": 2,
        "lost_before_acceptance": 2,
    }
    assert report.dropped == 5
    assert report.to_json()["dropped_rate"] == round(5 / 7, 4)
    assert report.to_json()["dropped_by_cause"] == report.dropped_by_cause


def test_a_report_for_an_earlier_moment_takes_the_causes_of_then(
    desk: Desk, november: dict[str, str]
) -> None:
    """At 11-04 15:10 D3 was still offered (not dropped) and D4 not yet received; at
    11-05 15:30 D4 was offered, not lost; at 11-06 16:00 D5 was unassigned with no offer
    (nobody eligible), and lost only the next day."""
    assert desk.report("2026-Q4", at("2026-11-04 15:10")).dropped_by_cause == {
        "nobody_eligible": 1,
        "declined_or_lapsed": 1,
        "lost_before_acceptance": 0,
    }
    assert desk.report("2026-Q4", at("2026-11-05 15:30")).dropped_by_cause == {
        "nobody_eligible": 1,
        "declined_or_lapsed": 2,
        "lost_before_acceptance": 0,
    }
    assert desk.report("2026-Q4", at("2026-11-06 16:00")).dropped_by_cause == {
        "nobody_eligible": 2,
        "declined_or_lapsed": 2,
        "lost_before_acceptance": 1,
    }


def test_the_filed_copies_carry_the_causes(desk: Desk, november: dict[str, str]) -> None:
    report = desk.report("2026-Q4", LATE_NOVEMBER)
    markdown = to_markdown(report)
    assert "| Dropped: nobody eligible, never offered | 1 |" in markdown
    assert "| Dropped: every offer declined or lapsed | 2 |" in markdown
    assert "| Dropped: lost before any agent accepted | 2 |" in markdown
    assert (
        "(1 nobody eligible, never offered; 2 every offer declined or lapsed; "
        "2 lost before any agent accepted)." in markdown
    )
    csv_text = to_csv(report)
    for cause, count in report.dropped_by_cause.items():
        assert f"dropped_by_cause,{cause},{count}" in csv_text


@pytest.mark.parametrize("status", ["unassigned", "lost", "archived", "working", "new"])
@pytest.mark.parametrize("accepted", [True, False])
@pytest.mark.parametrize("offered", [True, False])
def test_the_rule_gives_at_most_one_cause_and_none_once_accepted(
    status: str, accepted: bool, offered: bool
) -> None:
    cause = drop_cause(
        status, "lost" if status == "archived" else None, accepted=accepted, offered=offered
    )
    if accepted or status in ("working", "new"):
        assert cause is None
    elif status in ("lost", "archived"):
        assert cause == "lost_before_acceptance"
    else:
        assert cause == ("declined_or_lapsed" if offered else "nobody_eligible")
    assert cause is None or cause in DROP_CAUSES
