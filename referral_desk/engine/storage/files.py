"""Writing a file the user named, without ever losing a file: the one way the desk does it.

`partners export FILE`, `backup FILE` and the report screen's export write
wherever a person points them, and a slip of the fingers (`partners export
desk.db`) must not cost the desk or anything else. So every such write comes
through `write_file_safely` (or, for a backup, `checked_target` and
`move_into_place` around SQLite's own copy), which:

- never writes onto the desk's own files: the database, its `-wal`, `-shm`, `-waiting` and
  `-journal`, its `.secret`, or the outbox folder and anything in it;
- never writes through a symbolic link: a FILE that is a link is refused (name
  the file itself), so a link can never carry the write onto another file;
- never writes onto a folder or a device, nor over an existing file unless
  asked (`force`);
- writes whole or not at all: the data goes to an owner-only (0600) temporary
  file in the same folder, is flushed to disk, then takes the name in one step
  (a hard link when nothing may be replaced, so a file that appeared meanwhile
  is kept; `os.replace` when replacing was asked for).

Every refusal is one `file: …` line (`InvalidInput`, exit 2), and nothing is
written.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ..rules.errors import ExistingFile, InvalidInput, echo

__all__ = [
    "DeskFiles",
    "checked_target",
    "claim_name",
    "move_into_place",
    "private_temp",
    "write_file_safely",
]

DATABASE_COMPANIONS = ("-wal", "-shm", "-journal", "-waiting", ".secret")
"""Files SQLite (and the desk) keep beside the database, named after it."""

_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK}


@dataclass(frozen=True)
class DeskFiles:
    """A desk's own files and folders, as absolute paths: what no export may write onto."""

    files: frozenset[Path] = frozenset()
    folders: tuple[Path, ...] = ()

    @classmethod
    def of(cls, database: Path | None, outbox: Path | None) -> DeskFiles:
        """The database (as named and as resolved), its companions, and the outbox folder."""
        files: set[Path] = set()
        if database is not None:
            for base in _both_names(database):
                files |= {base, *(base.with_name(base.name + end) for end in DATABASE_COMPANIONS)}
        folders = () if outbox is None else tuple(_both_names(outbox))
        return cls(frozenset(files), folders)

    def holds(self, target: Path) -> bool:
        """Whether writing `target` (absolute, its folder resolved) would write onto the desk.

        By name first, whatever the letters' case (a case-insensitive disk writes
        `DESK.DB-WAL` onto `desk.db-wal`); then by identity, for the same file or
        folder reached under another name (a hard link).
        """
        places = (target, *target.parents)
        own_files = {_folded(own) for own in self.files}
        own_folders = {_folded(folder) for folder in self.folders}
        if _folded(target) in own_files or any(_folded(p) in own_folders for p in places):
            return True
        return any(_same(target, own) for own in self.files) or any(
            _same(place, folder) for folder in self.folders for place in places
        )


def checked_target(path: Path, desk_files: DeskFiles, *, force: bool) -> Path:
    """The absolute path to write for `path`, or `InvalidInput` saying why not (`file: …`)."""
    try:
        expanded = path.expanduser()
    except RuntimeError as error:  # `~nobody/…`: no such user, no home to expand
        raise InvalidInput([f"file: cannot resolve {echo(str(path))} ({error})"]) from None
    try:
        return _checked_target(expanded, str(path), desk_files, force)
    except OSError as error:  # a name too long for the disk, a folder one may not read
        shown = echo(str(path))
        raise InvalidInput([f"file: cannot write {shown} ({error.strerror or error})"]) from None


def _checked_target(path: Path, shown: str, desk_files: DeskFiles, force: bool) -> Path:
    if path.is_symlink():
        raise InvalidInput([f"file: {shown} is a symbolic link; name the file itself"])
    if path.is_dir():
        raise InvalidInput([f"file: {shown} is a folder; name a file in it"])
    if not path.parent.is_dir():
        raise InvalidInput([f"file: no such folder {str(path.parent)!r}"])
    target = path.parent.resolve() / path.name
    if desk_files.holds(target):
        raise InvalidInput(
            [
                f"file: {shown} is one of the desk's own files (its database, journals, "
                "secret or outbox); choose another file"
            ]
        )
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(mode):
        raise InvalidInput([f"file: {shown} is not a regular file; choose another file"])
    if not force:
        raise ExistingFile(shown)
    return target


def write_file_safely(
    path: Path, data: str | bytes, *, desk_files: DeskFiles, force: bool = False
) -> Path:
    """Writes `data` (text as UTF-8) to `path` as the module says; returns the path written."""
    target = checked_target(path, desk_files, force=force)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with private_temp(target) as partial:
            with open(partial, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            move_into_place(partial, target, force=force, shown=str(path))
    except OSError as error:
        raise InvalidInput([f"file: cannot write {path} ({error.strerror or error})"]) from None
    return target


def move_into_place(partial: str, target: Path, *, force: bool, shown: str) -> None:
    """Gives a finished temporary file its name in one step; never over a file unless `force`."""
    if force:
        os.replace(partial, target)
    elif not claim_name(partial, target):
        raise ExistingFile(shown)


def claim_name(source: str | Path, target: Path) -> bool:
    """Gives `source` the name `target` too, unless something already has it.

    A hard link is atomic and never replaces: two writers cannot both win, and a
    file that appears between a check and the write is kept. Where the file
    system has no hard links, it checks and renames instead (`source` loses its
    old name then). Returns whether `target` was claimed.
    """
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(target):
            return False
        os.rename(source, target)
    return True


@contextmanager
def private_temp(beside: Path) -> Iterator[str]:
    """An empty owner-only file next to `beside` (same folder, so a rename is atomic).

    Removed afterwards, with any journal SQLite left beside it.
    """
    descriptor, name = tempfile.mkstemp(
        prefix=f".{beside.name}.", suffix=".partial", dir=beside.parent
    )
    os.close(descriptor)  # mkstemp creates it 0600 whatever the umask
    try:
        yield name
    finally:
        for leftover in (name, f"{name}-wal", f"{name}-shm", f"{name}-journal"):
            with suppress(FileNotFoundError):
                os.unlink(leftover)


def _both_names(path: Path) -> Iterable[Path]:
    """A path as given (absolute) and with every link resolved: a desk may be named either."""
    given = Path(os.path.abspath(path.expanduser()))
    return dict.fromkeys((given, given.resolve()))


def _folded(path: Path) -> str:
    """A path compared without regard to case (and, on Windows, to slashes)."""
    return os.path.normcase(path).casefold()


def _same(first: Path, second: Path) -> bool:
    """Whether two existing paths are one file or folder (False when either is missing)."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False
