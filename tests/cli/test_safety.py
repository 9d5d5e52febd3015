"""Backups, restores, and files only their owner can read.

`referral-desk backup FILE` copies a SQLite desk with the online backup API
(desks and the clock may keep writing); `restore FILE` puts a backup back,
refusing anything that is not a healthy desk database and keeping every desk it
replaces as `<name>.before-restore-<UTC time>`, never reusing a name. A desk
holds clients' contact details: its database, WAL files, backups and outbox
folder are owner-only whatever the umask.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from referral_desk.cli import main
from referral_desk.engine.desk import Desk
from referral_desk.engine.storage import migrate
from referral_desk.engine.storage.connect import make_engine
from referral_desk.engine.storage.store import SCHEMA_HEAD
from tests.conftest import ROSTER_CSV
from tests.factories import intake

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int) -> Iterator[None]:
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def run(capsys: pytest.CaptureFixture[str], *arguments: str | Path) -> tuple[int, str, str]:
    code = main([str(argument) for argument in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(err: str, starts_with: str) -> None:
    """One stderr line, starting with the field or the rule, and no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(starts_with), lines
    assert "Traceback" not in err


@pytest.fixture
def live_desk(tmp_path: Path) -> Iterator[Path]:
    """A SQLite desk with the demo roster and three referrals."""
    path = tmp_path / "desk.db"
    desk = Desk.open(str(path))
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), NOW)
    desk.intake([intake(), intake(client_first_name="Omar"), intake(side="seller")], NOW)
    desk.close()
    yield path


def referral_ids(path: Path | str) -> list[str]:
    desk = Desk.open(str(path))
    try:
        return sorted(referral.id for referral in desk.referrals())
    finally:
        desk.close()


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


# ------------------------------------------------------------------ backup


