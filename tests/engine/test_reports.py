"""The quarterly report: every figure of a hand-built quarter, computed by hand.

The desk's zone is America/Chicago (UTC-5 in summer), so 2026-Q3 runs from
2026-07-01T05:00Z to 2026-10-01T05:00Z and its cohort window from October
2025 to September 2026. Each referral is private to one agent, so who gets the
offer (and so every delay) is fixed by the test, and every step goes through
the desk service at its own `now`, in time order.

| id  | received (UTC)   | source (type)       | 1st offer | story                               |
|-----|------------------|---------------------|-----------|-------------------------------------|
| R8  | 2025-09-20 15:00 | Old Timer (client)  | +0        | declined → unassigned (too early)   |
| R7  | 2026-06-15 15:00 | Ann Client (client) | +0        | accepted +10 min; closed 09-10      |
| R1  | 2026-07-06 15:00 | Ann Client (client) | +0        | accepted +600 s; closed 08-15, paid |
| R2  | 2026-07-13 14:00 | Bob Agent (agent)   | +1800 s   | accepted +1200 s; fee_sent 09-05    |
| R10 | 2026-07-20 15:00 | Eve Sphere (sphere) | +0        | declined → unassigned               |
| R3  | 2026-08-03 15:00 | Ann Client (client) | +300 s    | declined → unassigned               |
| R4  | 2026-08-10 15:00 | Carla Pro (prof.)   | +7200 s   | accepted +900 s; fee; lost 08-20    |
| R5  | 2026-09-14 15:00 | Dan Sphere (sphere) | +0        | lapsed → unassigned; lost 09-20     |
| R6  | 2026-09-28 15:00 | Bob Agent (agent)   | +60 s     | accepted +1500 s; payable fee       |
| R9  | 2026-10-02 15:00 | Old Timer (client)  | +0        | (after the quarter)                 |
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from referral_desk.engine.desk import Desk
from referral_desk.engine.report import queries as report_queries
from referral_desk.engine.report.figures import Cohort, FeeFigure, SourceCount, quarter_period
from referral_desk.engine.report.formats import to_csv, to_markdown
from referral_desk.engine.rules.errors import InvalidInput
from tests.factories import agent_row, intake, roster_csv

PARTNER, TEAM = "P-ATX-01", "T-ATX-01"
REPORT_NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
SEPTEMBER_FIRST = datetime(2026, 9, 1, 5, 0, tzinfo=UTC)
"""Midnight starting 1 September 2026 in Chicago."""


def at(text_value: str) -> datetime:
    """`2026-07-06 15:00` (UTC) as an aware datetime."""
    return datetime.fromisoformat(text_value).replace(tzinfo=UTC)


class Quarter:
    """Builds the table above through the desk service."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.ids: dict[str, str] = {}
        roster = roster_csv(
            [
                agent_row(id=PARTNER, capacity="10"),
                agent_row(id=TEAM, name="Sofia Delgado", kind="team", email="sofia@example.com"),
            ]
        )
        desk.import_roster(roster, at("2025-01-01 12:00"))

    def receive(
        self,
        name: str,
        received: str,
        source: tuple[str, str],
        agent: str,
        entered: str | None = None,
    ) -> str:
        moment = at(entered or received)
        payload = intake(
            received_at=at(received).isoformat(),
            mode="private",
            agent_id=agent,
            client_email=f"{name.lower()}@example.com",
            source__name=source[0],
            source__type=source[1],
            source__email=f"{source[0].split()[0].lower()}@example.com",
            source__brokerage="",
        )
        self.ids[name] = self.desk.intake(payload, moment)[0].id
        return self.ids[name]

    def respond(self, name: str, agent: str, answer: str, moment: str) -> None:
        self.desk.respond(self.ids[name], agent, answer, at(moment))

    def move(self, name: str, status: str, moment: str, **options: object) -> None:
        self.desk.change_status(self.ids[name], status, at(moment), **options)  # type: ignore[arg-type]


