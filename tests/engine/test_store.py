"""Opening a desk database: upgrades keep every row, and a current desk opens cheaply.

A desk made by an older version is migrated when it is opened, and nothing in
it is lost; a desk from a newer version is refused rather than damaged. SQLite
runs in WAL mode with foreign keys on, in a file only its owner can read.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import StorageError
from referral_desk.engine.storage import migrate
from referral_desk.engine.storage.connect import make_engine
from referral_desk.engine.storage.store import SCHEMA_HEAD, stored_revision
from tests.factories import intake

REPO = Path(__file__).resolve().parents[2]

AGENTS = """
INSERT INTO agent (id, name, kind, brokerage, email, phone, preferred_channel, metros, zips,
                   sides, price_min, price_max, property_types, capacity, active, away_from,
                   away_until, on_duty, weight, network, created_at, updated_at)
VALUES
 ('P-ATX-01', 'Dana Whitfield', 'partner', 'Hill Country Realty', 'dana@example.com',
  '+15125550101', 'sms', 'Austin', '78704;78745', 'both', 350000, 800000,
  'residential;condo', 4, TRUE, NULL, NULL, '', 2, 'texas-relo',
  '2026-10-01 15:00:00.000000', '2026-10-01 15:00:00.000000'),
 ('P-ATX-02', 'Marcus Okafor', 'partner', 'Lone Star Living', 'marcus@example.com',
  '+15125550117', 'call', 'Austin;Round Rock', '78759', 'buyer', 300000, 650000,
  'residential', 5, TRUE, '2026-12-20', '2027-01-02', 'mon-fri 09:00-17:00', 1, NULL,
  '2026-10-01 15:00:00.000000', '2026-10-02 16:30:00.000000'),
 ('T-ATX-01', 'Sofia Delgado', 'team', 'Keystone Realty', 'sofia@example.com',
  '', 'email', 'Austin', '', 'both', 500000, 1200000,
  'residential', 6, FALSE, NULL, NULL, '', 1, NULL,
  '2026-10-01 15:00:00.000000', '2026-10-01 15:00:00.000000')
"""

TERRITORIES = """
INSERT INTO agent_territory (agent_id, kind, value) VALUES
 ('P-ATX-01', 'metro', 'austin'), ('P-ATX-01', 'zip', '78704'), ('P-ATX-01', 'zip', '78745'),
 ('P-ATX-02', 'metro', 'austin'), ('P-ATX-02', 'metro', 'round rock'),
 ('P-ATX-02', 'zip', '78759'), ('T-ATX-01', 'metro', 'austin')
"""

PARTIES = """
INSERT INTO referring_party (id, name, type, email, phone, brokerage, tag, notes,
                             referral_count, gift_policy, created_at)
VALUES
 (1, 'John Smith', 'agent', 'john@denverhomes.example', '', 'Denver Homes', 'Referral Source',
  '2026-11-02 — referred Maria
2026-11-09 — referred Omar', 2, 'gifts',
  '2026-11-02 15:00:00.000000')
"""

REFERRALS = """
INSERT INTO referral (id, received_at, client_first_name, client_last_name, client_email,
                      client_phone, side, metro, zip, price_min, price_max, property_type,
                      timeline, notes, source_id, lead_source, mode, network, private_agent_id,
                      status, assigned_agent_id, sale_price, commission_rate, closing_date,
                      lost_reason, archived_from, first_offered_at, accepted_at, closed_at,
                      created_at, updated_at)
VALUES
 (1, '2026-11-02 15:00:00.000000', 'Maria', 'Lopez', 'maria.lopez@example.com',
  '+15125550142', 'buyer', 'Austin', '78704', 400000, 700000, 'residential',
  'touring this weekend', 'relocating from Denver', 1, 'Referral — John Smith', 'best_fit',
  NULL, NULL, 'awarded', 'P-ATX-02', NULL, NULL, NULL, NULL, NULL,
  '2026-11-02 15:00:05.000000', '2026-11-02 15:40:05.000000', NULL,
  '2026-11-02 15:00:00.000000', '2026-11-02 15:40:05.000000'),
 (2, '2026-11-09 16:00:00.000000', 'Omar', 'Haddad', '', '', 'seller', 'Austin', NULL,
  300000, 450000, 'condo', '', '', 1, 'Referral — John Smith', 'round_robin', NULL, NULL,
  'offered', NULL, NULL, '2.5', NULL, NULL, NULL,
  '2026-11-09 16:00:02.000000', NULL, NULL,
  '2026-11-09 16:00:00.000000', '2026-11-09 16:10:00.000000')
