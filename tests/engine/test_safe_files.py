"""Every file the desk writes where a user points (`Desk.write_file`) is written safely.

The class of mistake: a FILE that names the desk's own database, its journals,
its secret or its outbox, however it is spelled (relative, through `..`,
through a linked folder, a hard link), a link, a folder, a device, or a file
that already exists. Each is refused with one `file:` line and nothing is
written; a file that may be written appears whole, owner-only, with nothing
left beside it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from referral_desk.engine import ExistingFile, InvalidInput
from referral_desk.engine.desk import Desk
from referral_desk.engine.storage.files import DeskFiles, move_into_place, private_temp
from tests.conftest import ROSTER_CSV
from tests.factories import intake

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PAYLOAD = 'id,name\nX-1,=HYPERLINK("http://evil")\n'
MARKER = b"http://evil"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def desk_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Desk, Path]]:
    """A live desk in `room/` (WAL files, a secret, an outbox with a message in it), the
    current folder, and beside it a folder, a link to the room and a hard link to the db."""
    room = tmp_path / "room"
    desk = Desk.open(str(room / "desk.db"))
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), NOW)
    desk.intake(intake(), NOW)
    (room / "desk.db.secret").write_text("s3cret")
    (room / "desk.outbox" / "sub").mkdir(parents=True)
    (room / "desk.outbox" / "0001.eml").write_text("Subject: offer\n")
    (room / "elsewhere").mkdir()
    (tmp_path / "linked-room").symlink_to(room, target_is_directory=True)
    os.link(room / "desk.db", room / "alias.db")
    monkeypatch.chdir(room)
    yield desk, room
    desk.close()


def snapshot(room: Path) -> dict[str, bytes]:
    """The bytes of the desk's files that no refused write may change."""
    names = ("desk.db", "desk.db.secret", "desk.outbox/0001.eml")
    return {name: (room / name).read_bytes() for name in names}


def nothing_written(room: Path) -> None:
    """No file anywhere in the room holds the payload, and no temporary file is left."""
    for path in room.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert MARKER not in path.read_bytes(), path
        assert not path.name.endswith(".partial"), path


OWN_FILES = [
    "desk.db",
    "desk.db-wal",
    "desk.db-shm",
    "desk.db-journal",
    "desk.db.secret",
    "desk.outbox",
    "desk.outbox/0001.eml",
    "desk.outbox/new.csv",
    "desk.outbox/sub/deeper.csv",
    "alias.db",
]
SPELLINGS = {
    "relative": "{name}",
    "dot": "./{name}",
    "dot-dot": "elsewhere/../{name}",
    "absolute": "{room}/{name}",
    "linked folder": "{room}/../linked-room/{name}",
    "doubled slashes": "{room}//{name}",
    "upper case": "{upper}",
}


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(OWN_FILES),
    spelling=st.sampled_from(sorted(SPELLINGS)),
    force=st.booleans(),
    as_bytes=st.booleans(),
)
def test_no_spelling_of_a_desk_file_is_ever_written(
    desk_room: tuple[Desk, Path], name: str, spelling: str, force: bool, as_bytes: bool
) -> None:
    """The database, its journals, its secret and the outbox (and anything in it), named
    in any of seven ways (upper case too: a case-insensitive disk would write onto them)
    or by a hard link, with or without force: refused, nothing written."""
    assume(not (name == "alias.db" and spelling == "upper case"))  # another name on Linux
    desk, room = desk_room
    before = snapshot(room)
    path = Path(SPELLINGS[spelling].format(room=room, name=name, upper=name.upper()))
    with pytest.raises(InvalidInput) as refused:
        desk.write_file(path, PAYLOAD.encode() if as_bytes else PAYLOAD, force=force)
    assert str(refused.value).startswith("file: ")
    assert not isinstance(refused.value, ExistingFile)
    assert snapshot(room) == before
    nothing_written(room)
    assert [view.id for view in desk.referrals()] == ["R-000001"]


