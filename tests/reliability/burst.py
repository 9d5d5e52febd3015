"""A desk with a burst of offers all lapsing at once, and the invariants the clock keeps.

Thirty-one agents cover Austin with room for everything. Broadcast referrals
offer thirty of them at once; best-fit referrals offer one, then the next when
it lapses. Thirty-one minutes after the intake every one of those offers is
past its window: one tick has the whole burst to handle.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import tables as m
from tests.factories import agent_row, intake, roster_csv

AGENTS = 31
BROADCAST_SIZE = 30


def seed_burst(desk: Desk, now: datetime, broadcast: int, sequential: int) -> int:
    """Stores the roster and the referrals; returns how many offers will lapse at once."""
    rows = [
        agent_row(
            id=f"P-BURST-{number:02d}",
            name=f"Agent {number}",
            email=f"agent{number}@example.com",
            zips="78704",
            capacity="1000",
            price_min="100000",
            price_max="2000000",
        )
        for number in range(1, AGENTS + 1)
    ]
    desk.import_roster(roster_csv(rows), now)
    desk.set_setting("broadcast_size", str(BROADCAST_SIZE), now)
    received = now.isoformat().replace("+00:00", "Z")
    items = [intake(mode="broadcast", received_at=received) for _ in range(broadcast)]
    items += [intake(mode="best_fit", received_at=received) for _ in range(sequential)]
    desk.intake(items, now)
    return broadcast * BROADCAST_SIZE + sequential


def after_windows(now: datetime) -> datetime:
    """A moment when every offer of the burst is past its (30-minute) window."""
    return now + timedelta(minutes=31)


def check_invariants(desk: Desk, moment: datetime) -> dict[str, int]:
    """The clock's promises, checked on the whole database; returns a few counts.

    Every lapsed offer was handled exactly once (one `lapsed` event each, and
    its agent's counter counted it once); no referral has two accepted offers;
    nothing is still `offered` past its window at `moment`; a referral still
    being offered has an open offer (a lapse never half-happened); every
    unassigned referral has exactly one `unassigned` event and one flag; and the
    event counts match the rows they describe.
    """
    with desk.store.read() as session:
        offers = session.execute(
            select(m.offer.c.id, m.offer.c.referral_id, m.offer.c.status, m.offer.c.expires_at)
        ).all()
        events = session.execute(
            select(m.event.c.kind, m.event.c.offer_id, m.event.c.referral_id)
        ).all()
        statuses = dict(session.execute(select(m.referral.c.id, m.referral.c.status)).all())
        flags = Counter(
            session.execute(
                select(m.flag.c.referral_id).where(m.flag.c.kind == "roster_exhausted")
            ).scalars()
        )
        stats = session.execute(
            select(func.sum(m.agent_stats.c.offers_total), func.sum(m.agent_stats.c.lapsed))
        ).one()
        late = session.execute(
            select(func.count()).where(
                m.offer.c.status == "offered", m.offer.c.expires_at <= moment
            )
        ).scalar_one()
    lapsed = {offer_id for offer_id, _, status, _ in offers if status == "lapsed"}
    lapse_events = Counter(offer_id for kind, offer_id, _ in events if kind == "lapsed")
    assert set(lapse_events) == lapsed, "a lapsed offer without its event, or the reverse"
    assert all(count == 1 for count in lapse_events.values()), "an offer lapsed twice"
    assert late == 0, f"{late} offers still open past their window"
    accepted = Counter(referral for _, referral, status, _ in offers if status == "accepted")
    assert all(count == 1 for count in accepted.values()), "a referral with two accepted offers"
    open_referrals = {referral for _, referral, status, _ in offers if status == "offered"}
    for referral, status in statuses.items():
        if status == "offered":
            assert referral in open_referrals, f"referral {referral} offered with no open offer"
    offered_events = Counter(kind for kind, _, _ in events)["offered"]
    assert offered_events == len(offers), "offers and `offered` events differ"
    assert (stats[0], stats[1]) == (len(offers), len(lapsed)), "agent counters drifted"
    unassigned_events = Counter(referral for kind, _, referral in events if kind == "unassigned")
    unassigned = {referral for referral, status in statuses.items() if status == "unassigned"}
    assert set(unassigned_events) == unassigned
    assert all(count == 1 for count in unassigned_events.values()), "unassigned twice"
    assert all(flags[referral] == 1 for referral in unassigned), "one flag per unassigned"
    return {"offers": len(offers), "lapsed": len(lapsed), "unassigned": len(unassigned)}


def integrity(url: str) -> str:
    """SQLite's own check of the file (`ok` when intact)."""
    path = url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as connection:
        row: Any = connection.execute("PRAGMA integrity_check").fetchone()
    return str(row[0])
