"""The team lead's board: a signed link, a cookie, the queue without client contact, and
rows that come back only when the desk changed."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.engine.rules.errors import InvalidInput
from referral_desk.web.board import rows_of
from tests.factories import intake
from tests.web.conftest import PUBLIC_URL


def board_path(desk: Desk, clock: ManualClock, days: int = 30) -> str:
    return desk.links.board_link(PUBLIC_URL, clock.now(), days).removeprefix(PUBLIC_URL)


def open_board(client: TestClient, path: str) -> str:
    """Follows the link as a browser does: the cookie, then the board."""
    first = client.get(path, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/board"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/board" in cookie
    assert "Secure" in cookie  # the desk's public_url is https
    page = client.get("/board")
    assert page.status_code == 200
    return page.text


def test_the_link_opens_the_queue_without_client_contact(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    [first] = web_desk.intake(intake(received_at=None), clock.now())
    web_desk.intake(intake(received_at=None, mode="broadcast", client_first_name="Bo"), clock.now())
    web_desk.raise_flag("status_inquiry", first.id, clock.now(), "client called")
    html = open_board(client, board_path(web_desk, clock))
    assert 'title="open flags">⚑1<' in html
    assert "Maria L." in html and "Bo L." in html and "Austin 78704" in html
    for contact in ("Lopez", "maria.lopez@example.com", "555 0142", "relocating from Denver"):
        assert contact not in html
    assert "2</b> waiting" in html


@pytest.mark.parametrize("cookie", [None, "", "garbage", "eyJ1bnRpbCI6OTk5OTk5OTk5OX0.AAAA"])
def test_without_a_good_link_the_board_is_401(client: TestClient, cookie: str | None) -> None:
    if cookie is not None:
        client.cookies.set("rd_board", cookie)
    for path in ("/board", "/board/rows", "/board?t=garbage"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 401
        assert "board-link" in response.text


def test_a_link_stops_working_when_its_days_are_over_or_the_secret_rotates(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    path = board_path(web_desk, clock, days=2)
    open_board(client, path)
    clock.advance(days=2, seconds=1)
    assert client.get("/board").status_code == 401
    fresh = board_path(web_desk, clock)
    open_board(client, fresh)
    web_desk.links.rotate_secret()
    assert client.get("/board").status_code == 401


@pytest.mark.parametrize("days", [0, -1, 367])
def test_board_link_days_are_checked(web_desk: Desk, clock: ManualClock, days: int) -> None:
    with pytest.raises(InvalidInput, match="days: must be from 1 to 366"):
        web_desk.links.board_link(PUBLIC_URL, clock.now(), days)


def test_rows_come_back_only_when_the_desk_changed(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    [referral] = web_desk.intake(intake(received_at=None), clock.now())
    open_board(client, board_path(web_desk, clock))
    revision = web_desk.revision()
    assert client.get(f"/board/rows?since={revision}").status_code == 204
    first = referral.open_offers[0].agent_id
    web_desk.respond(referral.id, first, "decline", clock.now())
    fresh = client.get(f"/board/rows?since={revision}")
    assert fresh.status_code == 200
    document = fresh.json()
    assert document["revision"] == web_desk.revision()
    now_offered = web_desk.referral(referral.id).open_offers[0].agent_id
    assert web_desk.agent(now_offered).name in document["html"]


def test_unassigned_come_first_then_the_soonest_deadline(
    web_desk: Desk, clock: ManualClock
) -> None:
    late = web_desk.intake(intake(received_at=None, client_first_name="Late"), clock.now())[0]
    clock.advance(minutes=-10)
    early = web_desk.intake(intake(received_at=None, client_first_name="Early"), clock.now())[0]
    clock.advance(minutes=10)
    private = intake(received_at=None, mode="private", agent_id="P-ATX-01")
    [nobody] = web_desk.intake(private, clock.now())
    web_desk.respond(nobody.id, "P-ATX-01", "decline", clock.now())  # private: nobody else
    assert web_desk.referral(nobody.id).status == "unassigned"
    rows = rows_of(web_desk.links.board(), web_desk.agent_names(), clock.now())
    ordered = [row.referral_id for row in rows]
    assert ordered[0] == nobody.id and rows[0].unassigned
    assert ordered.index(early.id) < ordered.index(late.id)
    assert rows[ordered.index(early.id)].left == "20 min"


def test_a_write_the_board_does_not_show_sends_no_rows(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    """A message sent or a setting changed moves the revision but not the board: the
    answer is the new revision alone, and the page keeps what it shows."""
    [referral] = web_desk.intake(intake(received_at=None), clock.now())
    open_board(client, board_path(web_desk, clock))
    revision = web_desk.revision()
    first = client.get("/board/rows?since=0").json()
    assert "html" in first and first["revision"] == revision
    seen = first["fingerprint"]
    web_desk.deliver_outbox(clock.now())
    web_desk.set_setting("broadcast_size", "2", clock.now())
    quiet = client.get(f"/board/rows?since={revision}&seen={seen}")
    assert quiet.status_code == 200
    assert quiet.json() == {"revision": web_desk.revision(), "fingerprint": seen}
    assert web_desk.revision() > revision
    web_desk.respond(referral.id, referral.open_offers[0].agent_id, "decline", clock.now())
    changed = client.get(f"/board/rows?since={web_desk.revision() - 1}&seen={seen}").json()
    assert changed["fingerprint"] != seen
    now_offered = web_desk.referral(referral.id).open_offers[0].agent_id
    assert web_desk.agent(now_offered).name in changed["html"]