def build_quarter(desk: Desk) -> Quarter:
    """The referrals of the module docstring, step by step in time order."""
    q = Quarter(desk)
    ann, bob = ("Ann Client", "client"), ("Bob Agent", "agent")
    q.receive("R8", "2025-09-20 15:00", ("Old Timer", "client"), PARTNER)
    q.respond("R8", PARTNER, "decline", "2025-09-20 15:05")

    q.receive("R7", "2026-06-15 15:00", ann, PARTNER)
    q.respond("R7", PARTNER, "accept", "2026-06-15 15:10")
    q.move("R7", "working", "2026-06-20 15:00")
    q.move("R7", "in_escrow", "2026-07-01 15:00", closing_date=date(2026, 9, 10))

    q.receive("R1", "2026-07-06 15:00", ann, PARTNER)
    q.respond("R1", PARTNER, "accept", "2026-07-06 15:10")
    desk.log_fee(q.ids["R1"], "receivable", Decimal("25"), "Dana Whitfield", at("2026-07-07 15:00"))
    q.move("R1", "working", "2026-07-08 15:00")

    q.receive("R2", "2026-07-13 14:00", bob, PARTNER, entered="2026-07-13 14:30")
    q.respond("R2", PARTNER, "accept", "2026-07-13 14:50")
    desk.log_fee(q.ids["R2"], "payable", Decimal("20"), "Dana Whitfield", at("2026-07-14 15:00"))
    desk.log_fee(q.ids["R2"], "receivable", Decimal("25"), "Dana Whitfield", at("2026-07-14 15:05"))
    q.move("R2", "working", "2026-07-15 15:00")

    q.move("R1", "in_escrow", "2026-07-20 15:00", closing_date=date(2026, 8, 15))
    q.receive("R10", "2026-07-20 15:00", ("Eve Sphere", "sphere"), PARTNER)
    q.respond("R10", PARTNER, "decline", "2026-07-20 15:10")
    q.move("R2", "in_escrow", "2026-07-25 15:00", closing_date=date(2026, 9, 5))

    q.receive("R3", "2026-08-03 15:00", ann, TEAM, entered="2026-08-03 15:05")
    q.respond("R3", TEAM, "decline", "2026-08-03 15:10")

    q.receive("R4", "2026-08-10 15:00", ("Carla Pro", "professional"), PARTNER, "2026-08-10 17:00")
    q.respond("R4", PARTNER, "accept", "2026-08-10 17:15")
    desk.log_fee(q.ids["R4"], "receivable", Decimal("25"), "Dana Whitfield", at("2026-08-11 15:00"))

    q.move(
        "R1",
        "closed",
        "2026-08-15 15:00",
        sale_price=400_000,
        commission_rate=Decimal("3"),
        closing_date=date(2026, 8, 15),
    )
    desk.fee_paid(q.ids["R1"], Decimal("3000.00"), at("2026-08-20 15:00"), on=date(2026, 8, 20))
    q.move("R4", "lost", "2026-08-20 16:00", reason="bought with a friend")

    q.move("R2", "fee_sent", "2026-09-05 15:00", sale_price=450_000, commission_rate=Decimal("3"))
    q.move("R7", "closed", "2026-09-10 15:00", sale_price=300_000, commission_rate=Decimal("3"))

    q.receive("R5", "2026-09-14 15:00", ("Dan Sphere", "sphere"), PARTNER)
    desk.tick(at("2026-09-14 15:31"))  # the private offer lapses: unassigned
    q.move("R5", "lost", "2026-09-20 15:00")

    paid_on = date(2026, 9, 25)
    desk.fee_paid(q.ids["R2"], Decimal("2700.00"), at("2026-09-25 15:00"), paid_on, "payable")
    q.receive("R6", "2026-09-28 15:00", bob, TEAM, entered="2026-09-28 15:01")
    q.respond("R6", TEAM, "accept", "2026-09-28 15:26")
    desk.log_fee(q.ids["R6"], "payable", Decimal("15"), "Sofia Delgado", at("2026-09-29 15:00"))

    q.receive("R9", "2026-10-02 15:00", ("Old Timer", "client"), PARTNER)
    return q


