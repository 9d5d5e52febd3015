"""`partners export FILE` and `backup FILE` never lose a file.

Both write where the user points. Named onto the desk's own files (the live
database, its journals, its secret, the outbox and anything in it), a link, a
folder or an existing file without `--force`, either command exits 2 with one
line starting `file:`, prints nothing and writes nothing: the desk opens as
before. `partners export desk.db` used to leave "file is not a database".
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from referral_desk.cli import main
from referral_desk.engine.desk import Desk
from tests.conftest import ROSTER_CSV
from tests.factories import intake

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
COMMANDS = {"export": ("partners", "export"), "backup": ("backup",)}
OWN = [
    "desk.db",
    "desk.db-wal",
    "desk.db-shm",
    "desk.db-journal",
    "desk.db.secret",
    "desk.outbox",
    "desk.outbox/0001.eml",
    "desk.outbox/roster.csv",
]


def run(capsys: pytest.CaptureFixture[str], *arguments: str | Path) -> tuple[int, str, str]:
    code = main([str(argument) for argument in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused_with_file_line(code: int, out: str, err: str) -> None:
    assert code == 2 and out == "", err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("file: "), lines


@pytest.fixture
def desk_path(tmp_path: Path) -> Path:
    """A desk with the demo roster, one referral, a secret and a message in its outbox."""
    path = tmp_path / "desk.db"
    desk = Desk.open(str(path))
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), NOW)
    desk.intake(intake(), NOW)
    desk.close()
    path.with_name("desk.db.secret").write_text("s3cret")
    (tmp_path / "desk.outbox").mkdir()
    (tmp_path / "desk.outbox" / "0001.eml").write_text("Subject: offer\n")
    return path


def healthy(path: Path) -> list[str]:
    """The desk's referral ids, after an integrity check of its database."""
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    desk = Desk.open(str(path))
    try:
        return [referral.id for referral in desk.referrals()]
    finally:
        desk.close()


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize("name", OWN)
def test_no_command_writes_onto_the_desk(
    desk_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    force: bool,
    name: str,
) -> None:
    """Named relatively from the desk's folder, with or without --force: refused, the
    database intact, the secret and the outbox message unchanged."""
    monkeypatch.chdir(desk_path.parent)
    secret = desk_path.with_name("desk.db.secret")
    message = desk_path.parent / "desk.outbox" / "0001.eml"
    before = (secret.read_bytes(), message.read_bytes())
    arguments = [*COMMANDS[command], name, *(["--force"] if force else [])]
    refused_with_file_line(*run(capsys, "--db", desk_path, *arguments))
    assert healthy(desk_path) == ["R-000001"]
    assert (secret.read_bytes(), message.read_bytes()) == before
    assert sorted(p.name for p in (desk_path.parent / "desk.outbox").iterdir()) == ["0001.eml"]
    assert not desk_path.with_name("desk.db-journal").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_existing_file_needs_force(
    desk_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """An existing FILE is kept (exit 2, `file: … --force`); with --force it is replaced
    whole and owner-only."""
    target = tmp_path / "copy"
    target.write_text("keep me")
    target.chmod(0o644)
    code, out, err = run(capsys, "--db", desk_path, *COMMANDS[command], target)
    refused_with_file_line(code, out, err)
    assert "--force" in err and target.read_text() == "keep me"
    code, _out, err = run(capsys, "--db", desk_path, *COMMANDS[command], target, "--force")
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    if command == "backup":
        assert healthy(target) == ["R-000001"]
    else:
        assert target.read_text(encoding="utf-8").startswith("id,name,kind,")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("points_at", ["desk.db", "elsewhere.txt", "missing.txt"])
def test_a_link_is_refused(
    desk_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    points_at: str,
) -> None:
    """A FILE that is a symbolic link is refused even with --force; what it points at
    is untouched."""
    (tmp_path / "elsewhere.txt").write_text("keep me")
    link = tmp_path / "link.out"
    link.symlink_to(tmp_path / points_at)
    code, out, err = run(capsys, "--db", desk_path, *COMMANDS[command], link, "--force")
    refused_with_file_line(code, out, err)
    assert "symbolic link" in err and link.is_symlink()
    assert (tmp_path / "elsewhere.txt").read_text() == "keep me"
    assert not (tmp_path / "missing.txt").exists()
    assert healthy(desk_path) == ["R-000001"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_is_refused_naming_file(
    desk_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """A folder (even with --force) is `file: … is a folder`."""
    code, out, err = run(capsys, "--db", desk_path, *COMMANDS[command], tmp_path, "--force")
    refused_with_file_line(code, out, err)
    assert "is a folder" in err


def test_export_without_file_still_prints_the_roster(
    desk_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No FILE: the CSV goes to stdout, and no file appears."""
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(capsys, "--db", desk_path, "partners", "export")
    assert code == 0, err
    assert len(list(csv.DictReader(io.StringIO(out)))) == 29
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_export_to_a_new_file_is_owner_only(
    desk_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new export file holds the roster, is 0600 whatever the umask, and nothing else
    is left in its folder."""
    folder = tmp_path / "exports"
    folder.mkdir()
    previous = os.umask(0)
    try:
        code, out, err = run(capsys, "--db", desk_path, "partners", "export", folder / "r.csv")
    finally:
        os.umask(previous)
    assert code == 0 and out == "", err
    assert stat.S_IMODE((folder / "r.csv").stat().st_mode) == 0o600
    assert len(list(csv.DictReader(io.StringIO((folder / "r.csv").read_text())))) == 29
    assert [p.name for p in folder.iterdir()] == ["r.csv"]
