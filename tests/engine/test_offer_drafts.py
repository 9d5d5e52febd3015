"""Offers drafted as a batch read exactly as offers drafted one by one.

An open referral's hundreds of offers are drafted together: the template is filled
once and cut where the agent's first name goes (`notify.offer_drafts`). Whatever a
template holds (escaped dollars, braced and unknown placeholders, a name that looks
like a placeholder) and whatever the agents are called, each message must be the
one `render` gives for that agent alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.delivery import notify
from referral_desk.engine.desk import Desk
from referral_desk.engine.storage.records import Referral
from referral_desk.engine.storage.rows import NewOffer, referral_row
from referral_desk.engine.values.settings import DeskSettings
from tests.factories import intake

KIND = "open_offer"
PIECES = (
    "$agent_first_name",
    "${agent_first_name}",
    "$$agent_first_name",
    "$agent_first_namex",
    "$client_first_name",
    "${market}",
    "$unknown",
    "$",
    "{",
    "}",
    "Subject:",
    "\n",
    " ",
    "Hi ",
    "é",
)


@dataclass(frozen=True)
class Agent:
    name: str
    email: str
    phone: str
    preferred_channel: str


def stored_referral(desk: Desk, clock: ManualClock) -> Referral:
    view = desk.intake(intake(client_first_name="Ana $agent_first_name"), clock.now())[0]
    with desk.store.read() as session:
        return referral_row(session, view.id)


@pytest.fixture
def referral(roster_desk: Desk, clock: ManualClock) -> Referral:
    return stored_referral(roster_desk, clock)


names = st.lists(
    st.sampled_from(["A", "b", " ", "$", "{", "}", "agent_first_name", "José"]), max_size=6
).map("".join)
agents = st.builds(
    Agent,
    name=names,
    email=st.sampled_from(["", "a@example.com"]),
    phone=st.sampled_from(["", "+13035550100"]),
    preferred_channel=st.sampled_from(["email", "sms", "call"]),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    template=st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    receivers=st.lists(
        st.tuples(agents, st.sampled_from([None, "https://desk.example/o/x"])),
        min_size=1,
        max_size=4,
    ),
    urgent=st.booleans(),
)
def test_a_batch_reads_as_each_offer_drafted_alone(
    referral: Referral,
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    receivers: list[tuple[Agent, str | None]],
    urgent: bool,
) -> None:
    monkeypatch.setattr(notify, "_template_text", lambda kind, desk_settings: (template, None))
    desk_settings = DeskSettings()
    at = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    offer = NewOffer(7, "P-1", referral.id, at, at + timedelta(minutes=30))

    batch = notify.offer_drafts(receivers, referral, offer, desk_settings, KIND, urgent=urgent)

    alone = []
    for agent, link in receivers:
        values = notify.offer_values(agent, referral, offer, desk_settings)
        subject, body, _ = notify.render(KIND, values, desk_settings)
        route = notify.urgent_route_for(agent) if urgent else notify.route_for(agent)
        alone.append((*route, subject, notify.with_link(body, link) if link else body))
    assert [(d.channel, d.recipient, d.subject, d.body) for d in batch] == alone


def test_each_agent_is_greeted_by_their_own_first_name(referral: Referral) -> None:
    at = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    offer = NewOffer(7, "P-1", referral.id, at, at + timedelta(minutes=30))
    people = [
        Agent("Dana Whitfield", "d@example.com", "", "email"),
        Agent("Tomas Herrera", "", "+13035550100", "sms"),
    ]
    drafts = notify.offer_drafts([(p, None) for p in people], referral, offer, DeskSettings(), KIND)
    assert drafts[0].body.startswith("Hi Dana,")
    assert "Tomas" in drafts[1].body and "Dana" not in drafts[1].body
    assert [d.channel for d in drafts] == ["email", "sms"]
    # the client's first name is filled in, not read as the agent's placeholder
    assert "Ana $agent_first_name" in drafts[0].body