@pytest.fixture
def quarter(desk: Desk) -> Quarter:
    """A desk holding the hand-built quarter (and the referrals' ids by name)."""
    return build_quarter(desk)


@pytest.fixture
def quarter_desk(quarter: Quarter) -> Desk:
    """The desk of the hand-built quarter."""
    return quarter.desk


# Counted by hand from the table above, at 2026-11-23:
# - received in Q3: R1 R2 R10 R3 R4 R5 R6 = 7 (R7 is June, R8 2025, R9 October)
# - closed: R1 (closed), R2 (fee_sent) = 2; lost: R4, R5 = 2; active: R10 R3 (unassigned), R6 = 3
# - first-offer delays sorted: 0 (R1) 0 (R10) 0 (R5) 60 (R6) 300 (R3) 1800 (R2) 7200 (R4);
#   nearest rank of the median = ceil(7 × 0.5) = 4th → 60; of p90 = ceil(6.3) = 7th → 7200
# - acceptance: 600 (R1) 900 (R4) 1200 (R2) 1500 (R6); median rank ceil(2) = 2nd → 900
# - dropped: R10, R3 (unassigned), R5 (lost, never accepted) = 3 of 7 → 0.4286;
#   R4 was lost but had been accepted
# - fees: receivable R1 paid 400,000 × 3% × 25% = 3000.00; R2 pending 450,000 × 3% × 25%
#   = 3375.00; R4's receivable is not pending (lost). Payable R2 paid 450,000 × 3% × 20%
#   = 2700.00; R6 pending with no amount yet (no sale recorded).
# - cohorts: 2026-06 R7 closed 1/1; 2026-07 R1 R2 closed, R10 not: 2/3 = 0.6667;
#   2026-08 R3 R4: 0/2; 2026-09 R5 R6: 0/2 (R8 is outside the window)
EXPECTED_Q3 = {
    "quarter": "2026-Q3",
    "received": 7,
    "by_source_type": {"client": 2, "sphere": 2, "agent": 2, "professional": 1},
    "outcomes": {"closed": 2, "lost": 2, "active": 3},
    "top_sources": [
        {"name": "Ann Client", "count": 2},
        {"name": "Bob Agent", "count": 2},
        {"name": "Carla Pro", "count": 1},
        {"name": "Dan Sphere", "count": 1},
        {"name": "Eve Sphere", "count": 1},
    ],
    "fees": {
        "receivable": {
            "pending": {"count": 1, "amount": "3375.00"},
            "paid": {"count": 1, "amount": "3000.00"},
        },
        "payable": {
            "pending": {"count": 1, "amount": "0.00"},
            "paid": {"count": 1, "amount": "2700.00"},
        },
    },
    "assignment_delay_seconds": {"median": 60, "p90": 7200},
    "acceptance_seconds": {"median": 900},
    "dropped_rate": 0.4286,
    # R10 and R3 were offered and declined; R5 lapsed, then was lost, never accepted
    "dropped_by_cause": {
        "nobody_eligible": 0,
        "declined_or_lapsed": 2,
        "lost_before_acceptance": 1,
    },
    "closing_rate_by_cohort": {"2026-06": 1.0, "2026-07": 0.6667, "2026-08": 0.0, "2026-09": 0.0},
}


def test_every_figure_of_a_hand_built_quarter(quarter_desk: Desk) -> None:
    """Each contract figure equals the count made by hand from the referrals' stories."""
    report = quarter_desk.report("2026-Q3", REPORT_NOW)
    assert report.to_json() == EXPECTED_Q3
    assert (report.offered, report.accepted, report.dropped) == (7, 4, 3)


