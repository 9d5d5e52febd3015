"""A long job on a SQLite file pauses between its writes only when a writer waits.

A writer of another process that finds the write lock taken says so beside the
desk (`DESK-waiting`) before it waits; an import in batches then pauses long
enough for that writer's busy handler to get in, and otherwise goes straight on.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.desk import intake as intake_module
from referral_desk.engine.storage import store as store_module
from tests.factories import intake


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every pause a store takes between two writes, recorded (and not slept)."""
    taken: list[float] = []
    monkeypatch.setattr(store_module, "time", SimpleNamespace(sleep=taken.append))
    return taken


def sign_of(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}-waiting")


def test_an_import_nobody_waits_for_never_pauses(
    db_path: Path, clock: ManualClock, pauses: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake_module, "BATCH_SIZE", 5)
    desk = Desk.open(str(db_path))
    try:
        payload = [intake(client_first_name=f"Client{n}") for n in range(23)]
        assert len(desk.intake(payload, clock.now())) == 23
    finally:
        desk.close()
    assert pauses == []
    assert not sign_of(db_path).exists()


def test_a_writer_that_finds_the_lock_taken_signs_and_the_job_pauses_for_it(
    db_path: Path, clock: ManualClock, pauses: list[float]
) -> None:
    importer = Desk.open(str(db_path))
    other = Desk.open(str(db_path), actor="clock")
    done = threading.Event()
    try:
        with importer.store.write():  # one batch of a long job holds the lock
            waiter = threading.Thread(
                target=lambda: (other.set_setting("broadcast_size", "2", clock.now()), done.set())
            )
            waiter.start()
            deadline = time.monotonic() + 10
            while not sign_of(db_path).exists() and time.monotonic() < deadline:
                time.sleep(0.005)
            assert sign_of(db_path).exists(), "the waiting writer left no sign"
        importer.store.hand_over()
        waiter.join(timeout=10)
        assert done.is_set()
        assert other.settings().broadcast_size == 2
        assert len(pauses) == 1 and pauses[0] > 0.1  # longer than the busy handler's nap
        aged = time.time() - 5  # the waiter was in five seconds ago
        os.utime(sign_of(db_path), (aged, aged))
        with importer.store.write():  # a later batch nobody waited for
            pass
        importer.store.hand_over()
        assert len(pauses) == 1
    finally:
        other.close()
        importer.close()


def test_the_sign_is_the_owners_alone(db_path: Path, clock: ManualClock) -> None:
    importer = Desk.open(str(db_path))
    other = Desk.open(str(db_path))
    try:
        with importer.store.write():
            waiter = threading.Thread(
                target=lambda: other.set_setting("broadcast_size", "2", clock.now())
            )
            waiter.start()
            deadline = time.monotonic() + 10
            while not sign_of(db_path).exists() and time.monotonic() < deadline:
                time.sleep(0.005)
        waiter.join(timeout=10)
        assert sign_of(db_path).stat().st_mode & 0o077 == 0
    finally:
        other.close()
        importer.close()
