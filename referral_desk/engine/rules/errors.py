"""The desk's errors: each carries the one line a user reads.

The CLI prints `str(error)` on stderr and exits non-zero; screens show it in a
notification. The line starts with the field's key or the rule broken, so
scripts can tell what went wrong without parsing prose.
"""

from __future__ import annotations

from collections.abc import Sequence

ECHO_LIMIT = 40
"""How much of a user's input an error quotes: enough to recognise it, never a whole file."""


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """Input as an error quotes it: `repr` of its first `limit` characters, `…` if cut.

    A message that quoted input whole could be a megabyte long (a JSON key, a
    roster cell, an argument) and bury the field it names; every error that
    shows what the user gave goes through here.
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + "…"


def cut(value: object, limit: int = ECHO_LIMIT) -> str:
    """Input as an error names it unquoted (a key, an id): its first `limit` characters."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


class DeskError(Exception):
    """Anything the desk refuses, with a message meant for the person at the keyboard."""

    exit_code = 1


class InvalidInput(DeskError):
    """Input that fails validation: one or more `field: message` problems."""

    exit_code = 2

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))

    def __reduce__(self) -> tuple[type[InvalidInput], tuple[tuple[str, ...]]]:
        """Pickled as its problems, so it crosses a process boundary whole (a simulated
        variant runs in a second process)."""
        return (type(self), (self.problems,))


class ExistingFile(InvalidInput):
    """The file named for an export or a backup already exists, and replacing it was not asked.

    Its own class so a screen can ask "replace it?" where the CLI says `--force`.
    """

    def __init__(self, shown: str) -> None:
        self.shown = shown
        super().__init__([f"file: {shown} already exists; add --force to replace it"])

    def __reduce__(self) -> tuple[type[ExistingFile], tuple[str]]:  # type: ignore[override]
        return (type(self), (self.shown,))


class NotFound(DeskError):
    """A referral, agent, task, flag or message id that the desk does not have."""

    exit_code = 3


class Refused(DeskError):
    """A legal request that the desk's rules do not allow now (e.g. an illegal move)."""

    exit_code = 4


class StorageError(DeskError):
    """The database could not be opened, migrated or written."""

    exit_code = 5


class PartlyStored(DeskError):
    """A long intake list stopped by an error after some of its batches were committed.

    Those referrals are stored whole, routed and credited; the rest of the list was
    not written. The line says so, with the ids stored and the items to take in
    again, after the error itself (whose exit code it keeps).
    """

    def __init__(self, cause: BaseException, stored: Sequence[str], total: int) -> None:
        self.cause = cause
        self.stored = tuple(stored)
        self.exit_code = cause.exit_code if isinstance(cause, DeskError) else 1
        said = str(cause) if isinstance(cause, DeskError) else _unexpected(cause)
        count = len(self.stored)
        super().__init__(
            f"{said} — items {count + 1}–{total} of the list were not stored, take in only "
            f"those again; items 1–{count} were, before it ({self.stored[0]}–{self.stored[-1]})"
        )


def _unexpected(error: BaseException) -> str:
    return f"error: unexpected {type(error).__name__}: {error}"
