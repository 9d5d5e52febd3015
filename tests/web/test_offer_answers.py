"""Answers given on an offer link: `respond`'s rules, in the agent's words.

Every mode × answer × state: an open offer takes the answers its mode offers;
a lapsed, withdrawn, awarded or already answered one says what became of it
(409 for an answer refused). Two agents claiming at once: exactly one wins.
A form without its token, or with another link's, writes nothing; bad input is
refused naming the field; markup is stored as typed and shown as text.
"""

from __future__ import annotations

import threading

import pytest
from starlette.testclient import TestClient

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.desk import Desk
from referral_desk.web.offer_words import ANSWERS
from tests.factories import intake
from tests.web.conftest import answer, form_token, links_of

SEQUENTIAL = ("best_fit", "round_robin", "private")
BUTTONS = {
    "best_fit": (">Accept<", ">Decline<"),
    "broadcast": (">Claim<", ">Decline<"),
    "network": (">Interested<", ">Decline<"),
}
TAKE = {"best_fit": "accept", "round_robin": "accept", "private": "accept",
        "broadcast": "claim", "network": "interest"}  # fmt: skip


def new_referral(desk: Desk, clock: ManualClock, mode: str) -> str:
    extra = {"agent_id": "P-ATX-01"} if mode == "private" else {}
    [referral] = desk.intake(intake(mode=mode, received_at=None, **extra), clock.now())
    return referral.id


def first_link(desk: Desk, referral_id: str) -> tuple[str, str]:
    agent_id, path = sorted(links_of(desk, referral_id).items())[0]
    return agent_id, path


# --- an open offer ------------------------------------------------------------------


@pytest.mark.parametrize("mode", [*SEQUENTIAL, "broadcast", "network"])
def test_an_open_offer_shows_the_buttons_of_its_mode(
    web_desk: Desk, clock: ManualClock, client: TestClient, mode: str
) -> None:
    referral_id = new_referral(web_desk, clock, mode)
    _agent, path = first_link(web_desk, referral_id)
    page = client.get(path).text
    expected = BUTTONS.get(mode, BUTTONS["best_fit"])
    assert all(button in page for button in expected)
    others = {b for buttons in BUTTONS.values() for b in buttons} - set(expected)
    assert [button for button in others if button in page] == []


@pytest.mark.parametrize("mode", [*SEQUENTIAL, "broadcast", "network"])
def test_taking_an_offer_from_its_link_is_recorded_as_from_the_link(
    web_desk: Desk, clock: ManualClock, client: TestClient, mode: str
) -> None:
    referral_id = new_referral(web_desk, clock, mode)
    agent_id, path = first_link(web_desk, referral_id)
    clock.advance(minutes=4)
    result = answer(client, path, TAKE[mode])
    assert result.status_code == 200
    referral = web_desk.referral(referral_id)
    if mode == "network":
        assert referral.status == "accepted"
        assert "You said you are interested" in result.text
        assert "maria.lopez@example.com" not in result.text
    else:
        assert (referral.status, referral.assigned_agent_id) == ("awarded", agent_id)
        assert "It&#39;s yours" in result.text and "maria.lopez@example.com" in result.text
    [event] = [e for e in referral.events if e.agent_id == agent_id
               and e.kind in ("accepted", "claimed", "interested")]  # fmt: skip
    assert event.detail == "from the offer link"
    assert event.at == clock.now()


@pytest.mark.parametrize("mode", [*SEQUENTIAL, "broadcast", "network"])
def test_declining_with_a_reason_passes_the_referral_on(
    web_desk: Desk, clock: ManualClock, client: TestClient, mode: str
) -> None:
    referral_id = new_referral(web_desk, clock, mode)
    agent_id, path = first_link(web_desk, referral_id)
    result = answer(client, path, "decline", reason="Out of town <b>this</b> week")
    assert result.status_code == 200
    assert "You declined this referral." in result.text
    assert "&lt;b&gt;" not in result.text  # the reason is not echoed back at all
    referral = web_desk.referral(referral_id)
    [offer] = [o for o in referral.offers if o.agent_id == agent_id]
    assert (offer.status, offer.reason) == ("declined", "Out of town <b>this</b> week")
    [event] = [e for e in referral.events if e.kind == "declined"]
    assert event.detail == "from the offer link: Out of town <b>this</b> week"
    if mode in ("best_fit", "round_robin"):
        assert referral.open_offers and referral.open_offers[0].agent_id != agent_id


