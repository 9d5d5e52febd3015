"""The outbox: every message is a row first, then delivered once, by the agent's channel.

These tests drive the real desk service (and its dispatcher) with a manual clock.
Where delivery itself is not the point they hand `deliver_outbox` a recording
transport instead of a real channel; the file channel, which needs no set-up, is
exercised for real, on the disk beside the SQLite database.
"""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest

from referral_desk.engine.clock import ManualClock
from referral_desk.engine.delivery.channels import Parcel, Undeliverable
from referral_desk.engine.desk import Desk
from referral_desk.engine.read.messages import MessageView
from referral_desk.engine.rules.errors import DeskError, InvalidInput, NotFound, Refused
from tests.factories import agent_row, intake, roster_csv

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
"""Monday 23 November 2026, 08:00 in Chicago (the `clock` fixture's start)."""
LEASE = timedelta(minutes=2)
TEAM_LEAD = "lead@keystone.example"
BOOKKEEPER = "books@keystone.example"
CONTACT = ("Lopez", "maria.lopez@example.com", "+15125550142")
"""The contract client's last name, email and phone (as the desk stores it)."""
NOTES = "relocating from Denver, pre-approved"


# --- helpers -----------------------------------------------------------------------


def add_agent(desk: Desk, now: datetime, agent_id: str, name: str, **cells: str) -> None:
    """An Austin agent covering ZIP 78704 (both sides), email-preferring unless told."""
    number = 10 + sum(map(ord, agent_id)) % 80
    cells.setdefault("preferred_channel", "email")
    cells.setdefault("email", f"{agent_id.lower()}@agents.example")
    cells.setdefault("phone", f"+1 303 555 01{number:02d}")
    desk.save_agent(agent_row(id=agent_id, name=name, **cells), now)


def new_referral(desk: Desk, now: datetime, **changes: Any) -> str:
    """The contract's Austin buyer (Maria Lopez), received now; its id."""
    changes.setdefault("received_at", None)
    return desk.intake(intake(**changes), now)[0].id


def of_kind(desk: Desk, *kinds: str) -> list[MessageView]:
    """Messages of these kinds, oldest first."""
    return [message for message in reversed(desk.outbox()) if message.kind in kinds]


def mentions_contact(message: MessageView) -> bool:
    text = f"{message.to}\n{message.subject}\n{message.body}"
    return any(secret in text for secret in (*CONTACT, NOTES))


class Recorder:
    """A transport that delivers every parcel into a list (optionally taking its time)."""

    name = "recorder"

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.delivered: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, channel: str) -> Recorder:
        return self

    def deliver(self, parcel: Parcel) -> None:
        if self.seconds:
            time.sleep(self.seconds)
        with self._lock:
            self.delivered.append(parcel.message_id)


class Dying:
    """A transport whose process is killed while it sends (the server never got it)."""

    name = "dying"

    def __call__(self, channel: str) -> Dying:
        return self

    def deliver(self, parcel: Parcel) -> None:
        raise SystemExit("killed mid-send")


class Refusing:
    """A transport whose server refuses every message for good."""

    name = "refusing"

    def __call__(self, channel: str) -> Refusing:
        return self

    def deliver(self, parcel: Parcel) -> None:
        raise Undeliverable("550 no such mailbox")


def read_eml(path: Path) -> EmailMessage:
    email = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(email, EmailMessage)
    return email


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def two_agents(desk: Desk, clock: ManualClock) -> Desk:
    """Evelyn (email, covers the ZIP: the best fit) and Wes (email, the metro only: next)."""
    add_agent(desk, clock.now(), "P-EML-01", "Evelyn Brooks", email="evelyn@agents.example")
    add_agent(desk, clock.now(), "P-EML-02", "Wes Ford", email="wes@agents.example", zips="")
    return desk


@pytest.fixture(autouse=True)
def _no_stray_files() -> Iterator[None]:
    """No test here may write an outbox folder into the working directory."""
    stray = Path.cwd() / "referral-desk.outbox"
    existed = stray.exists()
    yield
    assert existed or not stray.exists(), f"a test wrote {stray}"


# --- the file channel --------------------------------------------------------------


