"""CRM write-back: every event of a referral reaches a real local HTTP receiver, signed,
without client contact, retried like any message, and only for writes that happened."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from tests.factories import intake

SECRET = "crm-shared-secret"


class Receiver:
    """A CRM's endpoint: answers each POST with the next status given (200 by default),
    keeping every body and whether its signature was right."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.signed: list[bool] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                status = receiver.answers.pop(0) if receiver.answers else 200
                if status == 200:
                    receiver.bodies.append(json.loads(body))
                    receiver.signed.append(
                        hmac.compare_digest(
                            self.headers.get("X-Referral-Desk-Signature", ""), expected
                        )
                    )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *arguments: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("REFERRAL_DESK_WEBHOOK_SECRET", SECRET)
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def crm_desk(web_desk: Desk, clock: ManualClock, receiver: Receiver) -> Desk:
    web_desk.set_setting("crm_webhook_url", receiver.url, clock.now())
    return web_desk


def test_every_event_reaches_the_crm_signed_and_without_client_contact(
    crm_desk: Desk, clock: ManualClock, receiver: Receiver
) -> None:
    [referral] = crm_desk.intake(intake(received_at=None), clock.now())
    agent = referral.open_offers[0].agent_id
    clock.advance(minutes=2)
    crm_desk.respond(referral.id, agent, "accept", clock.now())
    report = crm_desk.deliver_outbox(clock.now())
    assert report.failed == 0
    events = crm_desk.referral(referral.id).events
    heard = [body for body in receiver.bodies if body["referral_id"] == referral.id]
    assert [body["event"] for body in heard] == [event.kind for event in events]
    assert all(receiver.signed)
    last = heard[-1]
    assert (last["status"], last["assigned_agent_id"]) == ("awarded", agent)
    assert set(last) == {"event", "at", "referral_id", "status", "assigned_agent_id",
                         "agent_id", "detail"}  # fmt: skip
    text = json.dumps(receiver.bodies)
    for contact in ("Lopez", "maria.lopez@example.com", "5550142", "relocating from Denver"):
        assert contact not in text


def test_a_refused_write_sends_the_crm_nothing(
    crm_desk: Desk, clock: ManualClock, receiver: Receiver
) -> None:
    before = len(crm_desk.outbox())
    with pytest.raises(InvalidInput):
        crm_desk.intake([intake(received_at=None), intake(price_min=-5)], clock.now())
    assert len(crm_desk.outbox()) == before


def test_a_crm_that_is_down_is_retried_then_a_4xx_fails_with_a_flag(
    crm_desk: Desk, clock: ManualClock, receiver: Receiver
) -> None:
    crm_desk.intake(intake(received_at=None), clock.now())
    crm_messages = [m for m in crm_desk.outbox() if m.channel == "crm"]
    receiver.answers = [503] * len(crm_messages)
    first = crm_desk.deliver_outbox(clock.now())
    assert first.retrying >= len(crm_messages) and receiver.bodies == []
    clock.advance(minutes=10)
    second = crm_desk.deliver_outbox(clock.now())
    assert second.failed == 0
    assert len(receiver.bodies) == len(crm_messages)
    crm_desk.set_setting("crm_webhook_url", receiver.url + "/gone", clock.now())
    [referral] = crm_desk.intake(intake(received_at=None, client_first_name="Bo"), clock.now())
    receiver.answers = [404] * 50
    crm_desk.deliver_outbox(clock.now() + timedelta(seconds=1))
    failed = [m for m in crm_desk.outbox() if m.channel == "crm" and m.status == "failed"]
    assert failed and all(m.referral_id == referral.id for m in failed)
    assert any(flag.kind == "delivery_failed" for flag in crm_desk.flags())


def test_without_the_setting_no_crm_message_is_queued(web_desk: Desk, clock: ManualClock) -> None:
    web_desk.intake(intake(received_at=None), clock.now())
    assert [m for m in web_desk.outbox() if m.channel == "crm"] == []


@pytest.mark.parametrize("url", ["ftp://crm.example", "https://user:pw@crm.example/x", "crm"])
def test_the_crm_url_is_checked_when_set(web_desk: Desk, clock: ManualClock, url: str) -> None:
    with pytest.raises(InvalidInput, match="crm_webhook_url"):
        web_desk.set_setting("crm_webhook_url", url, clock.now())