"""

OFFERS = """
INSERT INTO offer (id, referral_id, agent_id, sequence, offered_at, expires_at, status,
                   responded_at, reason, score, breakdown)
VALUES
 (1, 1, 'P-ATX-01', 1, '2026-11-02 15:00:05.000000', '2026-11-02 15:30:05.000000', 'declined',
  '2026-11-02 15:05:05.000000', 'full this month', 0.9,
  '{"territory": 1.0, "price": 1.0, "capacity": 0.75, "history": 0.5, "property_type": 1.0}'),
 (2, 1, 'P-ATX-02', 2, '2026-11-02 15:05:05.000000', '2026-11-02 15:35:05.000000', 'accepted',
  '2026-11-02 15:15:05.000000', NULL, 0.7,
  '{"territory": 0.6, "price": 1.0, "capacity": 1.0, "history": 0.5, "property_type": 1.0}'),
 (3, 2, 'P-ATX-01', 1, '2026-11-09 16:00:02.000000', '2026-11-09 16:30:02.000000', 'lapsed',
  NULL, NULL, 0.8, '{}'),
 (4, 2, 'P-ATX-02', 2, '2026-11-09 16:30:02.000000', '2026-11-09 17:00:02.000000', 'offered',
  NULL, NULL, 0.6, '{}')
"""

EVENTS = """
INSERT INTO event (id, referral_id, at, kind, actor, agent_id, offer_id, detail) VALUES
 (1, 1, '2026-11-02 15:00:00.000000', 'received', 'va', NULL, NULL, 'Referral — John Smith'),
 (2, 1, '2026-11-02 15:00:05.000000', 'offered', 'desk', 'P-ATX-01', 1, 'score 0.90'),
 (3, 1, '2026-11-02 15:05:05.000000', 'declined', 'va', 'P-ATX-01', 1, 'full this month'),
 (4, 1, '2026-11-02 15:05:05.000000', 'offered', 'desk', 'P-ATX-02', 2, 'score 0.70'),
 (5, 1, '2026-11-02 15:15:05.000000', 'accepted', 'va', 'P-ATX-02', 2, ''),
 (6, 2, '2026-11-09 16:00:00.000000', 'received', 'va', NULL, NULL, 'Referral — John Smith'),
 (7, 2, '2026-11-09 16:00:02.000000', 'offered', 'desk', 'P-ATX-01', 3, 'score 0.80'),
 (8, 2, '2026-11-09 16:30:02.000000', 'lapsed', 'clock', 'P-ATX-01', 3, ''),
 (9, 2, '2026-11-09 16:30:02.000000', 'offered', 'clock', 'P-ATX-02', 4, 'score 0.60')
"""

SETTINGS = """
INSERT INTO setting (key, value) VALUES
 ('acceptance_window_minutes', '20'), ('timezone', '"America/Denver"')