def test_with_no_setup_messages_become_eml_files_beside_the_database(
    desk: Desk, db_path: Path, clock: ManualClock
) -> None:
    """No SMTP server, no webhook: each message is an .eml file in `<db name>.outbox/` next to
    the database (folder 0700, files 0600), ready to send by hand — email and SMS alike."""
    add_agent(desk, clock.now(), "P-EML-01", "Evelyn Brooks", email="evelyn@agents.example")
    add_agent(
        desk, clock.now(), "P-SMS-01", "Sam Ortiz", preferred_channel="sms", phone="+1 512 555 0188"
    )
    referral_id = new_referral(desk, clock.now(), mode="broadcast")

    report = desk.deliver_outbox(clock.now())

    folder = db_path.with_name("desk.outbox")
    assert desk.outbox_folder() == folder
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert mode_of(folder) == 0o700
    files = sorted(folder.iterdir())
    assert [path.name for path in files] == [
        "M-000001-broadcast_offer.eml",
        "M-000002-broadcast_offer.eml",
    ]
    assert all(mode_of(path) == 0o600 for path in files)
    emails = {str(read_eml(path)["To"]): read_eml(path) for path in files}
    assert set(emails) == {"evelyn@agents.example", "+15125550188"}
    for email in emails.values():
        assert email["X-Referral-Desk-Referral"] == referral_id
        assert str(email["Subject"]).startswith("Open referral — first to claim: buyer in Austin")
        body = email.get_content()
        assert "Client:     Maria" in body
        assert not any(secret in email.as_string() for secret in (*CONTACT, NOTES))
    assert {message.status for message in desk.outbox()} == {"sent"}

    assert desk.deliver_outbox(clock.advance(minutes=5)).sent == 0
    assert len(list(folder.iterdir())) == 2, "a sent message is never written again"


def test_the_outbox_dir_setting_says_where_the_files_go(
    desk: Desk, db_path: Path, clock: ManualClock, tmp_path: Path
) -> None:
    """With `outbox_dir` set, the .eml files go there and nothing is written beside the
    database."""
    chosen = tmp_path / "for the VA" / "outbox"
    chosen.mkdir(parents=True)
    desk.set_setting("outbox_dir", str(chosen), clock.now())
    add_agent(desk, clock.now(), "P-EML-01", "Evelyn Brooks", email="evelyn@agents.example")
    new_referral(desk, clock.now())

    assert desk.deliver_outbox(clock.now()).sent == 1

    assert desk.outbox_folder() == chosen
    [eml] = chosen.iterdir()
    assert eml.name == "M-000001-offer.eml"
    assert mode_of(eml) == 0o600
    assert read_eml(eml)["To"] == "evelyn@agents.example"
    assert not db_path.with_name("desk.outbox").exists()


# --- queued with the event, delivered once -----------------------------------------


def test_a_message_is_queued_in_the_transaction_of_its_event(
    two_agents: Desk, clock: ManualClock
) -> None:
    """An offer's message exists the moment the offer does; an intake that fails (here the
    second referral of a list names an agent who cannot take it) leaves no message behind."""
    desk = two_agents
    add_agent(desk, clock.now(), "P-DEN-01", "Aisha Bello", metros="Denver", zips="80202")
    good = intake(received_at=None)
    bad = intake(received_at=None, mode="private", agent_id="P-DEN-01")
    with pytest.raises(InvalidInput, match=r"^agent_id: P-DEN-01 is not eligible"):
        desk.intake([good, bad], clock.now())
    assert desk.outbox() == []
    assert desk.referrals() == []

    referral_id = new_referral(desk, clock.now())
    [message] = desk.outbox()
    [offered] = [e for e in desk.referral(referral_id).events if e.kind == "offered"]
    assert (message.kind, message.referral_id, message.status) == ("offer", referral_id, "pending")
    assert message.created_at == offered.at == clock.now()
    assert message.to == "evelyn@agents.example"


