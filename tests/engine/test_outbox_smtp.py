"""Offers by email through a real SMTP server (aiosmtpd on 127.0.0.1, started by each test).

An email-preferring agent hears of an offer at once, with the market, band and the
client's first name, and nothing that would let them reach the client. When the
server is down the message waits and is tried again with backoff, while routing
carries on; once the server is back, every waiting message arrives exactly once.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from tests.factories import agent_row, intake

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
"""Monday 23 November 2026, 08:00 in Chicago (the `clock` fixture's start)."""
DESK_FROM = "desk@keystone.example"
EVELYN = "evelyn.brooks@example.com"
WES = "wes.ford@example.com"
CLIENT_SECRETS = ("Lopez", "maria.lopez@example.com", "+15125550142", "512 555 0142")
"""The contract client's last name, email and phone (stored E.164, and as typed)."""


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts (and can refuse addresses)."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.refuse = refuse
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        email = message_from_bytes(envelope.original_content, policy=default_policy)
        assert isinstance(email, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), email))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [address for rcpt_tos, _ in self.received for address in rcpt_tos]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(port: int, refuse: frozenset[str] = frozenset()) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1:port for the duration of the block."""
    mailbox = Mailbox(refuse)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def smtp_desk(desk: Desk, clock: ManualClock, port: int) -> Desk:
    """A desk sending email through 127.0.0.1:port (no STARTTLS), with two email agents.

    Evelyn covers the client's ZIP (the best fit); Wes covers only the metro (next).
    """
    now = clock.now()
    for key, value in (
        ("smtp_host", "127.0.0.1"),
        ("smtp_port", str(port)),
        ("smtp_starttls", "false"),
        ("smtp_from", DESK_FROM),
    ):
        desk.set_setting(key, value, now)
    desk.save_agent(
        agent_row(
            id="P-EML-01",
            name="Evelyn Brooks",
            email=EVELYN,
            phone="+1 512 555 0163",
            preferred_channel="email",
        ),
        now,
    )
    desk.save_agent(
        agent_row(
            id="P-EML-02",
            name="Wes Ford",
            email=WES,
            phone="+1 512 555 0164",
            preferred_channel="email",
            zips="",
        ),
        now,
    )
    return desk


def new_referral(desk: Desk, now: datetime) -> str:
    """The contract's Austin buyer (Maria Lopez), received now; its id."""
    return desk.intake(intake(received_at=None), now)[0].id


def test_an_offer_reaches_the_agents_inbox_with_market_band_and_first_name_only(
    smtp_desk: Desk, clock: ManualClock, port: int
) -> None:
    """The agent's mail server receives the offer: their address, the market, band and first
    name — never the client's last name, email or phone."""
    with smtp_server(port) as mailbox:
        referral_id = new_referral(smtp_desk, clock.now())
        report = smtp_desk.deliver_outbox(clock.now())

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [(rcpt_tos, email)] = mailbox.received
    assert rcpt_tos == [EVELYN]
    assert email["To"] == EVELYN
    assert email["From"] == DESK_FROM
    assert email["X-Referral-Desk-Referral"] == referral_id
    subject = str(email["Subject"])
    assert subject.startswith("New referral for you: buyer in Austin 78704 ($400K–$700K)")
    body = email.get_content()
    assert "Hi Evelyn," in body
    assert "Client:     Maria" in body
    assert "Market:     Austin 78704" in body
    assert "Price band: $400K–$700K" in body
    assert referral_id in body
    for secret in (*CLIENT_SECRETS, "relocating from Denver"):
        assert secret not in subject
        assert secret not in body
        assert secret not in email.as_string()

    [message] = smtp_desk.outbox()
    assert (message.kind, message.channel, message.to) == ("offer", "email", EVELYN)
    assert (message.status, message.attempts, message.sent_at) == ("sent", 1, clock.now())
    assert not smtp_desk.outbox_folder().exists(), "SMTP configured: no .eml files"


def test_with_the_server_down_the_offer_waits_and_arrives_once_the_server_is_up(
    smtp_desk: Desk, clock: ManualClock, port: int
) -> None:
    """A closed SMTP port costs nothing but time: the offer is retried with backoff, routing
    goes on (the lapse reaches the next agent), and both offers arrive once, when it is up."""
    referral_id = new_referral(smtp_desk, clock.now())

    report = smtp_desk.deliver_outbox(clock.now())
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    [waiting] = smtp_desk.outbox()
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert waiting.last_error and f"127.0.0.1:{port}" in waiting.last_error

    early = smtp_desk.deliver_outbox(clock.now() + timedelta(seconds=10))
    assert (early.sent, early.retrying, early.failed) == (0, 0, 0), "not due yet: not tried"

    # Evelyn never hears of it and her window lapses: the clock offers it to Wes.
    lapsed_at = clock.advance(minutes=30)
    [lapse] = smtp_desk.tick(lapsed_at)
    assert (lapse.agent_id, lapse.next_agent_ids) == ("P-EML-01", ("P-EML-02",))
    [offer_to_wes] = [o for o in smtp_desk.referral(referral_id).offers if o.status == "offered"]
    assert offer_to_wes.agent_id == "P-EML-02"

    still_down = smtp_desk.deliver_outbox(lapsed_at)
    assert (still_down.sent, still_down.retrying, still_down.failed) == (0, 2, 0)
    by_recipient = {message.to: message for message in smtp_desk.outbox()}
    assert by_recipient[EVELYN].attempts == 2
    assert by_recipient[EVELYN].next_attempt_at == lapsed_at + timedelta(seconds=60)
    assert by_recipient[WES].attempts == 1
    assert {message.status for message in by_recipient.values()} == {"pending"}
    assert smtp_desk.flags() == [], "a passing failure raises no flag"

    with smtp_server(port) as mailbox:
        back_up = clock.advance(minutes=2)
        report = smtp_desk.deliver_outbox(back_up)
        again = smtp_desk.deliver_outbox(clock.advance(minutes=10))

    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert (again.sent, again.retrying, again.failed) == (0, 0, 0)
    assert sorted(mailbox.recipients()) == [EVELYN, WES], "each offer arrived exactly once"
    assert {message.status for message in smtp_desk.outbox()} == {"sent"}
    for _, email in mailbox.received:
        assert "Client:     Maria" in email.get_content()
        assert "Lopez" not in email.as_string()


def test_a_refused_recipient_fails_at_once_with_a_flag(
    smtp_desk: Desk, clock: ManualClock, port: int
) -> None:
    """An address the server refuses (550) is not retried: the message is failed and the team
    lead gets one delivery_failed flag naming it."""
    with smtp_server(port, refuse=frozenset({EVELYN})) as mailbox:
        referral_id = new_referral(smtp_desk, clock.now())
        report = smtp_desk.deliver_outbox(clock.now())
        later = smtp_desk.deliver_outbox(clock.advance(hours=2))

    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    assert (later.sent, later.retrying, later.failed) == (0, 0, 0)
    assert mailbox.received == []
    [message] = smtp_desk.outbox()
    assert (message.status, message.attempts) == ("failed", 1)
    [flag] = smtp_desk.flags()
    assert (flag.kind, flag.referral_id) == ("delivery_failed", referral_id)
    assert message.id in flag.detail and EVELYN in flag.detail
