"""A desk's files are its owner's alone, also those made before the desk said so.

A new database, its WAL files and its outbox folder are created owner-only; an
existing one others may read (an older version made it, or it was copied in
with `cp` under a loose umask) is tightened when the desk opens it: files to
0600, folders to 0700. These tests read SQLite's files and the outbox folder.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from referral_desk.cli import main
from referral_desk.engine.desk import Desk
from referral_desk.engine.storage.connect import owner_only
from tests.conftest import ROSTER_CSV
from tests.factories import intake

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def mode_of(path: Path) -> int:
    """The permission bits of a file or folder."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """Files made in the test are readable by all unless the desk says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("loose_umask")
def test_a_database_and_its_wal_files_others_could_read_are_tightened(tmp_path: Path) -> None:
    """A desk file, `-wal` and `-shm` at 0644 (another desk has them open) are 0600 once a
    command opens the desk; the desk works as before."""
    path = tmp_path / "desk.db"
    holder = Desk.open(str(path))  # keeps a connection: the WAL files stay
    try:
        holder.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), NOW)
        files = [path, tmp_path / "desk.db-wal", tmp_path / "desk.db-shm"]
        for file in files:
            file.chmod(0o644)
        assert main(["--db", str(path), "partners", "list", "--json"]) == 0
        assert [mode_of(file) for file in files] == [0o600, 0o600, 0o600]
    finally:
        holder.close()


def test_a_stricter_file_is_left_as_it_is(tmp_path: Path) -> None:
    """Tightening never loosens: a read-only copy at 0400 stays 0400."""
    path = tmp_path / "copy.db"
    path.write_bytes(b"")
    path.chmod(0o400)
    owner_only(path, 0o600)
    assert mode_of(path) == 0o400


@pytest.mark.usefixtures("loose_umask")
def test_the_outbox_folder_others_could_enter_is_tightened_on_open(tmp_path: Path) -> None:
    """`desk.outbox/` beside the database at 0755 is 0700 once the desk is opened."""
    path = tmp_path / "desk.db"
    folder = tmp_path / "desk.outbox"
    folder.mkdir(mode=0o755)
    Desk.open(str(path)).close()
    assert mode_of(folder) == 0o700


@pytest.mark.usefixtures("loose_umask")
def test_a_configured_outbox_folder_is_tightened_when_written(tmp_path: Path) -> None:
    """An `outbox_dir` folder at 0777 is 0700 once the file channel writes a message there."""
    folder = tmp_path / "shared-outbox"
    folder.mkdir()
    folder.chmod(0o777)
    desk = Desk.open(str(tmp_path / "desk.db"))
    try:
        desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), NOW)
        desk.set_setting("outbox_dir", str(folder), NOW)
        desk.intake(intake(), NOW)
        report = desk.deliver_outbox(NOW)
    finally:
        desk.close()
    assert report.sent >= 1
    assert mode_of(folder) == 0o700
    assert all(mode_of(file) == 0o600 for file in folder.iterdir())
