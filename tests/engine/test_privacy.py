"""Privacy of what the desk sends, for generated referrals run through the real service.

The rules (DESIGN.md, Routing; issue 5): an offer — sequential, broadcast or
network — and an offer's withdrawal carry the market, band, type, side, timeline
and the client's first name, never the client's last name, email, phone or notes.
Only the award, sent to the receiving agent once the referral is theirs, carries
the contact details. Drafts addressed to the referring party (thank-you, card,
closing recognition) name the lead by first name only: no last name, contact,
ZIP or price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from referral_desk.engine.delivery.notify import PACKAGED_TEMPLATES
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.messages import MessageView
from referral_desk.engine.read.views import TaskView
from referral_desk.engine.rules import thanks as thanks_rules
from tests.factories import agent_row, intake, roster_csv

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
"""Monday 23 November 2026, 08:00 in Chicago."""
TEMPLATES = PACKAGED_TEMPLATES

AGENT_LINES = (
    ("P-PRV-01", "Dana Whitfield", "+1 303 555 0199", "email"),
    ("P-PRV-02", "Tomas Herrera", "+1 303 555 0198", "sms"),
    ("P-PRV-03", "Marcus Okafor", "+1 303 555 0197", "call"),
)
AGENTS = [
    agent_row(
        id=agent_id,
        name=name,
        email=f"{agent_id.lower()}@agents.example",
        phone=phone,
        preferred_channel=channel,
        metros="Austin",
        zips="78704;78745;78748",
        price_min="100000",
        price_max="5000000",
        property_types="residential;condo;townhouse;land",
        capacity="50",
        network="texas-relo",
    )
    for agent_id, name, phone, channel in AGENT_LINES
]
ADDRESS_OF = {
    agent_id: f"{agent_id.lower()}@agents.example"
    if channel == "email"
    else "+" + "".join(ch for ch in phone if ch.isdigit())
    for agent_id, _, phone, channel in AGENT_LINES
}
"""Where each agent's messages go: their preferred channel's address."""
AGENT_NAMES = " ".join(row["name"] for row in AGENTS)
SOURCE_NAME = "John Smith"

OFFER_KINDS = ("offer", "broadcast_offer", "network_offer", "withdrawn")
FIXED_TEXT = " ".join(
    [path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.txt")]
    + [Path(thanks_rules.__file__).read_text(encoding="utf-8")]  # the drafts' own wording
    + [AGENT_NAMES, SOURCE_NAME, "Austin texas-relo Referral Desk Priya Raman"]
    + ["Mon Tue Wed Thu Fri Sat Sun Nov Dec Jan CST CDT AM PM not given none"]
)
"""Words any message may contain whatever the client is called (the packaged templates,
the thank-you drafts' wording): a generated last name that
occurs in them could not tell a leak from the desk's own wording."""

LETTERS = st.characters(categories=("Lu", "Ll", "Lo"))
FIRST_NAMES = st.one_of(
    st.sampled_from(["Maria", "José", "Zoë", "Ngozi", "Łucja", "美咲", "$client_phone"]),
    st.text(LETTERS, min_size=1, max_size=12),
)
LAST_NAMES = st.one_of(
    st.sampled_from(["Lopez", "Nguyễn", "O'Brien", "Müller-Lüdenscheidt", "van der Berg", "张伟"]),
    st.text(LETTERS, min_size=4, max_size=14),
)
EMAILS = st.builds(
    "{}.{}@{}".format,
    st.from_regex(r"[a-z][a-z0-9]{2,9}", fullmatch=True),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
    st.sampled_from(["example.com", "mail.example.org", "correo.example.net"]),
)
PHONES = st.integers(0, 99).map(lambda n: f"+1 512 555 01{n:02d}")
PRICES = st.integers(100, 2_000).map(lambda thousands: thousands * 1_000 + 500)


@dataclass(frozen=True)
class Client:
    """One generated referral's client and the figures that must stay private."""

    first: str
    last: str
    email: str
    phone: str
    zip: str
    price_min: int
    price_max: int
    sale_price: int
    notes: str
    source_type: str
    mode: str

    @property
    def e164(self) -> str:
        return "+" + "".join(ch for ch in self.phone if ch.isdigit())

    def contact(self) -> tuple[str, ...]:
        """What no offer may carry: last name, email, phone (typed and stored), notes."""
        return (self.last, self.email, self.phone, self.e164, self.e164[2:], self.notes)

    def transaction(self) -> tuple[str, ...]:
        """What no draft to the referring party may carry besides contact: ZIP and prices."""
        prices = (self.price_min, self.price_max, self.sale_price)
        return (self.zip, *(str(p) for p in prices), *(f"{p:,}" for p in prices))


@st.composite
def clients(draw: st.DrawFn) -> Client:
    first = draw(FIRST_NAMES)
    last = draw(LAST_NAMES)
    assume(last not in FIXED_TEXT and last not in first)
    email = draw(EMAILS)
    phone = draw(PHONES)
    aside = draw(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")),
            max_size=30,
        )
    )
    notes = f"{aside} — call {first} {last} at {phone} or {email}".strip()
    low = draw(PRICES)
    return Client(
        first=first,
        last=last,
        email=email,
        phone=phone,
        zip=draw(st.sampled_from(["78704", "78745", "78748"])),
        price_min=low,
        price_max=low + draw(st.integers(0, 500)) * 1_000,
        sale_price=low + 7,
        notes=notes,
        source_type=draw(st.sampled_from(["client", "sphere", "agent", "professional"])),
        mode=draw(st.sampled_from(["best_fit", "broadcast", "network"])),
    )


