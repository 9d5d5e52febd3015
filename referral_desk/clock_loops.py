"""The reassignment clock as a service: a tick loop and an outbox loop, until stopped.

`referral-desk clock` runs them in the foreground; `referral-desk serve` runs them
in threads beside the web server, so a desk with `serve` running needs no other
clock (ticks are conditional updates: two clocks never reassign an offer twice).
The outbox has its own loop: a slow or failing channel never delays the clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .engine import Clock, Desk, DeskError, Lapse, StorageError

__all__ = ["deliver_until", "one_line", "tick_until"]


def tick_until(
    desk: Desk,
    clock: Clock,
    interval: float,
    stop: threading.Event,
    report: Callable[[list[Lapse]], None],
    complain: Callable[[str], None],
) -> None:
    """Ticks every `interval` seconds until `stop` is set; a busy or unreachable database
    is reported on one line and the next beat tries again."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            report(desk.tick(clock.now()))
        except StorageError as error:
            complain(str(error))
        stop.wait(max(0.0, interval - (time.monotonic() - started)))


def deliver_until(
    desk: Desk,
    clock: Clock,
    interval: float,
    stop: threading.Event,
    complain: Callable[[str], None],
) -> None:
    """Delivers the outbox every `interval` seconds until `stop` is set.

    A pass that fails for any reason is reported on one line and the next pass tries
    again: an uncaught error here would end the thread while the clock ticks on, and
    the service would silently stop sending.
    """
    while not stop.is_set():
        started = time.monotonic()
        try:
            desk.deliver_outbox(clock.now())
        except Exception as error:
            complain(f"outbox: {one_line(error)}")
        stop.wait(max(0.0, interval - (time.monotonic() - started)))


def one_line(error: Exception) -> str:
    """The desk's own line for its errors; `unexpected TYPE: …` for anything else."""
    try:
        text = " ".join(str(error).split())
    except Exception:  # a message that fails to show must not end the courier either
        text = ""
    if isinstance(error, DeskError):
        return text
    return f"unexpected {type(error).__name__}: {text}".rstrip(": ")