"""


def run_python(code: str, cwd: Path) -> dict[str, Any]:
    """Runs code in a fresh interpreter and returns the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return document


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def old_desk_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A desk at the first schema revision, holding a small, realistic desk, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old-desk.db'}"
    else:
        url = request.getfixturevalue("empty_postgres_url")
    engine = make_engine(url)
    migrate.upgrade_to_head(engine, None, target="0001")
    assert stored_revision(engine) == "0001"
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # The rows' times are UTC, and ids written by hand leave the sequences behind.
            connection.execute(text("SET LOCAL TIME ZONE 'UTC'"))
        for statement in (AGENTS, TERRITORIES, PARTIES, REFERRALS, OFFERS, EVENTS, SETTINGS):
            connection.execute(text(statement))
        if engine.dialect.name == "postgresql":
            for table in ("referring_party", "referral", "offer", "event"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                connection.execute(text(f"SELECT setval({sequence}, max(id)) FROM {table}"))
    engine.dispose()
    return url


@pytest.fixture
def upgraded(old_desk_url: str) -> Iterator[Desk]:
    """The old desk, opened (and so upgraded) by this version."""
    opened = Desk.open(old_desk_url)
    yield opened
    opened.close()


def at(text_time: str) -> datetime:
    """A UTC moment from `YYYY-MM-DD HH:MM:SS`."""
    return datetime.fromisoformat(text_time).replace(tzinfo=UTC)


# ------------------------------------------------------------------ upgrades


def test_upgrade_reaches_the_current_revision(upgraded: Desk) -> None:
    """Opening an old desk migrates it to the schema this code expects."""
    assert stored_revision(upgraded.store.engine) == SCHEMA_HEAD


def test_upgrade_keeps_every_agent(upgraded: Desk) -> None:
    """Every agent of the old desk is still on the roster, every column intact."""
    agents = {agent.id: agent for agent in upgraded.agents()}
    assert sorted(agents) == ["P-ATX-01", "P-ATX-02", "T-ATX-01"]
    dana, marcus, sofia = agents["P-ATX-01"], agents["P-ATX-02"], agents["T-ATX-01"]
    assert (dana.name, dana.zips, dana.weight, dana.network) == (
        "Dana Whitfield",
        ("78704", "78745"),
        2,
        "texas-relo",
    )
    assert dana.property_types == ("residential", "condo")
    assert (marcus.metros, marcus.sides, marcus.on_duty) == (
        ("Austin", "Round Rock"),
        "buyer",
        "mon-fri 09:00-17:00",
    )
    assert str(marcus.away_from) == "2026-12-20"
    assert str(marcus.away_until) == "2027-01-02"
    assert (sofia.kind, sofia.active, sofia.zips) == ("team", False, ())


def test_upgrade_keeps_every_referral_with_its_history(upgraded: Desk) -> None:
    """Referrals, their offers and their events read back exactly after the upgrade."""
    first = upgraded.referral("R-000001")
    assert (first.status, first.assigned_agent_id) == ("awarded", "P-ATX-02")
    assert first.received_at == at("2026-11-02 15:00:00")
    assert (first.client_first_name, first.client_email) == ("Maria", "maria.lopez@example.com")
    assert (first.price_min, first.price_max, first.zip) == (400_000, 700_000, "78704")
    assert first.source.name == "John Smith"
    assert first.lead_source == "Referral — John Smith"
    assert [(o.agent_id, o.status) for o in first.offers] == [
        ("P-ATX-01", "declined"),
        ("P-ATX-02", "accepted"),
    ]
    assert first.offers[0].reason == "full this month"
    assert first.offers[0].responded_at == at("2026-11-02 15:05:05")
    assert first.offers[0].breakdown["capacity"] == 0.75
    assert [e.kind for e in first.events] == [
        "received",
        "offered",
        "declined",
        "offered",
        "accepted",
    ]
    assert first.events[0].actor == "va"

    second = upgraded.referral("R-000002")
    assert (second.status, second.mode, second.zip) == ("offered", "round_robin", None)
    assert str(second.commission_rate) == "2.5"
    assert [(o.agent_id, o.status) for o in second.offers] == [
        ("P-ATX-01", "lapsed"),
        ("P-ATX-02", "offered"),
    ]
    assert second.offers[1].expires_at == at("2026-11-09 17:00:02")
    assert len(second.events) == 4


def test_upgrade_keeps_parties_and_settings(upgraded: Desk) -> None:
    """Referring parties (count and notes) and the desk's settings survive the upgrade."""
    [party] = upgraded.sources()
    assert (party.id, party.name, party.referral_count) == ("S-000001", "John Smith", 2)
    assert party.notes.splitlines() == ["2026-11-02 — referred Maria", "2026-11-09 — referred Omar"]
    settings = upgraded.settings()
    assert settings.acceptance_window_minutes == 20
    assert settings.timezone == "America/Denver"


def agent_stats(desk: Desk) -> dict[str, dict[str, float]]:
    """The `agent_stats` rows by agent id."""
    with desk.store.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM agent_stats")).mappings().all()
    return {row["agent_id"]: dict(row) for row in rows}


def test_upgrade_backfills_agent_stats_from_offers(upgraded: Desk) -> None:
    """The new per-agent statistics are filled from the offers already stored."""
    stats = agent_stats(upgraded)
    assert sorted(stats) == ["P-ATX-01", "P-ATX-02", "T-ATX-01"]
    counts = {
        agent_id: (row["offers_total"], row["accepted"], row["declined"], row["lapsed"])
        for agent_id, row in stats.items()
    }
    assert counts == {
        "P-ATX-01": (2, 0, 1, 1),
        "P-ATX-02": (2, 1, 0, 0),
        "T-ATX-01": (0, 0, 0, 0),
    }


def test_upgrade_backfills_response_times(upgraded: Desk) -> None:
    """An agent's past response times count after the upgrade (history is not reset)."""
    stats = agent_stats(upgraded)
    assert (stats["P-ATX-01"]["responses"], stats["P-ATX-01"]["response_seconds_sum"]) == (1, 300)
    assert (stats["P-ATX-02"]["responses"], stats["P-ATX-02"]["response_seconds_sum"]) == (1, 600)


def test_upgrade_counts_each_agents_load_and_keeps_it(upgraded: Desk) -> None:
    """Loads are counted from the stored rows once, then kept as the desk works.

    Marcus holds Maria's awarded referral and Omar's open offer: a load of 2. When
    he declines Omar's, the offer is no longer his to answer: 1.
    """
    loads = {agent_id: row["load"] for agent_id, row in agent_stats(upgraded).items()}
    assert loads == {"P-ATX-01": 0, "P-ATX-02": 2, "T-ATX-01": 0}
    assert upgraded.agent("P-ATX-02").load == 2
    upgraded.respond("R-000002", "P-ATX-02", "decline", at("2026-11-09 16:40:00"))
    assert agent_stats(upgraded)["P-ATX-02"]["load"] == 1


def test_upgraded_desk_takes_new_work(upgraded: Desk) -> None:
    """After the upgrade the desk writes as usual: ids continue and the change counter runs."""
    revision = upgraded.revision()
    [referral] = upgraded.intake(intake(), datetime(2026, 11, 23, 14, tzinfo=UTC))
    assert referral.id == "R-000003"
    assert referral.source.id == "S-000001"
    assert upgraded.revision() > revision
    assert [s.referral_count for s in upgraded.sources()] == [3]


def test_schema_head_is_the_newest_migration() -> None:
    """The revision the code expects is the newest migration script's."""
    assert migrate.known_revisions()[-1] == SCHEMA_HEAD


EXPRESSION_INDEXES = {"ix_referral_acceptance", "ix_referral_assignment_delay"}
"""Indexes on routing delays that only migration 0004 declares (the tables cannot)."""


def test_migrated_schema_is_the_one_the_code_uses(desk: Desk) -> None:
    """The tables the desk reads and writes are exactly what the migrations create.

    A column changed in `models.py` without a migration (or the other way round)
    shows up here as a difference, on every backend.
    """
    import warnings

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from referral_desk.engine.storage.tables import metadata

    with desk.store.engine.connect() as connection, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLite cannot reflect the expression indexes
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    unexpected = [
        difference
        for difference in differences
        if not (difference[0] == "remove_index" and difference[1].name in EXPRESSION_INDEXES)
    ]
    assert unexpected == []


def test_new_desk_is_at_head(desk: Desk) -> None:
    """A new desk file is created with the current schema."""
    assert stored_revision(desk.store.engine) == SCHEMA_HEAD
    assert desk.revision() == 0


def test_newer_database_is_refused(db_path: Path, desk: Desk) -> None:
    """A desk written by a newer version is refused with a `database:` message, untouched."""
    desk.close()
    with desk.store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    desk.store.dispose()
    with pytest.raises(StorageError) as caught:
        Desk.open(str(db_path))
    assert str(caught.value).startswith("database:")
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        assert stored_revision(engine) == "0999"
    finally:
        engine.dispose()


def test_opening_a_current_desk_does_not_load_alembic(tmp_path: Path) -> None:
    """Opening a desk already at the current schema does not import Alembic (it is slow)."""
    path = tmp_path / "desk.db"
    code = f"""
        import json, sys
        from referral_desk.engine.desk import Desk
        desk = Desk.open({str(path)!r})
        agents = desk.agents()
        desk.close()
        print(json.dumps({{"alembic": "alembic" in sys.modules, "agents": len(agents)}}))
    """
    first = run_python(code, tmp_path)
    assert first == {"alembic": True, "agents": 0}, "creating the desk runs the migrations"
    second = run_python(code, tmp_path)
    assert second == {"alembic": False, "agents": 0}


def test_engine_does_not_import_textual(tmp_path: Path) -> None:
    """The engine (every module of it) and the CLI never import Textual, nor the web
    stack (`serve` loads it when it runs)."""
    code = """
        import importlib, json, pkgutil, sys
        import referral_desk.engine
        loaded = []
        for module in pkgutil.walk_packages(referral_desk.engine.__path__, "referral_desk.engine."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
                loaded.append(module.name.removeprefix("referral_desk.engine."))
        import referral_desk.cli
        referral_desk.cli.build_parser()
        web = sorted(m for m in ("starlette", "uvicorn", "jinja2") if m in sys.modules)
        print(json.dumps({"textual": "textual" in sys.modules, "web": web, "loaded": loaded}))
    """
    result = run_python(code, tmp_path)
    assert result["textual"] is False
    assert result["web"] == []
    assert set(result["loaded"]) >= {
        "desk",
        "storage.store",
        "values.schemas",
        "values.settings",
        "read.views",
        "simulate.run",
    }


def test_a_command_on_a_current_desk_loads_no_orm_and_no_mail(tmp_path: Path) -> None:
    """The desk reads and writes with Core statements: a whole intake, answer and report
    on a current desk never loads SQLAlchemy's ORM (a tenth of a second), nor the mail
    and HTTP libraries only delivery needs."""
    path = tmp_path / "desk.db"
    Desk.open(str(path)).close()
    code = f"""
        import json, sys
        from datetime import UTC, datetime
        from referral_desk.engine.desk import Desk
        from tests.factories import intake
        now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
        desk = Desk.open({str(path)!r})
        desk.import_roster(open({str(REPO / "data" / "roster.csv")!r}).read(), now)
        [referral] = desk.intake(intake(), now)
        offered = referral.offers[0].agent_id
        desk.respond(referral.id, offered, "accept", now)
        desk.report("2026-Q4", now)
        desk.close()
        mail = ("smtplib", "urllib.request")
        print(json.dumps({{
            "orm": "sqlalchemy.orm" in sys.modules,
            "mail": [name for name in mail if name in sys.modules],
        }}))
    """
    assert run_python(code, tmp_path) == {"orm": False, "mail": []}


# ------------------------------------------------------------------ SQLite


@pytest.mark.sqlite_only
def test_wal_mode_and_foreign_keys_are_on(desk: Desk) -> None:
    """The desk's SQLite connections run in WAL mode with foreign keys enforced."""
    with desk.store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) > 0


def test_foreign_keys_are_enforced(desk: Desk) -> None:
    """A row pointing at a missing agent is refused by the database itself."""
    with pytest.raises(IntegrityError), desk.store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO agent_territory (agent_id, kind, value) "
                "VALUES ('P-NOBODY', 'metro', 'austin')"
            )
        )


def test_new_sqlite_file_is_private(tmp_path: Path) -> None:
    """A new desk file is readable and writable by its owner only (mode 0600)."""
    previous = os.umask(0o022)
    try:
        path = tmp_path / "nested" / "private.db"
        desk = Desk.open(str(path))
        desk.close()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_in_memory_desk_takes_writes_from_several_threads() -> None:
    """An in-memory desk is one driver connection: threads take turns on it, so
    intakes from four threads at once are all kept (none refused as already in a
    transaction) and their ids are all different."""
    desk = Desk.open("sqlite://")
    now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    stored: list[str] = []
    failures: list[BaseException] = []

    def take_in(worker: int) -> None:
        try:
            for number in range(10):
                payload = intake(client_first_name=f"Client{worker}x{number}")
                stored.extend(view.id for view in desk.intake(payload, now))
        except BaseException as error:  # reported below, with the thread's error
            failures.append(error)

    threads = [threading.Thread(target=take_in, args=(worker,)) for worker in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(set(stored)) == 40
        assert len(desk.referrals(limit=100)) == 40
    finally:
        desk.close()


def test_a_closed_in_memory_desk_lets_its_connection_go() -> None:
    """Closing an in-memory desk closes its kept connection (its data goes with it)."""
    desk = Desk.open("sqlite://")
    desk.intake(intake(), datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    kept = desk.store._one
    assert kept is not None
    with kept.transaction("DEFERRED", commit=False) as connection:
        pass
    desk.close()
    assert connection.closed