@pytest.mark.parametrize("mode", ["best_fit", "broadcast"])
def test_an_answer_the_mode_does_not_take_is_refused(
    web_desk: Desk, clock: ManualClock, client: TestClient, mode: str
) -> None:
    referral_id = new_referral(web_desk, clock, mode)
    _agent, path = first_link(web_desk, referral_id)
    result = answer(client, path, "interest")
    assert result.status_code == 422
    assert 'role="alert">answer: must be ' in result.text
    assert web_desk.referral(referral_id).status == "offered"


# --- offers no longer open ----------------------------------------------------------


def test_a_lapsed_window_says_when_it_closed(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    referral_id = new_referral(web_desk, clock, "best_fit")
    _agent, path = first_link(web_desk, referral_id)
    token = form_token(client.get(path).text)
    clock.advance(minutes=31)  # past the window, before the clock has ticked
    result = client.post(path, data={"answer": "accept", "form_token": token})
    assert result.status_code == 409
    assert "The window closed at 8:30 AM CST on Mon Nov 23." in result.text
    web_desk.tick(clock.now())
    page = client.get(path)
    assert page.status_code == 200 and "The window closed at 8:30 AM CST" in page.text
    assert "form_token" not in page.text


def test_answering_twice_is_refused_and_changes_nothing(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    referral_id = new_referral(web_desk, clock, "best_fit")
    _agent, path = first_link(web_desk, referral_id)
    token = form_token(client.get(path).text)
    assert client.post(path, data={"answer": "accept", "form_token": token}).status_code == 200
    revision = web_desk.revision()
    again = client.post(path, data={"answer": "decline", "form_token": token})
    assert again.status_code == 409
    assert "It&#39;s yours" in again.text
    assert web_desk.revision() == revision


def test_a_link_to_an_offer_the_desk_withdrew_says_so(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    """Network: the sender awards another interested agent; the rest are withdrawn."""
    referral_id = new_referral(web_desk, clock, "network")
    links = links_of(web_desk, referral_id)
    chosen, other = sorted(links)[:2]
    for agent in (chosen, other):
        assert answer(client, links[agent], "interest").status_code == 200
    clock.advance(minutes=5)
    web_desk.award(referral_id, chosen, clock.now())
    page = client.get(links[other]).text
    assert "The referral went to another agent." in page
    chosen_page = client.get(links[chosen]).text
    assert "the referral fee agreement is logged" in chosen_page
    assert "maria.lopez@example.com" not in chosen_page


def test_two_agents_claiming_at_once_exactly_one_wins(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    referral_id = new_referral(web_desk, clock, "broadcast")
    links = links_of(web_desk, referral_id)
    tokens = {agent: form_token(client.get(path).text) for agent, path in links.items()}
    barrier = threading.Barrier(len(links))
    statuses: dict[str, int] = {}

    def claim(agent: str) -> None:
        barrier.wait()
        data = {"answer": "claim", "form_token": tokens[agent]}
        statuses[agent] = client.post(links[agent], data=data).status_code

    threads = [threading.Thread(target=claim, args=(agent,)) for agent in links]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [agent for agent, status in statuses.items() if status == 200]
    assert len(winners) == 1, statuses
    assert sorted(set(statuses.values())) == [200, 409]
    assert web_desk.referral(referral_id).assigned_agent_id == winners[0]


# --- forms that are not the page's, and bad input -----------------------------------


@pytest.mark.parametrize("token", [None, "", "0" * 32, "not-hex", "x" * 5000])
def test_a_form_without_the_page_token_is_refused_and_writes_nothing(
    web_desk: Desk, clock: ManualClock, client: TestClient, token: str | None
) -> None:
    referral_id = new_referral(web_desk, clock, "best_fit")
    _agent, path = first_link(web_desk, referral_id)
    revision = web_desk.revision()
    data = {"answer": "accept"} | ({} if token is None else {"form_token": token})
    result = client.post(path, data=data)
    assert result.status_code == 403
    assert "did not come from the offer&#39;s own page" in result.text
    assert web_desk.revision() == revision


def test_another_offers_form_token_is_refused(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    referral_id = new_referral(web_desk, clock, "broadcast")
    (_a, first), (_b, second) = sorted(links_of(web_desk, referral_id).items())[:2]
    borrowed = form_token(client.get(first).text)
    result = client.post(second, data={"answer": "claim", "form_token": borrowed})
    assert result.status_code == 403
    assert web_desk.referral(referral_id).status == "offered"


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("late\x1b]0;owned\x07", "reason: "),
        ("two\nlines", "reason: "),
        ("x" * 600, "reason: "),
        ("right-to-left \u202e mark", "reason: "),
    ],
)
def test_a_bad_reason_is_refused_naming_the_field(
    web_desk: Desk, clock: ManualClock, client: TestClient, reason: str, problem: str
) -> None:
    referral_id = new_referral(web_desk, clock, "best_fit")
    _agent, path = first_link(web_desk, referral_id)
    revision = web_desk.revision()
    result = answer(client, path, "decline", reason=reason)
    assert result.status_code == 422
    assert f'role="alert">{problem}' in result.text
    assert "\x1b" not in result.text
    assert web_desk.revision() == revision
    assert ">Decline<" in result.text  # the form is still there to try again


def test_a_ten_kilobyte_form_is_refused_before_it_is_read(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    referral_id = new_referral(web_desk, clock, "best_fit")
    _agent, path = first_link(web_desk, referral_id)
    token = form_token(client.get(path).text)
    data = {"answer": "decline", "form_token": token, "reason": "y" * 20_000}
    result = client.post(path, data=data)
    assert result.status_code == 413
    assert web_desk.referral(referral_id).status == "offered"


def test_names_and_markup_typed_into_the_desk_are_shown_as_text(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    hostile = '<script>alert(1)</script> "quoted" & <img src=x onerror=alert(2)>'
    [referral] = web_desk.intake(
        intake(received_at=None, client_first_name="Zoë <b>", timeline=hostile), clock.now()
    )
    _agent, path = first_link(web_desk, referral.id)
    html = client.get(path).text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Zoë &lt;b&gt;" in html


def test_every_page_carries_the_security_headers(
    web_desk: Desk, clock: ManualClock, client: TestClient
) -> None:
    referral_id = new_referral(web_desk, clock, "best_fit")
    _agent, path = first_link(web_desk, referral_id)
    for response in (client.get(path), client.get("/o/nope"), client.post(path, data={})):
        headers = response.headers
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]


def test_the_answers_of_each_mode_are_the_ones_respond_takes() -> None:
    """The page's buttons map onto `respond`'s answers (the CLI's choices)."""
    offered = {a.response for answers in ANSWERS.values() for a in answers}
    assert offered <= {"accept", "claim", "decline", "interest"}


@pytest.mark.parametrize("value", ["", "ACCEPT!", "claim", "interest", "x" * 300, "accept\x00"])
def test_an_answer_the_page_does_not_offer_is_refused_naming_the_field(
    web_desk: Desk, clock: ManualClock, client: TestClient, value: str
) -> None:
    """A hand-edited form: 422 naming `answer`, the value cut, nothing written."""
    referral_id = new_referral(web_desk, clock, "best_fit")
    _agent, path = first_link(web_desk, referral_id)
    revision = web_desk.revision()
    result = answer(client, path, value)
    assert result.status_code == 422
    assert 'role="alert">answer: must be accept or decline' in result.text
    assert "x" * 60 not in result.text
    assert web_desk.revision() == revision