def test_backup_is_a_private_self_contained_copy(
    live_desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The copy opens as the same desk, is one file (no WAL beside it) and is mode 0600."""
    target = tmp_path / "backups" / "monday.db"
    target.parent.mkdir()
    with umask(0o000):
        code, out, err = run(capsys, "--db", live_desk, "backup", target, "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "database": str(live_desk),
        "file": str(target),
        "schema": SCHEMA_HEAD,
    }
    assert mode_of(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["monday.db"]
    assert integrity(target) == "ok"
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert referral_ids(target) == referral_ids(live_desk) == ["R-000001", "R-000002", "R-000003"]


def test_backup_while_a_desk_keeps_writing_is_consistent(
    live_desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Backups taken while another desk writes are each one consistent moment."""
    writer = Desk.open(str(live_desk))
    done = threading.Event()

    def keep_writing() -> None:
        moment = NOW
        while not done.is_set():
            moment += timedelta(seconds=1)
            writer.intake(intake(), moment)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        counts = []
        for number in range(3):
            target = tmp_path / f"copy-{number}.db"
            code, _out, err = run(capsys, "--db", live_desk, "backup", target)
            assert code == 0, err
            assert integrity(target) == "ok"
            with closing(sqlite3.connect(target)) as copy:
                referrals, received, unrouted = copy.execute(
                    "SELECT (SELECT count(*) FROM referral),"
                    " (SELECT count(*) FROM event WHERE kind = 'received'),"
                    " (SELECT count(*) FROM referral WHERE status = 'new')"
                ).fetchone()
            assert referrals == received and unrouted == 0, "an intake caught half-written"
            counts.append(referrals)
    finally:
        done.set()
        thread.join()
        writer.close()
    assert counts == sorted(counts) and counts[0] >= 3


def test_backup_of_a_postgresql_desk_points_at_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server desk is backed up by the server's tools: refused (exit 4) with a one-line
    hint, no password shown."""
    url = "postgresql+psycopg://desk:s3cret@db.example:5432/referrals"
    code, out, err = run(capsys, "--db", url, "backup", tmp_path / "x.dump")
    assert code == 4 and out == "", err
    one_line_error(err, "backup: ")
    assert "pg_dump" in err and "postgresql://desk:***@db.example:5432/referrals" in err
    assert "s3cret" not in err
    code, _out, err = run(capsys, "--db", url, "restore", tmp_path / "x.dump")
    assert code == 4, err
    one_line_error(err, "restore: ")
    assert "pg_restore" in err and "s3cret" not in err


@pytest.mark.parametrize("name", ["desk.db", "."])
def test_backup_refuses_the_desk_itself_or_a_folder(
    live_desk: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Backing up onto the desk itself, or onto a folder, is bad input (exit 2) naming `file`."""
    code, _out, err = run(capsys, "--db", live_desk, "backup", live_desk.parent / name)
    assert code == 2, err
    one_line_error(err, "file: ")
    assert integrity(live_desk) == "ok"


# ------------------------------------------------------------------ restore


def test_restore_puts_the_backup_back_and_keeps_the_old_desk_aside(
    live_desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a restore the desk is the backup; the replaced desk is kept beside it as
    `<name>.before-restore-<UTC time to the microsecond>`, named in the JSON's `previous`."""
    backup = tmp_path / "backup.db"
    assert run(capsys, "--db", live_desk, "backup", backup)[0] == 0
    later = Desk.open(str(live_desk))
    later.intake(intake(client_first_name="Late"), NOW)
    later.close()
    at = ("--now", "2026-12-03T04:15:00.123456-06:00")
    code, out, err = run(capsys, "--db", live_desk, *at, "restore", backup, "--json")
    assert code == 0, err
    aside = live_desk.with_name("desk.db.before-restore-20261203T101500.123456Z")
    assert json.loads(out)["previous"] == str(aside)
    assert referral_ids(live_desk) == ["R-000001", "R-000002", "R-000003"]
    assert referral_ids(aside) == ["R-000001", "R-000002", "R-000003", "R-000004"]
    assert mode_of(live_desk) == 0o600 and mode_of(aside) == 0o600
    assert integrity(live_desk) == "ok"
    code, _out, err = run(capsys, "--db", live_desk, "restore", aside)  # and back again
    assert code == 0, err
    assert referral_ids(live_desk)[-1] == "R-000004"
    assert referral_ids(aside)[-1] == "R-000004", "the kept desk stays as it was"


def kept_desks(live_desk: Path) -> list[Path]:
    return sorted(live_desk.parent.glob("desk.db.before-restore*"))


def test_every_replaced_desk_is_kept_under_its_own_name(
    live_desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Eight restores in a row, four of them at the very same --now: eight kept desks, each
    exactly the desk its restore replaced (a counter tells the same instant apart), and
    each restore says where its previous desk went."""
    backup = tmp_path / "backup.db"
    assert run(capsys, "--db", live_desk, "backup", backup)[0] == 0
    replaced: dict[str, list[str]] = {}
    for number in range(8):
        desk = Desk.open(str(live_desk))
        desk.intake(intake(client_first_name=f"Client {number}"), NOW)
        desk.close()
        before = referral_ids(live_desk)
        at = ["--now", "2026-12-03T10:15:00Z"] if number % 2 else []
        code, out, err = run(capsys, "--db", live_desk, *at, "restore", backup)
        assert code == 0, err
        kept = out.strip().rsplit("; the previous desk is kept as ", 1)[1]
        assert kept not in replaced, "a kept desk was overwritten"
        replaced[kept] = before
    assert [str(path) for path in kept_desks(live_desk)] == sorted(replaced)
    same_instant = [name for name in replaced if "20261203T101500.000000Z" in name]
    assert [name.rsplit("Z", 1)[1] for name in sorted(same_instant)] == ["", "-2", "-3", "-4"]
    for kept, before in replaced.items():
        assert referral_ids(kept) == before
        assert len(before) == 4


def not_a_desk(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.commit()
    return path


def damaged_copy(tmp_path: Path, live_desk: Path) -> Path:
    data = bytearray(live_desk.read_bytes())
    data[4096 * 3 : 4096 * 3 + 512] = b"\xa5" * 512
    path = tmp_path / "damaged.db"
    path.write_bytes(bytes(data))
    return path


def newer_desk(tmp_path: Path, live_desk: Path) -> Path:
    path = tmp_path / "newer.db"
    path.write_bytes(live_desk.read_bytes())
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999'")
        connection.commit()
    return path


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda tmp, _desk: tmp / "missing.db", id="missing"),
        pytest.param(
            lambda tmp, _desk: (tmp / "text.db").write_text("hello") and tmp / "text.db", id="text"
        ),
        pytest.param(lambda tmp, _desk: not_a_desk(tmp), id="other-database"),
        pytest.param(damaged_copy, id="damaged"),
        pytest.param(newer_desk, id="newer-schema"),
    ],
)
def test_restore_refuses_what_is_not_a_healthy_desk(
    live_desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any
) -> None:
    """A missing, foreign, damaged or too-new file is bad input (exit 2) naming `file`;
    nothing moves."""
    live_desk_bytes = live_desk.read_bytes()
    code, out, err = run(capsys, "--db", live_desk, "restore", make(tmp_path, live_desk))
    assert code == 2 and out == "", err
    one_line_error(err, "file: ")
    assert live_desk.read_bytes() == live_desk_bytes
    assert kept_desks(live_desk) == []
    assert [p.name for p in live_desk.parent.iterdir() if p.name.endswith(".partial")] == []


def test_restore_refuses_while_the_desk_is_open_elsewhere(
    live_desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A desk (or the clock) with the database open blocks the restore by the desk's rule
    (exit 4, saying what to do), never as database trouble: nothing moves."""
    backup = tmp_path / "backup.db"
    assert run(capsys, "--db", live_desk, "backup", backup)[0] == 0
    other = Desk.open(str(live_desk))
    try:
        other.referrals()
        code, out, err = run(capsys, "--db", live_desk, "restore", backup)
        assert code == 4 and out == "", err
        one_line_error(err, "database: desk.db is open in another desk or the clock")
        assert "stop them, then restore" in err
        assert kept_desks(live_desk) == []
        assert len(other.referrals()) == 3
    finally:
        other.close()


def test_restore_of_an_older_backup_migrates_it(
    live_desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup made by an older version is restored and brought to the current schema."""
    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    migrate.upgrade_to_head(engine, None, target="0001")
    engine.dispose()
    code, _out, err = run(capsys, "--db", live_desk, "restore", old)
    assert code == 0, err
    with closing(sqlite3.connect(live_desk)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            SCHEMA_HEAD,
        )


# ------------------------------------------------------------------ file modes


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077])
def test_desk_files_are_owner_only_whatever_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mask: int
) -> None:
    """The database, its WAL and shared-memory files, a new folder and the outbox: owner only."""
    path = tmp_path / "new-folder" / "desk.db"
    with umask(mask):
        desk = Desk.open(str(path))
        try:
            desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), NOW)
            desk.intake(intake(), NOW)
            for name in ("desk.db", "desk.db-wal", "desk.db-shm"):
                assert mode_of(path.with_name(name)) == 0o600, name
            assert mode_of(path.parent) == 0o700
            code, _out, err = run(
                capsys, "--db", path, "--now", "2026-11-23T14:00:05Z", "outbox", "send"
            )
            assert code == 0, err
        finally:
            desk.close()
    outbox = path.with_name("desk.outbox")
    assert mode_of(outbox) == 0o700
    files = list(outbox.iterdir())
    assert files and all(mode_of(file) == 0o600 for file in files)
