"""Whatever a channel raises, the outbox records it and the desk goes on.

A channel is meant to raise `TryAgain` or `Undeliverable`, but a bug, a library's
surprise or a setting it chokes on raises anything at all. Every such error is a
failed try: the message is retried with backoff, then marked failed with a
`delivery_failed` flag; it is never left `sending`, the pass never raises, and
routing never notices. A fake channel raises arbitrary exceptions here.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.delivery.channels import Parcel, TryAgain
from referral_desk.engine.delivery.outbox import backoff
from referral_desk.engine.desk import Desk
from tests.conftest import MONDAY_MORNING
from tests.factories import agent_row, intake, roster_csv


class Unprintable(Exception):
    """An exception whose message cannot even be shown."""

    def __str__(self) -> str:
        raise RuntimeError("no message for you")


EXCEPTION_TYPES: tuple[type[Exception], ...] = (
    Exception,
    ValueError,
    TypeError,
    KeyError,
    RuntimeError,
    AttributeError,
    ZeroDivisionError,
    AssertionError,
    NotImplementedError,
    OSError,
    ConnectionResetError,
    TimeoutError,
    UnicodeError,
    RecursionError,
    MemoryError,
    TryAgain,
    Unprintable,
)

exceptions = st.builds(
    lambda kind, text: kind(text),
    st.sampled_from(EXCEPTION_TYPES),
    st.text(max_size=60),
)


class Raising:
    """A transport that raises `error` — when it is chosen (`at_choice`) or when it sends."""

    name = "raising"

    def __init__(self, error: Exception, at_choice: bool = False) -> None:
        self.error = error
        self.at_choice = at_choice
        self.tries = 0

    def __call__(self, channel: str) -> Raising:
        if self.at_choice:
            self.tries += 1
            raise self.error
        return self

    def deliver(self, parcel: Parcel) -> None:
        self.tries += 1
        raise self.error


def counts(report: Any) -> tuple[int, int, int]:
    return report.sent, report.retrying, report.failed


@pytest.fixture
def private_desk(desk: Desk, clock: ManualClock) -> Desk:
    """One email agent with room for a thousand referrals, each offered to her privately."""
    row = agent_row(id="P-EML-01", name="Evelyn Brooks", email="evelyn@agents.example")
    desk.import_roster(
        roster_csv([{**row, "preferred_channel": "email", "capacity": "1000"}]), clock.now()
    )
    return desk


def offer_to_evelyn(desk: Desk, now: datetime) -> str:
    [referral] = desk.intake(intake(mode="private", agent_id="P-EML-01", received_at=None), now)
    return referral.id


@given(
    error=exceptions,
    at_choice=st.booleans(),
    max_attempts=st.integers(min_value=1, max_value=4),
)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_exception_is_retried_then_failed_with_a_flag(
    private_desk: Desk, clock: ManualClock, error: Exception, at_choice: bool, max_attempts: int
) -> None:
    """Each pass records the try (`retrying`, then `failed` at the last one), the pass never
    raises, the message is never left `sending`, and one flag names the message and the
    error's type."""
    desk = private_desk
    desk.set_setting("delivery_max_attempts", str(max_attempts), clock.advance(hours=3))
    referral_id = offer_to_evelyn(desk, clock.now())
    channel = Raising(error, at_choice)

    for attempt in range(1, max_attempts + 1):
        report = desk.deliver_outbox(clock.now(), channel)
        last = attempt == max_attempts
        assert counts(report) == ((0, 0, 1) if last else (0, 1, 0))
        [message] = [m for m in desk.outbox() if m.referral_id == referral_id]
        assert message.status == ("failed" if last else "pending")
        clock.advance(backoff(attempt))

    assert channel.tries == max_attempts
    assert desk.outbox(status="sending") == []
    [flag] = [f for f in desk.flags() if f.referral_id == referral_id]
    assert flag.kind == "delivery_failed"
    assert f"{message.id} (offer to evelyn@agents.example)" in flag.detail
    assert f"after {max_attempts} tries" in flag.detail
    if not isinstance(error, TryAgain):
        assert type(error).__name__ in flag.detail
    assert "\n" not in flag.detail, "the reason is shown on one line"
    assert counts(desk.deliver_outbox(clock.advance(days=1), channel)) == (0, 0, 0)
    assert channel.tries == max_attempts, "a failed message is not tried again by itself"