def test_report_as_it_stood_on_the_first_of_september(quarter_desk: Desk) -> None:
    """A report for an earlier moment sees the statuses, milestones and payments of then.

    At 2026-09-01 00:00 Chicago: R5 and R6 were not received yet; R2 was still in escrow
    (fee_sent came 09-05) so it is active; R7 was in escrow (closed 09-10), so June's
    cohort had not closed; R2's payable fee was unpaid (paid 09-25), its amount being
    the one recorded since; R6's fee was not logged yet.
    """
    report = quarter_desk.report("2026-Q3", SEPTEMBER_FIRST)
    assert report.to_json() == {
        "quarter": "2026-Q3",
        "received": 5,
        "by_source_type": {"client": 2, "sphere": 1, "agent": 1, "professional": 1},
        "outcomes": {"closed": 1, "lost": 1, "active": 3},
        "top_sources": [
            {"name": "Ann Client", "count": 2},
            {"name": "Bob Agent", "count": 1},
            {"name": "Carla Pro", "count": 1},
            {"name": "Eve Sphere", "count": 1},
        ],
        "fees": {
            "receivable": {
                "pending": {"count": 1, "amount": "3375.00"},
                "paid": {"count": 1, "amount": "3000.00"},
            },
            "payable": {
                "pending": {"count": 1, "amount": "2700.00"},
                "paid": {"count": 0, "amount": "0.00"},
            },
        },
        # delays 0 (R1) 0 (R10) 300 (R3) 1800 (R2) 7200 (R4): ranks 3 and 5
        "assignment_delay_seconds": {"median": 300, "p90": 7200},
        # 600 (R1) 900 (R4) 1200 (R2): rank 2
        "acceptance_seconds": {"median": 900},
        # R10 and R3 unassigned, never accepted: 2 of 5
        "dropped_rate": 0.4,
        "dropped_by_cause": {
            "nobody_eligible": 0,
            "declined_or_lapsed": 2,
            "lost_before_acceptance": 0,
        },
        "closing_rate_by_cohort": {"2026-06": 0.0, "2026-07": 0.3333, "2026-08": 0.0},
    }


def test_june_referral_closed_in_september_counts_in_junes_cohort(desk: Desk) -> None:
    """A cohort is the month a referral was received; it closes whenever it closes."""
    q = Quarter(desk)
    q.receive("June", "2026-06-15 15:00", ("Ann Client", "client"), PARTNER)
    q.respond("June", PARTNER, "accept", "2026-06-15 15:10")
    q.move("June", "working", "2026-06-20 15:00")
    q.move("June", "in_escrow", "2026-07-01 15:00", closing_date=date(2026, 9, 10))
    q.move("June", "closed", "2026-09-10 15:00", sale_price=300_000, commission_rate=Decimal(3))

    third = desk.report("2026-Q3", REPORT_NOW)
    assert third.received == 0
    assert third.to_json()["closing_rate_by_cohort"] == {"2026-06": 1.0}
    assert third.to_json()["outcomes"] == {"closed": 0, "lost": 0, "active": 0}
    second = desk.report("2026-Q2", REPORT_NOW)
    assert second.to_json()["closing_rate_by_cohort"] == {"2026-06": 1.0}
    assert second.to_json()["outcomes"] == {"closed": 1, "lost": 0, "active": 0}
    before_closing = desk.report("2026-Q2", at("2026-09-01 05:00"))
    assert before_closing.to_json()["closing_rate_by_cohort"] == {"2026-06": 0.0}


def test_fee_amounts_pending_and_paid_kept_apart_by_direction(quarter_desk: Desk) -> None:
    """Paid counts what was paid; pending, what is expected; a lost referral owes nothing."""
    fees = quarter_desk.report("2026-Q3", REPORT_NOW).fees
    assert (fees["receivable"]["paid"].count, fees["receivable"]["paid"].cents) == (1, 300_000)
    assert (fees["receivable"]["pending"].count, fees["receivable"]["pending"].amount) == (
        1,
        "3375.00",
    )
    assert (fees["payable"]["paid"].count, fees["payable"]["paid"].amount) == (1, "2700.00")
    assert (fees["payable"]["pending"].count, fees["payable"]["pending"].amount) == (1, "0.00")


