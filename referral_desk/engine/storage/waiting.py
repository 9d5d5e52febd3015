"""A sign, beside a SQLite desk, that a writer is waiting for its write lock.

SQLite keeps no queue for its write lock: a writer that finds it taken sleeps in
its busy handler and tries again now and then, so a long job (an intake of
10,000 referrals, in batches) must pause between two writes for a waiter to get
in. Pausing after every batch whether or not anyone waits cost a tenth of such
an import. So a writer that finds the lock taken first touches `DESK-waiting`
(`WaitSign.raise_sign`), then waits as before; the long job pauses only when the
sign changed since its last write began (`WaitSign.raised_since`).

The times compared are the file's modification time and the wall clock, both
the operating system's: this is the lock's mechanics, not the desk's time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy.engine import make_url

__all__ = ["WaitSign"]

SLACK_NS = 1_000_000_000
"""A sign up to a second older than the write counts too: some file systems keep
modification times to the second, and pausing once too often costs only the pause."""


class WaitSign:
    """The `-waiting` file of one SQLite desk file."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(f"{database.name}-waiting")

    @classmethod
    def for_url(cls, url: str) -> WaitSign | None:
        """The sign of a SQLite file desk; None for an in-memory or server database."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return cls(Path(parsed.database or ""))

    def raise_sign(self) -> None:
        """Says a writer is waiting now (the file is made, owner-only, if missing)."""
        try:
            descriptor = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(descriptor)
            os.utime(self.path)
        except OSError:  # a read-only folder: the long job pauses anyway (`raised_since`)
            return

    def raised_since(self, began_ns: int) -> bool:
        """Whether a writer signed it was waiting since `began_ns` (`time.time_ns()`);
        True when the sign cannot be read but was ever made, so nobody waits out a job."""
        try:
            changed = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return changed >= began_ns - SLACK_NS

    @staticmethod
    def now_ns() -> int:
        """The wall clock, as the file's modification time is kept."""
        return time.time_ns()