def test_routing_goes_on_while_every_delivery_raises(desk: Desk, clock: ManualClock) -> None:
    """With a channel that raises on every message, the clock still lapses the unanswered
    offer and offers the referral to the next agent, and both offers wait to be sent."""
    for agent_id, name, zips in (
        ("P-EML-01", "Evelyn Brooks", "78704"),
        ("P-EML-02", "Wes Ford", ""),
    ):
        row = agent_row(
            id=agent_id, name=name, email=f"{agent_id.lower()}@agents.example", zips=zips
        )
        desk.save_agent({**row, "preferred_channel": "email"}, clock.now())
    [referral] = desk.intake(intake(received_at=None), clock.now())
    channel = Raising(ValueError("Header values may not contain linefeed or carriage return"))

    assert counts(desk.deliver_outbox(clock.now(), channel)) == (0, 1, 0)
    [lapse] = desk.tick(clock.advance(minutes=30))

    assert (lapse.agent_id, lapse.next_agent_ids) == ("P-EML-01", ("P-EML-02",))
    assert counts(desk.deliver_outbox(clock.now(), channel)) == (0, 2, 0)
    messages = desk.outbox()
    assert {m.status for m in messages} == {"pending"}
    assert [m.to for m in reversed(messages)] == [
        "p-eml-01@agents.example",
        "p-eml-02@agents.example",
    ]
    assert desk.referral(referral.id).status == "offered"


def test_the_clock_service_courier_outlives_any_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The service's delivery thread reports each failed pass on one line and tries again;
    before, the first unexpected error ended the thread while the clock ticked on."""
    import threading

    from referral_desk.clock_loops import deliver_until

    errors: list[BaseException] = [
        ValueError("bad\r\nheader"),
        KeyError("smtp"),
        Unprintable(),
        RuntimeError(""),
        OSError(28, "No space left on device"),
    ]

    class FailingDesk:
        passes = 0

        def deliver_outbox(self, now: datetime) -> None:
            self.passes += 1
            if errors:
                raise errors.pop(0)
            raise SystemExit  # ends the test's loop: the service itself never stops

    failing = FailingDesk()
    with pytest.raises(SystemExit):
        deliver_until(
            failing,  # type: ignore[arg-type]
            ManualClock(MONDAY_MORNING),
            0.0,
            threading.Event(),
            lambda line: print(line, file=sys.stderr),
        )

    assert failing.passes == 6
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 5
    assert all(line.startswith("outbox: unexpected ") for line in lines)
    assert "ValueError: bad header" in lines[0]


def test_outbox_send_and_clock_once_survive_a_raising_channel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`outbox send` and `clock --once` exit 0 and count the message as retrying, where they
    used to exit with `unexpected ValueError` and leave it `sending`."""
    import json

    from referral_desk.cli import main
    from referral_desk.engine.delivery import outbox as delivery

    monkeypatch.setattr(delivery, "transport_for", lambda *_: Raising(ValueError("bad\nfrom")))
    db = str(tmp_path / "desk.db")
    row = agent_row(id="P-EML-01", email="evelyn@agents.example", preferred_channel="email")
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_csv([row]), encoding="utf-8")
    maria = tmp_path / "maria.json"
    maria.write_text(json.dumps(intake()), encoding="utf-8")
    now = "2026-11-23T14:00:00Z"
    assert main(["--db", db, "partners", "import", str(roster)]) == 0
    assert main(["--db", db, "--now", now, "intake", str(maria)]) == 0
    capsys.readouterr()

    assert main(["--db", db, "--now", now, "outbox", "send", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sent": 0, "retrying": 1, "failed": 0}
    assert main(["--db", db, "--now", "2026-11-23T14:05:00Z", "clock", "--once"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["--db", db, "outbox", "--json"]) == 0
    [message] = json.loads(capsys.readouterr().out)
    assert message["status"] == "pending"
