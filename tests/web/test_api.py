"""The intake API: keys, every status it answers, idempotent retries, nothing half-written.

Driven in-process over the real desk service on each backend; a refusal is JSON
naming the field, and the desk's revision counter proves nothing was written.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from starlette.testclient import TestClient

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput, NotFound, Refused
from tests.factories import intake


@pytest.fixture
def key(web_desk: Desk, clock: ManualClock) -> str:
    return web_desk.api.add_key("Lead form", clock.now())


def post(client: TestClient, key: str, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        "/api/referrals",
        content=data,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", **headers},
    )


def test_a_referral_posted_with_a_key_is_stored_routed_and_shown_as_show_json(
    web_desk: Desk, clock: ManualClock, client: TestClient, key: str
) -> None:
    response = post(client, key, intake(received_at=None))
    assert response.status_code == 201
    document = response.json()
    assert document == web_desk.referral(document["id"]).to_json(clock.now())
    assert document["status"] == "offered"
    [listed] = web_desk.api.keys()
    assert (listed.name, listed.requests, listed.last_used_at) == ("Lead form", 1, clock.now())


def test_a_list_is_stored_whole_and_answered_as_a_list(
    web_desk: Desk, clock: ManualClock, client: TestClient, key: str
) -> None:
    payload = [intake(received_at=None, client_first_name=name) for name in ("Ann", "Bo", "Cy")]
    response = post(client, key, payload)
    assert response.status_code == 201
    assert [item["client"]["first_name"] for item in response.json()] == ["Ann", "Bo", "Cy"]
    assert len(web_desk.queue()) == 3


@pytest.mark.parametrize(
    ("authorization", "why"),
    [
        (None, "no header"),
        ("Bearer ", "empty"),
        ("Basic abc", "another scheme"),
        ("Bearer rdk_not-a-key", "unknown"),
        ("Bearer " + "x" * 5000, "huge"),
    ],
)
def test_without_a_live_key_it_is_401_and_nothing_is_written(
    web_desk: Desk, client: TestClient, authorization: str | None, why: str
) -> None:
    revision = web_desk.revision()
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    for response in (
        client.post("/api/referrals", content=json.dumps(intake()).encode(), headers=headers),
        client.get("/api/queue", headers=headers),
    ):
        assert response.status_code == 401, why
        assert response.json()["errors"][0].startswith("authorization: ")
        assert response.headers["www-authenticate"] == "Bearer"
    assert web_desk.revision() == revision


def test_a_revoked_key_stops_working_at_once(
    web_desk: Desk, clock: ManualClock, client: TestClient, key: str
) -> None:
    assert post(client, key, intake(received_at=None)).status_code == 201
    web_desk.api.revoke_key("Lead form", clock.now())
    assert post(client, key, intake(received_at=None)).status_code == 401
    with pytest.raises(NotFound, match="name: no key named"):
        web_desk.api.revoke_key("Lead form", clock.now())


@pytest.mark.parametrize(
    ("body", "content_type", "status", "starts"),
    [
        (b"{not json", "application/json", 400, "body: not JSON"),
        (b"\xff\xfe", "application/json", 400, "body: not JSON"),
        (b'"a string"', "application/json", 422, "body: must be one intake object"),
        (b"{}", "text/plain", 415, "content-type: must be application/json"),
        (b"{}", "application/x-www-form-urlencoded", 415, "content-type: "),
        (b"x" * 1_000_001, "application/json", 413, "body: at most 1,000,000 bytes"),
        (b"[]", "application/json", 422, "input: the list holds no referral"),
    ],
)
def test_bodies_it_cannot_take_are_refused_naming_why(
    web_desk: Desk,
    client: TestClient,
    key: str,
    body: bytes,
    content_type: str,
    status: int,
    starts: str,
) -> None:
    revision = web_desk.revision()
    response = client.post(
        "/api/referrals",
        content=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": content_type},
    )
    assert response.status_code == status
    assert response.json()["errors"][0].startswith(starts)
    assert web_desk.revision() == revision


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"price_min": 900_000, "price_max": 100_000}, "price_min: must not exceed price_max"),
        ({"surprise": 1}, "surprise: is not a known field"),
        ({"client_first_name": "Ann\x1b[2J"}, "client_first_name: "),
        ({"metro": "Austin\r\nBcc: x"}, "metro: "),
        ({"mode": "teleport"}, "mode: "),
    ],
)
def test_an_item_intake_refuses_is_422_naming_the_field_and_nothing_is_written(
    web_desk: Desk, client: TestClient, key: str, changes: dict[str, Any], problem: str
) -> None:
    revision = web_desk.revision()
    good = intake(received_at=None)
    response = post(client, key, [good, {**good, **changes}])
    assert response.status_code == 422
    assert any(line.startswith(problem) or problem in line for line in response.json()["errors"])
    assert web_desk.revision() == revision
    assert web_desk.queue() == []
    assert web_desk.api.keys()[0].requests == 1  # refused, but counted against its key


def test_a_list_over_500_is_refused(web_desk: Desk, client: TestClient, key: str) -> None:
    response = post(client, key, [intake(received_at=None)] * 501)
    assert response.status_code == 422
    assert response.json()["errors"] == ["input: at most 500 referrals in one request"]


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(
    web_desk: Desk, client: TestClient, key: str
) -> None:
    payload = intake(received_at=None)
    first = post(client, key, payload, **{"Idempotency-Key": "order-17"})
    revision = web_desk.revision()
    again = post(client, key, payload, **{"Idempotency-Key": "order-17"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert web_desk.revision() == revision
    assert len(web_desk.queue()) == 1
    other = post(
        client, key, {**payload, "client_first_name": "Bo"}, **{"Idempotency-Key": "order-17"}
    )
    assert other.status_code == 422
    assert other.json()["errors"][0].startswith("Idempotency-Key: already used")


def test_two_identical_posts_at_once_store_one_referral(
    web_desk: Desk, client: TestClient, key: str
) -> None:
    payload = intake(received_at=None)
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        barrier.wait()
        answers.append(post(client, key, payload, **{"Idempotency-Key": "twin"}))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert len(web_desk.queue()) == 1


def test_the_queue_is_what_queue_json_prints(
    web_desk: Desk, clock: ManualClock, client: TestClient, key: str
) -> None:
    post(client, key, [intake(received_at=None), intake(received_at=None, mode="broadcast")])
    response = client.get("/api/queue", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json() == [r.to_json(clock.now()) for r in web_desk.queue()]


def test_the_api_is_described_for_tools(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    intake_schema = document["components"]["schemas"]["Intake"]
    assert {"client_first_name", "metro", "price_min", "source"} <= set(intake_schema["required"])
    text = json.dumps(document)
    assert "#/$defs/" not in text


def test_unknown_api_paths_answer_json(client: TestClient) -> None:
    assert client.get("/api/nothing").json() == {"errors": ["path: no such endpoint"]}
    assert client.delete("/api/queue").status_code == 405


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", InvalidInput),
        ("a\x1bb", InvalidInput),
        ("x" * 101, InvalidInput),
        ("Lead form", Refused),
    ],
)
def test_key_names_are_checked(
    web_desk: Desk, clock: ManualClock, key: str, name: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match="name: "):
        web_desk.api.add_key(name, clock.now())


def test_a_body_sent_without_a_length_is_cut_off_at_the_limit(
    web_desk: Desk, client: TestClient, key: str
) -> None:
    """Chunked, with no Content-Length: read a chunk at a time and refused past 1 MB,
    never held whole."""

    def chunks() -> Any:
        for _ in range(40):
            yield b"x" * 65_536

    revision = web_desk.revision()
    response = client.post(
        "/api/referrals",
        content=chunks(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == {"errors": ["body: at most 1,000,000 bytes"]}
    assert web_desk.revision() == revision
