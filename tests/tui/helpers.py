"""What the Pilot and snapshot tests share: a seeded demo desk and a way to wait.

Screens read the desk in thread workers and re-read on messages, so one
`pilot.pause()` is not enough: `settle` waits until no worker is running (prompts aside) and
the message queues are empty, a few rounds in a row (a worker's message can
start another worker). `wait_until` waits for something a test can see to come
true: a test never sleeps a fixed time hoping that was long enough.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerState

from referral_desk.demo import seed_demo
from referral_desk.engine.desk import Desk

__all__ = ["seed_demo_file", "settle", "wait_until"]


def seed_demo_file(path: Path, now: datetime) -> str:
    """A SQLite file holding the demo desk as it stands at `now`; returns its path."""
    desk = Desk.open(str(path), actor="test")
    try:
        seed_demo(desk, now)
    finally:
        desk.close()
    return str(path)


async def settle(pilot: Pilot[object], rounds: int = 3) -> None:
    """Waits for every worker and message until the app has been quiet for `rounds` pauses."""
    app = pilot.app
    quiet = 0
    for _ in range(1000):
        await pilot.pause()
        busy = any(
            worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            # a prompt worker waits on a modal the test has not answered yet;
            # a DirectoryTree's "_loader" waits for folders to load as long as it lives
            and worker.group not in ("prompt", "_loader")
            for worker in app.workers
        )
        if busy:
            quiet = 0
            await asyncio.sleep(0.005)
            continue
        quiet += 1
        if quiet >= rounds:
            return
    raise AssertionError("the app never settled")


async def wait_until(
    pilot: Pilot[object], condition: Callable[[], bool], timeout: float = 10.0
) -> None:
    """Lets the app run until `condition()` holds, checking after each pause; fails after
    `timeout` seconds saying what it waited for."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            name = getattr(condition, "__doc__", None) or repr(condition)
            raise AssertionError(f"waited {timeout:g} s and still not: {name}")
        await pilot.pause()


def record_toasts(app: App[Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages of every notification the app shows from now on (still shown as usual)."""
    shown: list[str] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        shown.append(str(message))
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording)
    return shown
