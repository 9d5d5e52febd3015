"""The desk's signing secret: what offer links and board links are signed with.

`REFERRAL_DESK_SECRET` wins when set (several machines serving one PostgreSQL
desk share it that way). Otherwise the desk keeps a random secret in a file
made once, owner-only: `<database file>.secret` beside a SQLite desk, a file in
the user data directory for a server desk. It is never printed, stored in the
database or shown. Rotating it writes a new one atomically: every link signed
with the old one stops working (404) at once, in every process, since readers
check the file's modification before trusting what they read.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ..rules.errors import InvalidInput, StorageError, echo

SECRET_ENV: Final = "REFERRAL_DESK_SECRET"
MIN_LENGTH: Final = 16
"""Shortest secret taken from the environment: a guessable one would let links be forged."""

__all__ = ["SECRET_ENV", "SecretKeeper"]


@dataclass
class SecretKeeper:
    """Reads (and makes, once) the secret at `path`; `path` is None when the desk has no
    file of its own to keep it beside (a server desk whose caller named no folder)."""

    path: Path | None
    _cached: tuple[int, str] | None = field(default=None, repr=False)

    @classmethod
    def of_desk(cls, url: str, server_file: Path | None) -> SecretKeeper:
        """The keeper for a desk: `<database file>.secret` beside a SQLite desk, else
        `server_file` (the user data directory's, as the CLI and app set it)."""
        from .connect import sqlite_file

        database = sqlite_file(url)
        return cls(database.with_name(f"{database.name}.secret") if database else server_file)

    def secret(self) -> str:
        """The current secret: the environment's, else the file's (made if missing)."""
        configured = os.environ.get(SECRET_ENV, "")
        if configured:
            if len(configured.strip()) < MIN_LENGTH:
                raise StorageError(f"secret: {SECRET_ENV} must be at least {MIN_LENGTH} characters")
            return configured.strip()
        path = self._file()
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return self._make(path)
        except OSError as error:
            raise StorageError(f"secret: cannot read {echo(str(path), 200)} ({error})") from None
        if self._cached is not None and self._cached[0] == stamp:
            return self._cached[1]
        return self._read(path, stamp)

    def rotate(self) -> Path:
        """Replaces the secret file with a new random secret (old links stop working)."""
        if os.environ.get(SECRET_ENV, ""):
            raise InvalidInput(
                [f"secret: it comes from {SECRET_ENV}; change it there (and restart serve)"]
            )
        path = self._file()
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        self._write(temporary, exclusive=True)
        os.replace(temporary, path)
        self._cached = None
        return path

    def _file(self) -> Path:
        if self.path is None:
            raise StorageError(
                f"secret: this desk keeps no file of its own; set {SECRET_ENV} (16+ characters)"
            )
        return self.path

    def _make(self, path: Path) -> str:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            self._write(path, exclusive=True)
        return self._read(path, path.stat().st_mtime_ns)

    def _read(self, path: Path, stamp: int) -> str:
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise StorageError(f"secret: cannot read {echo(str(path), 200)} ({error})") from None
        if len(text) < MIN_LENGTH:
            raise StorageError(
                f"secret: {echo(str(path), 200)} is too short; rotate it (`referral-desk "
                "secret rotate`)"
            )
        self._cached = (stamp, text)
        return text

    @staticmethod
    def _write(path: Path, *, exclusive: bool) -> None:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
        flags |= getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(path, flags, 0o600)
        except FileExistsError:
            raise
        except OSError as error:
            raise StorageError(f"secret: cannot write {echo(str(path), 200)} ({error})") from None
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