def test_archived_referrals_keep_their_outcome(quarter: Quarter) -> None:
    """Archiving a closed or a lost referral leaves it closed or lost in the report."""
    for name in ("R1", "R4", "R5"):
        quarter.move(name, "archived", "2026-11-01 15:00")
    assert quarter.desk.report("2026-Q3", REPORT_NOW).to_json() == EXPECTED_Q3


def test_quarter_starts_at_local_midnight(desk: Desk) -> None:
    """23:30 on 30 June in Chicago is Q2 even though it is 1 July in UTC."""
    q = Quarter(desk)
    q.receive("Late", "2026-07-01 04:30", ("Ann Client", "client"), PARTNER)
    q.receive("Early", "2026-07-01 05:00", ("Bob Agent", "agent"), PARTNER)
    assert desk.report("2026-Q2", REPORT_NOW).received == 1
    assert desk.report("2026-Q3", REPORT_NOW).received == 1
    period = quarter_period("2026-q3", desk.settings().zone)
    assert (period.start, period.end) == (at("2026-07-01 05:00"), at("2026-10-01 05:00"))
    assert [m.label for m in period.cohort_months][:2] == ["2025-10", "2025-11"]


@pytest.mark.parametrize("quarter", ["2026-Q5", "2026Q3", "Q3-2026", "2026-Q0", "", "26-Q1"])
def test_a_bad_quarter_is_named(desk: Desk, quarter: str) -> None:
    """Anything but YYYY-QN (Q1–Q4) is refused with a `quarter:` message."""
    with pytest.raises(InvalidInput, match=r"^quarter: must be YYYY-QN"):
        desk.report(quarter, REPORT_NOW)


def test_an_empty_quarter_has_no_rates(desk: Desk) -> None:
    """No referral: counts are zero, shares and delays have no value (null)."""
    document = desk.report("2026-Q3", REPORT_NOW).to_json()
    assert document["received"] == 0
    assert document["by_source_type"] == {"client": 0, "sphere": 0, "agent": 0, "professional": 0}
    assert document["dropped_rate"] is None
    assert document["assignment_delay_seconds"] == {"median": None, "p90": None}
    assert document["closing_rate_by_cohort"] == {}


def test_markdown_is_a_document_with_the_figures(quarter_desk: Desk) -> None:
    """The VA's copy: a title, the period, a summary and the figures in tables."""
    markdown = to_markdown(quarter_desk.report("2026-Q3", REPORT_NOW))
    assert markdown.startswith("# Referral report — 2026 Q3\n")
    assert "1 July 2026 – 30 September 2026 (America/Chicago)" in markdown
    assert "- 7 referrals received. As they stand: 2 closed, 2 lost, 3 still active." in markdown
    for line in (
        "| Past clients | 2 | 28.6% |",
        "| 1 | Ann Client | 2 |",
        "| Receivable (owed to us) | 1 | $3,375.00 | 1 | $3,000.00 |",
        "| Payable (owed by us) | 1 | $0.00 | 1 | $2,700.00 |",
        "| Received → first offer, median | 1 min |",
        "| Received → first offer, 90th percentile | 2 h |",
        "| First offer → accepted, median | 15 min |",
        "| Dropped (unassigned or lost, never accepted) | 3 (42.9%) |",
        "| 2026-07 | 3 | 2 | 66.7% |",
    ):
        assert line in markdown


