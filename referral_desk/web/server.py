"""`referral-desk serve`: the web app on uvicorn, with the reassignment clock beside it.

The clock (ticks and outbox delivery) runs in two threads of the same process,
so a desk with `serve` running needs no other clock; a second clock elsewhere
is harmless (a lapse is a conditional update). uvicorn handles Ctrl+C and
SIGTERM: it stops taking requests, finishes the ones in flight, then the
clock threads are told to stop and are waited for, and the process exits 0.
"""

from __future__ import annotations

import gc
import signal
import threading
from types import FrameType
from typing import TextIO

import uvicorn

from ..clock_loops import deliver_until, tick_until
from ..engine import Clock, Desk, Lapse
from .app import create_app
from .pages import WebContext

__all__ = ["serve"]


def serve(desk: Desk, clock: Clock, host: str, port: int, interval: float, log: TextIO) -> None:
    """Serves the desk until stopped (Ctrl+C, SIGTERM), with its clock running."""
    web = WebContext(desk, clock, log)
    stop = threading.Event()

    def report(lapses: list[Lapse]) -> None:
        for lapse in lapses:
            web.log_line(f"clock: {lapse.referral_id} {lapse.agent_id} lapsed")

    threads = [
        threading.Thread(
            target=tick_until,
            args=(desk, clock, interval, stop, report, web.log_line),
            name="clock",
            daemon=True,
        ),
        threading.Thread(
            target=deliver_until,
            args=(desk, clock, interval, stop, web.log_line),
            name="outbox",
            daemon=True,
        ),
    ]
    config = uvicorn.Config(
        create_app(web),
        host=host,
        port=port,
        access_log=False,  # the app logs each request itself, without the link's token
        log_level="warning",
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )
    server = uvicorn.Server(config)
    # What is loaded by now lives as long as the server: kept out of the collector's
    # full passes, which walked it all again every few requests (the board's pauses).
    gc.collect()
    gc.freeze()
    for thread in threads:
        thread.start()
    # uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again for the
    # handler it found: a handler that does nothing makes a requested stop exit 0.
    previous = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    web.log_line("stopped")


def _stopped(signum: int, frame: FrameType | None) -> None:
    """The stop was asked for and has been carried out: nothing more to do."""
