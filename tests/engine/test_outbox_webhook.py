"""Offers by SMS through a webhook: a real local HTTP server stands in for the SMS gateway.

An sms-preferring agent's offer is POSTed as JSON and, when the desk has a shared
secret, signed with HMAC-SHA256 so the gateway can check it came from the desk.
A gateway that answers 5xx gets the message again later (with backoff); one that
answers 4xx has refused it for good: the message is failed and the team lead gets
one `delivery_failed` flag. So does a message that is still failing after the
last try.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from tests.factories import agent_row, intake

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
"""Monday 23 November 2026, 08:00 in Chicago (the `clock` fixture's start)."""
SECRET = "gateway-shared-secret"
SECRET_ENV = "REFERRAL_DESK_WEBHOOK_SECRET"
SIGNATURE_HEADER = "X-Referral-Desk-Signature"
AGENT_PHONE = "+15125550188"
PAYLOAD_KEYS = {"id", "kind", "channel", "to", "subject", "body", "referral_id"}
CLIENT_SECRETS = ("Lopez", "maria.lopez@example.com", "+15125550142", "512 555 0142")


@dataclass
class Post:
    """One request the gateway received."""

    path: str
    headers: dict[str, str]
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw.decode("utf-8"))


@dataclass
class Gateway:
    """A local SMS gateway: records each POST and answers with the next scripted status."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    """Statuses to answer with, in order; 200 once they run out (or `always`)."""
    always: int | None = None
    posts: list[Post] = field(default_factory=list)

    def next_status(self) -> int:
        if self.always is not None:
            return self.always
        return self.answers.pop(0) if self.answers else 200


def handler_for(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            gateway.posts.append(Post(self.path, dict(self.headers.items()), raw))
            status = gateway.next_status()
            answer = b'{"ok": true}' if status < 300 else b'{"error": "scripted"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads `gateway.posts` instead."""

    return Handler


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port), reached without any proxy."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    state = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sms_desk(desk: Desk, clock: ManualClock, gateway: Gateway) -> Desk:
    """A desk whose SMS goes to the gateway, with one sms-preferring agent for Austin."""
    desk.set_setting("webhook_url", gateway.url, clock.now())
    desk.save_agent(
        agent_row(
            id="P-SMS-01",
            name="Sam Ortiz",
            email="sam.ortiz@example.com",
            phone="+1 512 555 0188",
            preferred_channel="sms",
        ),
        clock.now(),
    )
    return desk


def closed_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_referral(desk: Desk, now: datetime) -> str:
    """The contract's Austin buyer (Maria Lopez), received now; its id."""
    return desk.intake(intake(received_at=None), now)[0].id


def counts(report: Any) -> tuple[int, int, int]:
    return (report.sent, report.retrying, report.failed)