def run_referral(desk: Desk, client: Client) -> str:
    """Intake, the mode's offers and answers until the referral is awarded, then closing."""
    referral = desk.intake(
        intake(
            client_first_name=client.first,
            client_last_name=client.last,
            client_email=client.email,
            client_phone=client.phone,
            zip=client.zip,
            price_min=client.price_min,
            price_max=client.price_max,
            notes=client.notes,
            mode=client.mode,
            received_at=None,
            source__type=client.source_type,
            source__brokerage="Denver Homes" if client.source_type == "agent" else "",
        ),
        T0,
    )[0]
    assert (referral.client_last_name, referral.notes) == (client.last, client.notes)
    rid, now = referral.id, T0
    offered = [offer.agent_id for offer in referral.open_offers]
    if client.mode == "best_fit":
        desk.respond(rid, offered[0], "decline", now := now + timedelta(minutes=5))
        desk.tick(now := now + timedelta(minutes=31))
        [last_offer] = desk.referral(rid).open_offers
        desk.respond(rid, last_offer.agent_id, "accept", now := now + timedelta(minutes=1))
    elif client.mode == "broadcast":
        assert len(offered) == 3
        desk.respond(rid, offered[0], "decline", now := now + timedelta(minutes=1))
        desk.respond(rid, offered[1], "claim", now := now + timedelta(minutes=1))
    else:
        assert len(offered) == 3
        desk.respond(rid, offered[0], "interest", now := now + timedelta(minutes=1))
        desk.respond(rid, offered[2], "interest", now := now + timedelta(minutes=1))
        desk.award(rid, offered[2], now := now + timedelta(minutes=1))
        desk.log_fee(rid, "receivable", Decimal("25"), "Tomas Herrera", now)
    assert desk.referral(rid).status == "awarded"
    desk.change_status(rid, "working", now := now + timedelta(days=1))
    desk.change_status(
        rid, "in_escrow", now := now + timedelta(days=10), closing_date=date(2027, 1, 8)
    )
    desk.change_status(
        rid,
        "closed",
        now + timedelta(days=40),
        sale_price=client.sale_price,
        commission_rate=Decimal("3"),
        closing_date=date(2027, 1, 8),
    )
    return rid


def leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    return [secret for secret in secrets if secret and secret in text]


def message_text(message: MessageView) -> str:
    return f"{message.subject}\n{message.body}"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(client=clients())
def test_nothing_but_the_award_carries_the_clients_contact(
    tmp_path_factory: pytest.TempPathFactory, client: Client
) -> None:
    """Offers, broadcast and network offers, withdrawals and every notice the desk queues
    carry the client's first name at most; only the award, to the agent who has the referral,
    carries last name, email, phone and notes — and acknowledgment drafts carry none of
    those, nor the ZIP or any price."""
    desk = Desk.open(str(tmp_path_factory.mktemp("privacy") / "desk.db"), actor="test")
    try:
        desk.import_roster(roster_csv(AGENTS), T0)
        desk.set_setting("card_practice", "true", T0)
        desk.set_setting("agent_name", "Priya Raman", T0)
        desk.set_setting("team_lead_email", "lead@keystone.example", T0)
        rid = run_referral(desk, client)
        referral = desk.referral(rid)
        messages = desk.outbox()
        tasks = desk.tasks()
    finally:
        desk.close()

    expected_kinds = {
        "best_fit": {"offer", "reassigned", "award"},
        "broadcast": {"broadcast_offer", "withdrawn", "award"},
        "network": {"network_offer", "withdrawn", "award"},
    }[client.mode]
    assert expected_kinds <= {message.kind for message in messages}
    for message in messages:
        assert message.referral_id == rid
        text = message_text(message)
        if message.kind == "award":
            continue
        assert leaks(text, client.contact()) == [], (message.kind, text)
        if message.kind in OFFER_KINDS:
            assert client.first in text or message.kind == "withdrawn"

    [award] = [message for message in messages if message.kind == "award"]
    assert referral.assigned_agent_id is not None
    assert award.to == ADDRESS_OF[referral.assigned_agent_id], "only the receiving agent"
    assert f"{client.first} {client.last}" in award.body
    assert client.email in award.body and client.e164 in award.body
    offered_at = [offer.offered_at for offer in referral.offers]
    assert award.created_at >= max(offered_at), "the award comes after the offers"

    assert {task.kind for task in tasks} == {"personal_thanks", "card", "closing_recognition"}
    for task in tasks:
        assert isinstance(task, TaskView)
        secrets = (*client.contact(), *client.transaction())
        assert leaks(task.draft, secrets) == [], (task.kind, task.draft)
        assert client.first in task.draft
