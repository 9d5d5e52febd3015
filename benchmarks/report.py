"""The quarterly report on a desk of 1,000,000 referrals, against hand-written raw SQL.

Desk: 1,000,000 referrals received over the twelve months ending with
2026-Q3 (so the report's cohort figures count every one of them and the
quarter itself holds about a quarter), from 25,000 referring parties of the
four types, in every status (older referrals more often closed or lost), with
first offers and acceptances (most offers on receipt, some hours later) and
fee agreements on about a third of them (pending and paid, both directions).
The file is created by `Desk.open` (schema and indexes from the migrations),
then filled with `sqlite3.executemany` (indexes dropped during the load and
recreated from their stored definitions, as any bulk load does).

Measured, warm, median of `--runs`:
  1. `desk.report("2026-Q3", now)` — the whole report through the desk
     service; target < 1 s.
  2. The same aggregates written by hand as raw SQL with `sqlite3` on the same
     file (same indexes, `INDEXED BY` for the medians); the report must take
     no more than 1.5x that.

    python benchmarks/report.py            # 1,000,000 referrals (a few minutes to seed)
    python benchmarks/report.py --quick    # 100,000 referrals
    python benchmarks/report.py --keep PATH  # keep (or reuse) the seeded file
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line

from referral_desk.engine.desk import Desk

QUARTER = "2026-Q3"
WINDOW_START = datetime(2025, 10, 1, 5, 0, tzinfo=UTC)  # 1 Oct 2025, midnight in Chicago
WINDOW_END = datetime(2026, 10, 1, 5, 0, tzinfo=UTC)
NOW = datetime(2026, 10, 15, 14, 0, tzinfo=UTC)
REPORT_TARGET = 1.0
RATIO_TARGET = 1.5
PARTIES = 25_000
STATUSES = (
    ("closed", 25),
    ("fee_received", 8),
    ("fee_sent", 3),
    ("lost", 20),
    ("archived", 8),
    ("working", 14),
    ("in_escrow", 6),
    ("awarded", 5),
    ("unassigned", 5),
    ("offered", 3),
    ("pending", 1),
    ("new", 2),
)
ACCEPTED = {"closed", "fee_received", "fee_sent", "working", "in_escrow", "awarded", "pending"}
CLOSED = {"closed", "fee_received", "fee_sent"}


def _text(moment: float) -> str:
    """Epoch seconds as the desk stores a UTC time in SQLite (naive, microseconds)."""
    return datetime.fromtimestamp(moment, UTC).isoformat(" ", "microseconds")[:26]


def seed(path: str, referrals: int) -> None:
    """Creates the desk with `Desk.open`, then bulk-loads parties, referrals and fees."""
    Desk.open(path).close()
    rng = random.Random(20261015)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('referral', 'fee_agreement')"
    ).fetchall()
    for name, _ in indexes:
        connection.execute(f"DROP INDEX {name}")
    created = _text(WINDOW_START.timestamp() - 86400 * 400)
    kinds = rng.choices(("client", "sphere", "agent", "professional"), (35, 25, 25, 15), k=PARTIES)
    connection.executemany(
        "INSERT INTO referring_party (id, name, type, email, phone, brokerage, tag, notes, "
        "referral_count, gift_policy, identity_key, created_at) "
        "VALUES (?, ?, ?, ?, '', '', 'Referral Source', '', 0, 'gifts', ?, ?)",
        [
            (i + 1, f"Party {i + 1}", kinds[i], f"p{i + 1}@example.net", f"p{i + 1}", created)
            for i in range(PARTIES)
        ],
    )
    weights = [1.0 / (1 + rank) ** 0.7 for rank in range(PARTIES)]
    sources = rng.choices(range(1, PARTIES + 1), weights, k=referrals)
    names, shares = zip(*STATUSES, strict=True)
    start, span = WINDOW_START.timestamp(), (WINDOW_END - WINDOW_START).total_seconds()
    received = sorted(start + rng.random() * span for _ in range(referrals))
    rows, fees = [], []
    for number, moment in enumerate(received, start=1):
        status = rng.choices(names, shares)[0]
        archived_from = (
            rng.choice(("closed", "lost", "fee_received")) if status == "archived" else None
        )
        outcome = archived_from or status
        offered = None
        if status != "new" and not (status == "unassigned" and rng.random() < 0.4):
            offered = moment if rng.random() < 0.7 else moment + rng.uniform(60, 4 * 3600)
        accepted = None
        taken = outcome in ACCEPTED | CLOSED or rng.random() < 0.3
        if offered is not None and taken and status not in ("unassigned", "offered", "new"):
            accepted = offered + 60 * math.exp(rng.gauss(2.3, 0.8))
        closed = accepted + rng.uniform(30, 90) * 86400 if outcome in CLOSED and accepted else None
        rows.append(
            (
                number,
                _text(moment),
                "Client",
                "",
                f"c{number}@example.com",
                "",
                "buyer",
                "Austin",
                None,
                300_000,
                500_000,
                "residential",
                "",
                "",
                sources[number - 1],
                "",
                "best_fit",
                status,
                archived_from,
                None if offered is None else _text(offered),
                None if accepted is None else _text(accepted),
                None if closed is None else _text(closed),
                _text(moment),
                _text(moment),
            )
        )
        if accepted is not None and rng.random() < 0.35:
            expected = rng.randint(2_000, 20_000) * 100 if closed else None
            paid = closed is not None and outcome != "fee_sent" and rng.random() < 0.8
            fees.append(
                (
                    number,
                    rng.choice(("receivable", "payable")),
                    "Counterparty",
                    "25",
                    "Agent",
                    _text(accepted)[:10],
                    expected,
                    expected if paid else None,
                    _text(closed + 10 * 86400)[:10] if paid and closed else None,
                    _text(accepted + 86400),
                )
            )
        if len(rows) == 50_000:
            _insert(connection, rows)
            rows = []
    _insert(connection, rows)
    connection.executemany(
        "INSERT INTO fee_agreement (referral_id, direction, counterparty, percent, agreed_by, "
        "agreed_on, expected_cents, paid_cents, paid_on, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        fees,
    )
    connection.commit()
    for _, sql in indexes:
        connection.execute(sql)
    connection.commit()
    connection.close()


def _insert(connection: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    connection.executemany(
        "INSERT INTO referral (id, received_at, client_first_name, client_last_name, "
        "client_email, client_phone, side, metro, zip, price_min, price_max, property_type, "
        "timeline, notes, source_id, lead_source, mode, status, archived_from, first_offered_at, "
        "accepted_at, closed_at, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _months() -> list[tuple[str, str]]:
    """The cohort months' UTC bounds, as the desk draws them in America/Chicago."""
    from zoneinfo import ZoneInfo

    zone, bounds = ZoneInfo("America/Chicago"), []
    for index in range(13):
        year, month = 2025 + (9 + index) // 12, (9 + index) % 12 + 1
        bounds.append(_text(datetime(year, month, 1, tzinfo=zone).timestamp()))
    return list(itertools.pairwise(bounds))