def test_an_sms_offer_is_posted_as_json_signed_with_the_shared_secret(
    sms_desk: Desk, clock: ManualClock, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gateway gets the offer as JSON for the agent's phone, and the signature header is
    the HMAC-SHA256 of the exact body under the shared secret."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    referral_id = new_referral(sms_desk, clock.now())

    assert counts(sms_desk.deliver_outbox(clock.now())) == (1, 0, 0)

    [post] = gateway.posts
    assert post.path == "/sms"
    assert post.headers["Content-Type"] == "application/json"
    payload = post.json()
    assert set(payload) == PAYLOAD_KEYS
    [message] = sms_desk.outbox()
    assert payload["id"] == message.id
    assert (payload["kind"], payload["channel"], payload["to"]) == ("offer", "sms", AGENT_PHONE)
    assert payload["referral_id"] == referral_id
    assert payload["subject"] == message.subject
    assert payload["body"] == message.body
    assert "Client:     Maria" in payload["body"]
    assert "$400K–$700K" in payload["body"]
    for secret in (*CLIENT_SECRETS, "relocating from Denver"):
        assert secret not in post.raw.decode("utf-8")

    expected = "sha256=" + hmac.new(SECRET.encode(), post.raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(post.headers[SIGNATURE_HEADER], expected)
    forged = "sha256=" + hmac.new(b"another secret", post.raw, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(post.headers[SIGNATURE_HEADER], forged)
    assert (message.status, message.attempts) == ("sent", 1)


def test_without_a_secret_the_post_carries_no_signature(
    sms_desk: Desk, clock: ManualClock, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret is optional: with none set, the body is posted unsigned (no empty header)."""
    monkeypatch.delenv(SECRET_ENV, raising=False)
    new_referral(sms_desk, clock.now())

    assert counts(sms_desk.deliver_outbox(clock.now())) == (1, 0, 0)
    [post] = gateway.posts
    assert SIGNATURE_HEADER.lower() not in {name.lower() for name in post.headers}
    assert post.json()["to"] == AGENT_PHONE


def test_a_5xx_answer_is_retried_with_backoff_and_delivered_later(
    sms_desk: Desk, clock: ManualClock, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """500 and 503 are passing failures: the message waits 30 s, then 60 s, and goes through
    on the third try — the same signed body each time, and no flag."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    gateway.answers = [500, 503]
    new_referral(sms_desk, clock.now())

    assert counts(sms_desk.deliver_outbox(clock.now())) == (0, 1, 0)
    [message] = sms_desk.outbox()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == T0 + timedelta(seconds=30)
    assert message.last_error and "500" in message.last_error

    assert counts(sms_desk.deliver_outbox(T0 + timedelta(seconds=29))) == (0, 0, 0)
    assert len(gateway.posts) == 1, "not tried again before its backoff ran out"

    assert counts(sms_desk.deliver_outbox(T0 + timedelta(seconds=30))) == (0, 1, 0)
    [message] = sms_desk.outbox()
    assert (message.status, message.attempts) == ("pending", 2)
    assert message.next_attempt_at == T0 + timedelta(seconds=90)
    assert message.last_error and "503" in message.last_error

    assert counts(sms_desk.deliver_outbox(T0 + timedelta(seconds=90))) == (1, 0, 0)
    [message] = sms_desk.outbox()
    assert (message.status, message.attempts) == ("sent", 3)
    assert message.sent_at == T0 + timedelta(seconds=90)
    assert len(gateway.posts) == 3
    assert len({post.raw for post in gateway.posts}) == 1, "each try posts the same body"
    assert len({post.headers[SIGNATURE_HEADER] for post in gateway.posts}) == 1
    assert sms_desk.flags() == []


@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_4xx_answer_fails_the_message_with_exactly_one_flag(
    sms_desk: Desk, clock: ManualClock, gateway: Gateway, status: int
) -> None:
    """A 4xx means the gateway will never take this message: it is failed at once (no retry)
    and the team lead gets exactly one delivery_failed flag for it."""
    gateway.always = status
    referral_id = new_referral(sms_desk, clock.now())

    assert counts(sms_desk.deliver_outbox(clock.now())) == (0, 0, 1)
    for minutes in (1, 10, 120):
        assert counts(sms_desk.deliver_outbox(T0 + timedelta(minutes=minutes))) == (0, 0, 0)

    assert len(gateway.posts) == 1
    [message] = sms_desk.outbox()
    assert (message.status, message.attempts, message.next_attempt_at) == ("failed", 1, None)
    assert message.last_error and str(status) in message.last_error
    [flag] = sms_desk.flags()
    assert (flag.kind, flag.referral_id) == ("delivery_failed", referral_id)
    assert message.id in flag.detail and AGENT_PHONE in flag.detail


def test_after_the_last_try_a_failing_gateway_fails_the_message_with_a_flag(
    sms_desk: Desk, clock: ManualClock, gateway: Gateway
) -> None:
    """With `delivery_max_attempts` 3 and a gateway that keeps answering 500, the third try is
    the last: the message is failed, one flag is raised, and nothing is posted again."""
    sms_desk.set_setting("delivery_max_attempts", "3", clock.now())
    gateway.always = 500
    referral_id = new_referral(sms_desk, clock.now())

    now = clock.now()
    outcomes = []
    for _ in range(3):
        outcomes.append(counts(sms_desk.deliver_outbox(now)))
        [message] = sms_desk.outbox()
        now = message.next_attempt_at or now + timedelta(hours=1)
    assert outcomes == [(0, 1, 0), (0, 1, 0), (0, 0, 1)]

    [message] = sms_desk.outbox()
    assert (message.status, message.attempts) == ("failed", 3)
    assert len(gateway.posts) == 3
    [flag] = sms_desk.flags()
    assert (flag.kind, flag.referral_id) == ("delivery_failed", referral_id)
    assert "3 tries" in flag.detail

    assert counts(sms_desk.deliver_outbox(now + timedelta(days=1))) == (0, 0, 0)
    assert len(gateway.posts) == 3
    assert len(sms_desk.flags()) == 1


def test_a_gateway_that_is_down_is_retried_and_routing_goes_on(
    sms_desk: Desk, clock: ManualClock, gateway: Gateway
) -> None:
    """No answer at all (connection refused) is a passing failure too, and the clock still
    lapses the unanswered offer and routes the referral on while the gateway is down."""
    sms_desk.set_setting("webhook_url", f"http://127.0.0.1:{closed_port()}/sms", clock.now())
    sms_desk.save_agent(
        agent_row(id="P-SMS-02", name="Ria Patel", phone="+1 512 555 0189", zips=""),
        clock.now(),
    )
    referral_id = new_referral(sms_desk, clock.now())

    assert counts(sms_desk.deliver_outbox(clock.now())) == (0, 1, 0)
    [lapse] = sms_desk.tick(clock.advance(minutes=30))
    assert (lapse.agent_id, lapse.next_agent_ids) == ("P-SMS-01", ("P-SMS-02",))
    assert counts(sms_desk.deliver_outbox(clock.now())) == (0, 2, 0)
    assert {m.status for m in sms_desk.outbox()} == {"pending"}

    sms_desk.set_setting("webhook_url", gateway.url, clock.now())
    assert counts(sms_desk.deliver_outbox(clock.advance(minutes=5))) == (2, 0, 0)
    assert sorted(post.json()["to"] for post in gateway.posts) == [AGENT_PHONE, "+15125550189"]
    assert {post.json()["referral_id"] for post in gateway.posts} == {referral_id}