def test_a_sender_killed_mid_send_leaves_the_message_for_after_its_lease_and_it_goes_once(
    two_agents: Desk, clock: ManualClock
) -> None:
    """A dispatcher killed while sending leaves its message `sending` (not lost, not sent);
    nobody touches it until its 2-minute lease runs out, then it is delivered exactly once."""
    desk = two_agents
    new_referral(desk, clock.now())
    with pytest.raises(SystemExit):
        desk.deliver_outbox(clock.now(), transport=Dying())

    [message] = desk.outbox()
    assert (message.status, message.attempts) == ("sending", 1)
    assert message.next_attempt_at == T0 + LEASE

    recorder = Recorder()
    report = desk.deliver_outbox(T0 + LEASE - timedelta(seconds=1), transport=recorder)
    assert (report.sent, recorder.delivered) == (0, [])
    assert desk.outbox()[0].status == "sending"

    report = desk.deliver_outbox(T0 + LEASE, transport=recorder)
    assert (report.sent, recorder.delivered) == (1, [message.id])
    for minutes in (3, 10, 60):
        desk.deliver_outbox(T0 + timedelta(minutes=minutes), transport=recorder)
    assert recorder.delivered == [message.id], "delivered once, never again"
    [message] = desk.outbox()
    assert (message.status, message.attempts, message.sent_at) == ("sent", 2, T0 + LEASE)


def test_a_killed_sender_delays_no_message_but_the_one_it_was_sending(
    desk: Desk, clock: ManualClock
) -> None:
    """Killed while sending the first of several offers, the dispatcher holds back only that
    one: the next pass delivers every other message at once."""
    for number in range(1, 5):
        add_agent(desk, clock.now(), f"P-BRD-0{number}", f"Agent Number{number}")
    new_referral(desk, clock.now(), mode="broadcast")
    with pytest.raises(SystemExit):
        desk.deliver_outbox(clock.now(), transport=Dying())

    recorder = Recorder()
    desk.deliver_outbox(clock.advance(seconds=1), transport=recorder)

    statuses = {message.id: message.status for message in desk.outbox()}
    assert statuses.pop("M-000001") == "sending"
    assert statuses == dict.fromkeys(("M-000002", "M-000003", "M-000004"), "sent")
    assert sorted(recorder.delivered) == ["M-000002", "M-000003", "M-000004"]


