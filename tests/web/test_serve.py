"""`referral-desk serve` as a service: it answers links, runs the clock, logs without
tokens, and stops cleanly on SIGTERM."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from referral_desk.engine.desk import Desk
from tests.conftest import ROSTER_CSV
from tests.factories import intake
from tests.web.served import Served, free_port, start_serve

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def served_desk(tmp_path: Path) -> Iterator[tuple[Desk, Served]]:
    """A desk with one referral offered now, and `serve` running on it."""
    from referral_desk.engine.clock import SystemClock

    port = free_port()
    desk = Desk.open(str(tmp_path / "desk.db"))
    now = SystemClock().now()
    desk.import_roster(ROSTER_CSV.read_text(encoding="utf-8"), now)
    desk.set_setting("public_url", f"http://127.0.0.1:{port}", now)
    desk.set_setting("acceptance_window_minutes", "1", now)
    desk.intake(intake(received_at=None), now)
    served = start_serve(tmp_path / "desk.db", port, tmp_path / "serve.log")
    try:
        yield desk, served
    finally:
        served.stop()
        desk.close()


def test_serve_answers_a_link_and_logs_no_token(served_desk: tuple[Desk, Served]) -> None:
    desk, served = served_desk
    [message] = [m for m in desk.outbox() if m.kind == "offer"]
    link = message.body.rstrip().splitlines()[-1]
    token = link.rsplit("/", 1)[1]
    with urllib.request.urlopen(link, timeout=5) as response:
        assert response.status == 200
        assert "Answer by" in response.read().decode()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{served.base}/", timeout=5)
    assert missing.value.code == 404
    assert served.stop() == 0
    log = served.log.read_text(encoding="utf-8")
    assert "GET /o/… 200" in log
    assert token not in log and token[:12] not in log


def test_serve_runs_the_clock(served_desk: tuple[Desk, Served]) -> None:
    """A one-minute window lapses and the referral moves on with nobody else's clock."""
    desk, _served = served_desk
    [referral] = desk.queue()
    first = referral.open_offers[0].agent_id
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        offers = desk.referral(referral.id).offers
        if any(o.agent_id == first and o.status == "lapsed" for o in offers):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the offer did not lapse under serve's clock")
    assert any(o.agent_id != first for o in desk.referral(referral.id).offers)


def test_serve_refuses_a_port_it_cannot_use(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "referral_desk",
            "--db",
            str(tmp_path / "d.db"),
            "serve",
            "--port",
            "70000",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "port" in result.stderr and "Traceback" not in result.stderr