DELAY = "round((julianday(first_offered_at) - julianday(received_at)) * 86400.0)"
ACCEPT = "round((julianday(accepted_at) - julianday(first_offered_at)) * 86400.0)"


def raw_report(connection: sqlite3.Connection) -> dict[str, object]:
    """The report's aggregates written by hand against the same indexes."""
    now, today = _text(NOW.timestamp()), "2026-10-15"
    count = "SELECT count(*) FROM referral WHERE received_at >= ? AND received_at < ?"
    closed = (
        "SELECT (SELECT count(*) FROM referral WHERE status IN ('fee_sent','fee_received',"
        "'closed') AND archived_from IS NULL AND received_at >= ?1 AND received_at < ?2) + "
        "(SELECT count(*) FROM referral WHERE status = 'archived' AND archived_from IN "
        "('fee_sent','fee_received','closed') AND received_at >= ?1 AND received_at < ?2)"
    )
    cohorts = {}
    for low, high in _months():
        cohorts[low] = (
            connection.execute(count, (low, high)).fetchone()[0],
            connection.execute(closed, (low, high)).fetchone()[0],
        )
    q_low, q_high = _months()[-3][0], _months()[-1][1]
    never = "(accepted_at IS NULL OR accepted_at > ?3)"
    lost_dropped = connection.execute(
        "SELECT (SELECT count(*) FROM referral WHERE status = 'lost' AND archived_from IS NULL "
        "AND received_at >= ?1 AND received_at < ?2), (SELECT count(*) FROM referral WHERE "
        "status = 'archived' AND archived_from = 'lost' AND received_at >= ?1 AND "
        "received_at < ?2),"
        f" (SELECT count(*) FROM referral WHERE status IN ('lost', 'unassigned') AND archived_from"
        f" IS NULL AND received_at >= ?1 AND received_at < ?2 AND {never}), (SELECT count(*) FROM "
        "referral WHERE status = 'archived' AND archived_from = 'lost' AND received_at >= ?1 AND "
        f"received_at < ?2 AND {never})",
        (q_low, q_high, now),
    ).fetchone()
    sources = connection.execute(
        "SELECT p.id, p.name, p.type, c.n FROM (SELECT source_id, count(*) AS n FROM referral "
        "WHERE received_at >= ? AND received_at < ? GROUP BY source_id) c "
        "JOIN referring_party p ON p.id = c.source_id",
        (q_low, q_high),
    ).fetchall()
    low_id, high_id = connection.execute(
        "SELECT min(id), max(id) FROM referral WHERE received_at >= ? AND received_at < ?",
        (q_low, q_high),
    ).fetchone()
    paid = "(f.paid_cents IS NOT NULL AND f.paid_on <= ?4)"
    fees = connection.execute(
        f"SELECT f.direction, {paid}, count(*), sum(CASE WHEN {paid} THEN f.paid_cents ELSE "
        "coalesce(f.expected_cents, 0) END) FROM fee_agreement f JOIN referral r ON r.id = "
        "f.referral_id WHERE f.referral_id BETWEEN ?5 AND ?6 AND r.received_at >= ?1 AND "
        f"r.received_at < ?2 AND f.created_at <= ?3 AND ({paid} OR NOT (r.status = 'lost' OR "
        "(r.status = 'archived' AND r.archived_from = 'lost'))) GROUP BY 1, 2",
        (q_low, q_high, now, today, low_id, high_id),
    ).fetchall()
    offered, accepted = connection.execute(
        "SELECT count(first_offered_at), count(accepted_at) FROM referral "
        "WHERE received_at >= ? AND received_at < ?",
        (q_low, q_high),
    ).fetchone()

    def nearest(expression: str, index: str, moment: str, n: int, tenths: int) -> object:
        rank = max(1, (tenths * n + 9) // 10)
        ascending = rank - 1 <= n - rank
        return connection.execute(
            f"SELECT {expression} AS d FROM referral INDEXED BY {index} WHERE +received_at >= ? "
            f"AND +received_at < ? AND {moment} <= ? AND d IS NOT NULL ORDER BY d "
            f"{'ASC' if ascending else 'DESC'} LIMIT 1 OFFSET ?",
            (q_low, q_high, now, rank - 1 if ascending else n - rank),
        ).fetchone()

    return {
        "cohorts": cohorts,
        "lost_dropped": lost_dropped,
        "sources": len(sources),
        "fees": fees,
        "median": nearest(DELAY, "ix_referral_assignment_delay", "first_offered_at", offered, 5),
        "p90": nearest(DELAY, "ix_referral_assignment_delay", "first_offered_at", offered, 9),
        "acceptance": nearest(ACCEPT, "ix_referral_acceptance", "accepted_at", accepted, 5),
    }


def timed(function: object, runs: int) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        result = function()  # type: ignore[operator]
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 referrals")
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each (median)")
    parser.add_argument("--keep", metavar="PATH", help="seed into (or reuse) this file")
    args = parser.parse_args()
    referrals = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="rd-bench-report-") as folder:
        path = args.keep or str(Path(folder) / "desk.db")
        if not Path(path).exists():
            began = time.perf_counter()
            seed(path, referrals)
            print(
                f"  [setup] seeded {referrals:,} referrals in {time.perf_counter() - began:.1f} s"
            )
        desk = Desk.open(path)
        report = desk.report(QUARTER, NOW)  # warm-up: pages into the OS cache
        walls, cpus, report = timed(lambda: desk.report(QUARTER, NOW), args.runs)
        desk.close()
        connection = sqlite3.connect(path)
        raw_report(connection)
        raw_walls, raw_cpus, raw = timed(lambda: raw_report(connection), args.runs)
        connection.close()
    document = report.to_json()  # type: ignore[attr-defined]
    total = sum(cohort.received for cohort in report.cohorts)  # type: ignore[attr-defined]
    print(
        f"report {QUARTER}: {document['received']:,} referrals in the quarter, "
        f"{total:,} in its cohort months; delays {document['assignment_delay_seconds']}, "
        f"acceptance {document['acceptance_seconds']}, dropped {document['dropped_rate']}"
    )
    print(f"raw SQL check: {raw!r:.160}")
    print(f"machine: {machine_line()}")
    wall, raw_wall = statistics.median(walls), statistics.median(raw_walls)
    cpu, raw_cpu = statistics.median(cpus), statistics.median(raw_cpus)
    verdict = "OK" if wall <= REPORT_TARGET else "MISSED"
    print(
        f"desk.report over {referrals:,} referrals   p50 {wall * 1e3:8.1f} ms  "
        f"(cpu {cpu * 1e3:.1f} ms)  target < {REPORT_TARGET * 1e3:.0f} ms  "
        f"ratio {wall / REPORT_TARGET:.2f} {verdict}"
    )
    print(
        f"raw sqlite3, same aggregates          p50 {raw_wall * 1e3:8.1f} ms  "
        f"(cpu {raw_cpu * 1e3:.1f} ms)"
    )
    ratio = wall / raw_wall
    verdict = "OK" if ratio <= RATIO_TARGET else "MISSED"
    print(
        f"report / raw SQL: {ratio:.2f}x (cpu {cpu / raw_cpu:.2f}x)  target <= "
        f"{RATIO_TARGET}x  {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