def test_two_dispatchers_at_once_never_deliver_a_message_twice(
    desk_url: str, desk: Desk, clock: ManualClock
) -> None:
    """Two copies of the clock (say the TUI and a headless `clock`) deliver the same outbox
    at the same moment: every message goes out exactly once."""
    rows = [
        agent_row(id=f"P-BRD-{n:02d}", name=f"Agent {n}", email=f"a{n}@agents.example")
        for n in range(1, 9)
    ]
    desk.import_roster(roster_csv(rows), clock.now())
    for _ in range(3):
        new_referral(desk, clock.now(), mode="broadcast")
    expected = sorted(message.id for message in desk.outbox())
    assert len(expected) == 24

    other = Desk.open(desk_url, actor="second clock")
    recorder = Recorder(seconds=0.002)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def dispatcher(copy: Desk) -> Callable[[], None]:
        def run() -> None:
            try:
                start.wait()
                for _ in range(3):
                    copy.deliver_outbox(clock.now(), transport=recorder)
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        return run

    threads = [threading.Thread(target=dispatcher(copy)) for copy in (desk, other)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.close()

    assert errors == []
    assert sorted(recorder.delivered) == expected, "each message delivered exactly once"
    assert {message.status for message in desk.outbox()} == {"sent"}


# --- retries, calls ----------------------------------------------------------------


def test_outbox_retry_puts_a_failed_message_back_in_line(
    two_agents: Desk, clock: ManualClock
) -> None:
    """A failed message goes back to pending with `outbox retry`, and the next pass sends it;
    a sent message cannot be retried, and an unknown id is named."""
    desk = two_agents
    new_referral(desk, clock.now())
    assert desk.deliver_outbox(clock.now(), transport=Refusing()).failed == 1
    [failed] = desk.outbox()
    assert failed.status == "failed"
    assert [flag.kind for flag in desk.flags()] == ["delivery_failed"]

    later = clock.advance(hours=3)
    retried = desk.retry_message(failed.id, later)
    assert (retried.id, retried.status, retried.attempts) == (failed.id, "pending", 0)
    assert retried.next_attempt_at == later

    recorder = Recorder()
    assert desk.deliver_outbox(later, transport=recorder).sent == 1
    assert recorder.delivered == [failed.id]
    assert desk.outbox()[0].status == "sent"

    with pytest.raises(Refused, match=r"^message: M-000001 is sent"):
        desk.retry_message("M-000001", later)
    with pytest.raises(NotFound, match=r"^message: no message 'M-000042'"):
        desk.retry_message("M-000042", later)


def test_a_call_message_waits_for_the_va_until_marked_called(
    desk: Desk, clock: ManualClock
) -> None:
    """An agent who prefers calls gets a call task, not a delivery: `to_call` until the VA
    marks it called; the dispatcher never sends it anywhere."""
    add_agent(
        desk,
        clock.now(),
        "P-CAL-01",
        "Marcus Okafor",
        preferred_channel="call",
        phone="+1 512 555 0117",
    )
    referral_id = new_referral(desk, clock.now())
    [message] = desk.outbox()
    assert (message.channel, message.to, message.status) == ("call", "+15125550117", "to_call")
    assert message.referral_id == referral_id

    recorder = Recorder()
    desk.deliver_outbox(clock.advance(minutes=1), transport=recorder)
    assert recorder.delivered == []
    assert desk.outbox(status="to_call") == [desk.outbox()[0]]
    with pytest.raises(Refused, match=r"^message: M-000001 is to_call"):
        desk.retry_message(message.id, clock.now())

    called = desk.mark_called(message.id, clock.advance(minutes=2))
    assert (called.status, called.sent_at) == ("sent", clock.now())
    with pytest.raises(Refused, match=r"^message: M-000001 is not a call to make"):
        desk.mark_called(message.id, clock.now())


# --- the award: contact details, to the receiving agent only, after the award -------


def test_the_award_with_contact_goes_only_to_the_agent_who_accepted(
    two_agents: Desk, clock: ManualClock
) -> None:
    """Until an agent accepts, no message carries the client's contact; then exactly one
    award, to that agent, carries the full name, email, phone and notes."""
    desk = two_agents
    referral_id = new_referral(desk, clock.now())
    desk.respond(referral_id, "P-EML-01", "decline", clock.advance(minutes=3))
    assert [m.kind for m in desk.outbox()] == ["offer", "offer"]
    assert not any(mentions_contact(message) for message in desk.outbox())

    desk.respond(referral_id, "P-EML-02", "accept", clock.advance(minutes=3))

    [award] = of_kind(desk, "award")
    assert (award.to, award.channel, award.referral_id) == (
        "wes@agents.example",
        "email",
        referral_id,
    )
    assert award.subject == f"Referral {referral_id} is yours: Maria Lopez, buyer in Austin"
    for detail in ("Maria Lopez", "maria.lopez@example.com", "+15125550142", NOTES):
        assert detail in award.body
    leaking = [message.kind for message in desk.outbox() if mentions_contact(message)]
    assert leaking == ["award"]


def test_a_broadcast_claim_sends_the_award_to_the_claimer_and_withdrawals_to_the_rest(
    two_agents: Desk, clock: ManualClock
) -> None:
    """First to claim gets the contact; the others hear the offer is withdrawn, without it."""
    desk = two_agents
    referral_id = new_referral(desk, clock.now(), mode="broadcast")
    desk.respond(referral_id, "P-EML-02", "claim", clock.advance(minutes=1))

    [award] = of_kind(desk, "award")
    assert award.to == "wes@agents.example"
    [withdrawn] = of_kind(desk, "withdrawn")
    assert withdrawn.to == "evelyn@agents.example"
    assert withdrawn.subject == f"Referral {referral_id} is no longer open"
    assert not mentions_contact(withdrawn)
    assert [m.kind for m in desk.outbox() if mentions_contact(m)] == ["award"]


def test_in_network_mode_the_contact_goes_out_only_once_the_fee_is_logged(
    desk: Desk, clock: ManualClock
) -> None:
    """Awarding among interested agents makes the referral pending: still no contact. Logging
    the fee agreement awards it, and only then does the chosen agent get the details."""
    for agent_id, name in (("P-NET-01", "Dana Whitfield"), ("P-NET-02", "Tomas Herrera")):
        add_agent(desk, clock.now(), agent_id, name, network="texas-relo")
    referral_id = new_referral(desk, clock.now(), mode="network")
    assert [m.kind for m in desk.outbox()] == ["network_offer", "network_offer"]
    desk.respond(referral_id, "P-NET-01", "interest", clock.advance(minutes=5))
    desk.respond(referral_id, "P-NET-02", "interest", clock.advance(minutes=5))

    assert desk.award(referral_id, "P-NET-02", clock.advance(minutes=5)).status == "pending"
    assert of_kind(desk, "award") == []
    [withdrawn] = of_kind(desk, "withdrawn")
    assert withdrawn.to == "p-net-01@agents.example"
    assert not any(mentions_contact(message) for message in desk.outbox())

    logged = desk.log_fee(referral_id, "receivable", Decimal("25"), "Tomas Herrera", clock.now())
    assert logged.status == "awarded"
    [award] = of_kind(desk, "award")
    assert award.to == "p-net-02@agents.example"
    assert "maria.lopez@example.com" in award.body
    assert [m.kind for m in desk.outbox() if mentions_contact(m)] == ["award"]


# --- notices to the team lead and the bookkeeper -----------------------------------


def lapse_everything(desk: Desk, clock: ManualClock) -> str:
    """A referral whose two offers both lapse (no fallback): reassigned, then unassigned."""
    referral_id = new_referral(desk, clock.now())
    desk.tick(clock.advance(minutes=30))
    desk.tick(clock.advance(minutes=30))
    assert desk.referral(referral_id).status == "unassigned"
    return referral_id


def test_the_team_lead_hears_of_reassignments_and_flags(
    two_agents: Desk, clock: ManualClock
) -> None:
    """With `team_lead_email` set, each lapse sends a reassignment notice and each flag a flag
    notice, by email to the team lead."""
    desk = two_agents
    desk.set_setting("team_lead_email", TEAM_LEAD, clock.now())
    referral_id = lapse_everything(desk, clock)
    desk.raise_flag("status_inquiry", referral_id, clock.advance(minutes=1), "John asked")

    first, second = of_kind(desk, "reassigned")
    assert (first.to, first.channel, first.referral_id) == (TEAM_LEAD, "email", referral_id)
    assert first.subject == f"Reassigned {referral_id}: P-EML-01 did not answer in time"
    assert "Next: offered to P-EML-02." in first.body
    assert "Next: the referral is now unassigned." in second.body

    exhausted, inquiry = of_kind(desk, "flag")
    assert exhausted.to == inquiry.to == TEAM_LEAD
    assert exhausted.subject == f"Desk flag: roster exhausted {referral_id}"
    assert inquiry.subject == f"Desk flag: status inquiry {referral_id}"
    assert "John asked" in inquiry.body
    assert not any(mentions_contact(message) for message in desk.outbox())


def test_without_a_team_lead_address_no_notice_is_queued(
    two_agents: Desk, clock: ManualClock
) -> None:
    """With `team_lead_email` empty (the default), flags are still raised but nobody is
    emailed about reassignments or flags."""
    desk = two_agents
    referral_id = lapse_everything(desk, clock)
    desk.raise_flag("status_inquiry", referral_id, clock.now())

    assert {flag.kind for flag in desk.flags()} == {"roster_exhausted", "status_inquiry"}
    assert [message.kind for message in desk.outbox()] == ["offer", "offer"]


def close_with_a_payable_fee(desk: Desk, clock: ManualClock) -> str:
    """The contract referral (sent by agent John Smith), accepted, fee logged, then closed."""
    referral_id = new_referral(desk, clock.now())
    desk.respond(referral_id, "P-EML-01", "accept", clock.advance(minutes=5))
    desk.log_fee(referral_id, "payable", Decimal("25"), "Priya Raman", clock.now())
    desk.change_status(referral_id, "working", clock.advance(days=1))
    desk.change_status(
        referral_id, "in_escrow", clock.advance(days=20), closing_date=date(2027, 1, 15)
    )
    desk.change_status(
        referral_id,
        "closed",
        clock.advance(days=30),
        sale_price=510_000,
        commission_rate=Decimal("3"),
        closing_date=date(2027, 1, 15),
    )
    return referral_id


def test_the_bookkeeper_hears_when_a_payable_fee_falls_due_at_closing(
    two_agents: Desk, clock: ManualClock
) -> None:
    """Closing a referral with a fee we owe the referring agent emails the bookkeeper once:
    whom to pay, the agreement and the expected amount."""
    desk = two_agents
    desk.set_setting("bookkeeper_email", BOOKKEEPER, clock.now())
    referral_id = close_with_a_payable_fee(desk, clock)

    [notice] = of_kind(desk, "bookkeeper")
    assert (notice.to, notice.channel, notice.referral_id) == (BOOKKEEPER, "email", referral_id)
    assert notice.subject == f"Referral fee due: $3825.00 to John Smith ({referral_id})"
    assert "Pay to:      John Smith" in notice.body
    assert "25% of the commission, agreed by Priya Raman" in notice.body
    assert "Expected:    $3825.00" in notice.body
    assert not mentions_contact(notice)


def test_no_bookkeeper_address_means_no_bookkeeper_notice(
    two_agents: Desk, clock: ManualClock
) -> None:
    """With `bookkeeper_email` empty the closing queues no bookkeeper notice."""
    close_with_a_payable_fee(two_agents, clock)
    assert of_kind(two_agents, "bookkeeper") == []


# --- templates -----------------------------------------------------------------------


def test_custom_templates_are_used_but_cannot_pull_contact_into_an_offer(
    two_agents: Desk, clock: ManualClock, tmp_path: Path
) -> None:
    """A team's own `offer.txt` in `templates_dir` shapes the offer, but naming the client's
    phone, email, last name or notes in it shows the placeholder, never the value; kinds
    without a custom file keep the packaged wording."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "offer.txt").write_text(
        "Subject: Lead for $agent_first_name: $side in $market\n"
        "\n"
        "$client_first_name $client_last_name ($band), call $client_phone or write to "
        "$client_email. Notes: $notes. Referral $referral_id.\n",
        encoding="utf-8",
    )
    desk = two_agents
    desk.set_setting("templates_dir", str(folder), clock.now())
    referral_id = new_referral(desk, clock.now(), mode="broadcast")
    desk.respond(referral_id, "P-EML-01", "claim", clock.advance(minutes=1))
    new_referral(desk, clock.now(), client_first_name="Ana")

    [offer] = of_kind(desk, "offer")
    assert offer.subject == "Lead for Evelyn: buyer in Austin 78704"
    assert offer.body == (
        "Ana $client_last_name ($400K–$700K), call $client_phone or write to "
        "$client_email. Notes: $notes. Referral R-000002.\n"
    )
    assert not mentions_contact(offer)
    [withdrawn] = of_kind(desk, "withdrawn")
    assert withdrawn.subject == f"Referral {referral_id} is no longer open"
    [award] = of_kind(desk, "award")
    assert "maria.lopez@example.com" in award.body, "the packaged award still carries contact"


def test_a_server_database_keeps_its_outbox_in_the_user_data_dir(
    desk: Desk, desk_url: str, tmp_path: Path
) -> None:
    """Where no file sits beside the database, the .eml files go to the user data directory,
    never into whatever folder the desk happened to be started from."""
    home_data = tmp_path / "home" / ".local" / "share"
    folder = desk.outbox_folder()
    if desk_url.endswith(".db"):
        assert folder == Path(desk_url).with_name("desk.outbox")
    else:
        assert folder == home_data / "referral-desk" / "outbox"
    assert Path.cwd() not in (folder, folder.parent)


def test_every_outbox_error_names_its_field(two_agents: Desk, clock: ManualClock) -> None:
    """Bad ids are reported as the desk's own errors, starting with `message:`."""
    for call in (
        lambda: two_agents.retry_message("nonsense", clock.now()),
        lambda: two_agents.mark_called("M-000009", clock.now()),
    ):
        with pytest.raises(DeskError, match=r"^message: "):
            call()