def test_a_busy_quarter_reads_with_grouped_thousands(quarter_desk: Desk) -> None:
    """A large desk's filed copy groups thousands in counts and money (`12,480`), says
    `at once` for a delay of none, and leaves the CSV's values plain for spreadsheets."""
    report = replace(
        quarter_desk.report("2026-Q3", REPORT_NOW),
        received=12480,
        outcomes={"closed": 5210, "lost": 2270, "active": 5000},
        top_sources=(SourceCount("Ann Client", 1204),),
        fees={
            "receivable": {"pending": FeeFigure(1500, 123456750), "paid": FeeFigure(2, 99)},
            "payable": {"pending": FeeFigure(), "paid": FeeFigure(1001, 100000000)},
        },
        assignment_delay_median=0,
        assignment_delay_p90=9600,
        acceptance_median=0,
        dropped_by_cause={
            "nobody_eligible": 600,
            "declined_or_lapsed": 400,
            "lost_before_acceptance": 40,
        },
        cohorts=(Cohort("2026-07", 4100, 1700),),
    )
    markdown = to_markdown(report)
    for line in (
        "- 12,480 referrals received. As they stand: 5,210 closed, 2,270 lost, 5,000 still active.",
        "the top source was Ann Client (1,204 referrals).",
        "- Half the referrals had their first offer at once, nine in ten within 2 h 40 min; "
        "half of those accepted were taken as soon as they were offered.",
        "- 1,040 referrals (8.3%) dropped: unassigned or lost with no agent ever accepting "
        "(600 nobody eligible, never offered; 400 every offer declined or lapsed; "
        "40 lost before any agent accepted).",
        "| Dropped: nobody eligible, never offered | 600 |",
        "| Dropped: every offer declined or lapsed | 400 |",
        "| Dropped: lost before any agent accepted | 40 |",
        "- Fees owed to us: 1,500 pending ($1,234,567.50 expected so far), 2 paid ($0.99).",
        "| 1 | Ann Client | 1,204 |",
        "| Receivable (owed to us) | 1,500 | $1,234,567.50 | 2 | $0.99 |",
        "| Payable (owed by us) | 0 | $0.00 | 1,001 | $1,000,000.00 |",
        "| Dropped (unassigned or lost, never accepted) | 1,040 (8.3%) |",
        "| 2026-07 | 4,100 | 1,700 | 41.5% |",
    ):
        assert line in markdown
    rows = list(csv.reader(io.StringIO(to_csv(report))))
    table = {(section, key): value for section, key, value in rows[1:]}
    assert table[("received", "value")] == "12480"
    assert table[("fees", "receivable.pending.amount")] == "1234567.50"


def test_csv_is_long_format_with_the_figures(quarter_desk: Desk) -> None:
    """One `section,key,value` row a figure, sections named after the JSON keys."""
    rows = list(csv.reader(io.StringIO(to_csv(quarter_desk.report("2026-Q3", REPORT_NOW)))))
    assert rows[0] == ["section", "key", "value"]
    table = {(section, key): value for section, key, value in rows[1:]}
    assert table[("received", "value")] == "7"
    assert table[("outcomes", "lost")] == "2"
    assert table[("by_source_type", "professional")] == "1"
    assert table[("top_sources", "Ann Client")] == "2"
    assert table[("fees", "receivable.pending.amount")] == "3375.00"
    assert table[("fees", "payable.paid.count")] == "1"
    assert table[("assignment_delay_seconds", "p90")] == "7200"
    assert table[("acceptance_seconds", "median")] == "900"
    assert table[("dropped_rate", "value")] == "0.4286"
    assert table[("closing_rate_by_cohort", "2026-07")] == "0.6667"
    assert table[("period", "start")] == "2026-07-01T05:00:00Z"


@pytest.mark.sqlite_only
def test_medians_walk_the_delay_index(desk: Desk) -> None:
    """The report's delay expression is the one migration 0004 indexes (else a full sort)."""
    delay = report_queries.seconds_between(
        report_queries.R.first_offered_at, report_queries.R.received_at, "sqlite"
    )
    window = report_queries.Window(at("2026-07-01 05:00"), at("2026-10-01 05:00"))
    query = select(delay).where(window.where(by_range=False)).order_by(delay).limit(1)
    compiled = query.compile(desk.store.engine, compile_kwargs={"literal_binds": True})
    with desk.store.engine.connect() as connection:
        plan = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    assert "COVERING INDEX ix_referral_assignment_delay" in " ".join(str(row[-1]) for row in plan)


def test_report_reads_without_writing(quarter_desk: Desk) -> None:
    """A report changes nothing: the desk's revision counter stays put."""
    before = quarter_desk.revision()
    quarter_desk.report("2026-Q3", REPORT_NOW)
    assert quarter_desk.revision() == before