@pytest.mark.parametrize("points_at", ["desk.db", "desk.db.secret", "notes.txt", "missing.txt"])
@pytest.mark.parametrize("force", [False, True])
def test_a_link_is_never_followed_nor_replaced(
    desk_room: tuple[Desk, Path], points_at: str, force: bool
) -> None:
    """A FILE that is a symbolic link (to a desk file, another file, or nothing) is refused:
    the link and what it points at stay as they were."""
    desk, room = desk_room
    (room / "notes.txt").write_text("keep me")
    link = room / "export.csv"
    link.symlink_to(room / points_at)
    before = snapshot(room)
    with pytest.raises(InvalidInput, match=r"^file: .*symbolic link"):
        desk.write_file(link, PAYLOAD, force=force)
    assert link.is_symlink() and os.readlink(link) == str(room / points_at)
    assert (room / "notes.txt").read_text() == "keep me"
    assert snapshot(room) == before
    nothing_written(room)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("elsewhere", "is a folder"),
        (".", "is a folder"),
        ("no/such/folder/x.csv", "no such folder"),
        ("/dev/null", "not a regular file"),
        ("n" * 300 + ".csv", "cannot write"),
    ],
)
def test_folders_devices_and_impossible_names_are_refused(
    desk_room: tuple[Desk, Path], name: str, message: str
) -> None:
    """Not a file one can write (a folder, a missing folder, a device, a name too long for
    the disk): one `file:` line saying why, even with force."""
    desk, room = desk_room
    with pytest.raises(InvalidInput, match=rf"^file: .*{message}"):
        desk.write_file(Path(name), PAYLOAD, force=True)
    nothing_written(room)


def test_an_existing_file_is_kept_unless_forced(desk_room: tuple[Desk, Path]) -> None:
    """Without force an existing file stays (ExistingFile, a `file:` line naming --force);
    with force it is replaced whole and becomes owner-only."""
    desk, room = desk_room
    target = room / "elsewhere" / "roster.csv"
    target.write_text("last week's roster")
    target.chmod(0o644)
    with pytest.raises(ExistingFile, match=r"^file: .*roster\.csv already exists.*--force"):
        desk.write_file(target, PAYLOAD)
    assert target.read_text() == "last week's roster"
    assert desk.write_file(target, PAYLOAD, force=True) == target
    assert target.read_text() == PAYLOAD
    assert mode_of(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["roster.csv"]


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077])
def test_a_new_file_is_whole_and_owner_only(
    desk_room: tuple[Desk, Path], mask: int, tmp_path: Path
) -> None:
    """A new export is readable by its owner only whatever the umask, with nothing beside it."""
    desk, _room = desk_room
    folder = tmp_path / "exports"
    folder.mkdir()
    previous = os.umask(mask)
    try:
        written = desk.write_file(folder / "roster.csv", PAYLOAD)
    finally:
        os.umask(previous)
    assert written == folder / "roster.csv"
    assert written.read_text() == PAYLOAD
    assert mode_of(written) == 0o600
    assert [p.name for p in folder.iterdir()] == ["roster.csv"]


def test_a_file_that_appears_while_writing_is_kept(tmp_path: Path) -> None:
    """The last step never replaces (a hard link, not a rename) unless forced: a file that
    appeared after the checks is kept, and the temporary file goes."""
    folder = tmp_path / "reports"
    folder.mkdir()
    target = folder / "report.md"
    with private_temp(target) as partial:
        Path(partial).write_text("new")
        target.write_text("someone else's")
        with pytest.raises(ExistingFile):
            move_into_place(partial, target, force=False, shown=str(target))
    assert target.read_text() == "someone else's"
    assert [p.name for p in folder.iterdir()] == ["report.md"]


def test_a_server_desk_guards_its_outbox_folder(tmp_path: Path) -> None:
    """With no database file (a server desk), the outbox folder is still the desk's own."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    own = DeskFiles.of(None, outbox)
    assert own.holds(outbox / "x.csv") and own.holds(outbox)
    assert not own.holds(tmp_path / "x.csv")
