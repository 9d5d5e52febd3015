"""Where "now" comes from — the only module that reads the system clock.

Engine functions take `now`; the CLI and the app ask a `Clock` for it. Tests
and `--now` use a fixed or manual clock, so every deadline is reproducible.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can say what time it is (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Always the same moment: for `--now` and snapshot tests."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a clock needs an aware datetime")
        self._moment = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self._moment


class ManualClock(FixedClock):
    """A clock a test moves forward by hand, to watch windows lapse."""

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Moves time forward by `delta` (or `timedelta(**kwargs)`) and returns the new now."""
        self._moment += delta if delta is not None else timedelta(**kwargs)
        return self._moment

    def set(self, moment: datetime) -> None:
        """Jumps to a moment (either direction)."""
        self._moment = moment.astimezone(UTC)


class OffsetClock:
    """The real time shifted by a fixed offset: `--now` for a long-running command."""

    def __init__(self, start: datetime) -> None:
        self._offset = start.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset
