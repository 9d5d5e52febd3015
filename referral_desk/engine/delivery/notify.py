"""Messages the desk sends, built and queued in the transaction that caused them.

Privacy is enforced here, where a message is built, not in the channels: each
kind of message is given only the values it may carry. An offer gets the
market, ZIP, band, type, side, timeline and the client's first name — never
the last name, email, phone or notes; only the award (to the receiving agent,
after the award) carries the client's contact details. Templates are plain
files (`referral_desk/templates/*.txt`, overridable from the `templates_dir`
setting): a template that names a value its kind is not given shows the
placeholder, never the value. A template of the folder that cannot be read
safely (`folders.custom_template`) gives way to the packaged one, and a
`delivery_failed` flag says so: drafting happens inside the write that causes
the message, so a template must never fail it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from string import Template
from typing import Final

from sqlalchemy import bindparam, insert, select

from ..rules.bands import band_text
from ..rules.ids import format_id
from ..rules.text import header_text
from ..storage import tables as m
from ..storage.prepared import Prepared
from ..storage.records import Referral
from ..storage.rows import Contact, OfferTerms
from ..storage.transaction import Transaction
from ..values.settings import DeskSettings
from .folders import custom_template

PACKAGED_TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
DESK_NAME: Final = "Referral Desk"

OFFER_FIELDS: Final = frozenset(
    {
        "agent_first_name",
        "client_first_name",
        "side",
        "market",
        "band",
        "property_type",
        "timeline",
        "deadline",
        "window_minutes",
        "referral_id",
        "desk_name",
        "network",
    }
)
"""Everything an offer (or a withdrawal) may say: no contact details of the client."""


@dataclass(frozen=True)
class Draft:
    """A message ready to queue."""

    kind: str
    channel: str
    recipient: str
    subject: str
    body: str
    template_problem: str | None = None
    """Why the desk's own template for this kind was not used (the packaged one was)."""


def render(
    kind: str, values: dict[str, str], settings: DeskSettings
) -> tuple[str, str, str | None]:
    """Fills a template (`Subject:` line, blank line, body) with the values it may use;
    third, why `templates_dir`'s own template was not used, if it has one.

    The subject line is split off the template before anything is filled in, and
    made one line after: a value holding a line break (a metro stored before the
    desk refused them, say) can never end the subject early and start the body,
    nor add a header.
    """
    text, problem = _template_text(kind, settings)
    subject, body = _template_parts(kind, text)
    subject = Template(subject).safe_substitute(values)
    return header_text(subject), Template(body).safe_substitute(values), problem


def _template_text(kind: str, settings: DeskSettings) -> tuple[str, str | None]:
    """The folder's own template if it can be read safely, else the packaged one and why."""
    if settings.templates_dir:
        custom, problem = custom_template(settings.templates_dir, kind)
        if custom is not None:
            return custom, None
        return _packaged_template(kind), problem
    return _packaged_template(kind), None


@cache
def _packaged_template(kind: str) -> str:
    """A template shipped with the desk: read once (they change only with the code)."""
    return (PACKAGED_TEMPLATES / f"{kind}.txt").read_text(encoding="utf-8")


def band(referral: Referral) -> str:
    """`$400K–$700K` — a price band as agents talk about it."""
    return band_text(referral.price_min, referral.price_max)


def _local(moment: datetime, settings: DeskSettings) -> str:
    return moment.astimezone(settings.zone).strftime("%a %b %d, %I:%M %p %Z").replace(" 0", " ")


def route_for(agent: Contact) -> tuple[str, str]:
    """(channel, recipient) for an agent: their preferred channel, else what reaches them."""
    preferred = agent.preferred_channel
    if preferred == "email" and agent.email:
        return "email", agent.email
    if preferred == "sms" and agent.phone:
        return "sms", agent.phone
    if preferred == "call" and agent.phone:
        return "call", agent.phone
    if agent.email:
        return "email", agent.email
    if agent.phone:
        return "call", agent.phone
    return "call", agent.name


def urgent_route_for(agent: Contact) -> tuple[str, str]:
    """(channel, recipient) for what cannot wait: a call if the agent prefers calls, else
    SMS to their phone; email only for an agent with no phone."""
    if agent.phone:
        return ("call" if agent.preferred_channel == "call" else "sms"), agent.phone
    return route_for(agent)


def offer_values(
    agent: Contact, referral: Referral, offer: OfferTerms, settings: DeskSettings
) -> dict[str, str]:
    """The values an offer may carry (see `OFFER_FIELDS`)."""
    values = {
        "agent_first_name": _first_name(agent),
        "client_first_name": referral.client_first_name,
        "side": referral.side,
        "market": f"{referral.metro} {referral.zip or ''}".strip(),
        "band": band(referral),
        "property_type": referral.property_type,
        "timeline": referral.timeline or "not given",
        "deadline": _local(offer.expires_at, settings),
        "window_minutes": str(settings.acceptance_window_minutes),
        "referral_id": format_id("referral", referral.id or 0),
        "desk_name": DESK_NAME,
        "network": referral.network or "",
    }
    assert set(values) <= OFFER_FIELDS
    return values


def offer_draft(
    agent: Contact,
    referral: Referral,
    offer: OfferTerms,
    settings: DeskSettings,
    kind: str,
    link: str | None = None,
    *,
    urgent: bool = False,
) -> Draft:
    """A new offer (`offer`, `broadcast_offer`, `network_offer`, `warm_transfer_offer`) to
    one agent; with a `link` (the desk has a `public_url`), the offer's link closes the
    message. An `urgent` one (a warm transfer) goes by SMS or call, whatever the agent's
    usual channel: an email may be read after the minutes it has."""
    return offer_drafts([(agent, link)], referral, offer, settings, kind, urgent=urgent)[0]


def offer_drafts(
    receivers: list[tuple[Contact, str | None]],
    referral: Referral,
    offer: OfferTerms,
    settings: DeskSettings,
    kind: str,
    *,
    urgent: bool = False,
) -> list[Draft]:
    """`offer_draft` for each (agent, link) of one batch: offers of one referral with one
    deadline, to one agent or to every agent of an open referral's market.

    The template is filled once for the batch: only the agent's first name differs
    between its messages, so the template is cut where that name goes and each
    message joins the filled pieces with its agent's name.
    """
    if not receivers:
        return []
    values = offer_values(receivers[0][0], referral, offer, settings)
    del values["agent_first_name"]
    text, problem = _template_text(kind, settings)
    subject, body = _template_parts(kind, text)
    subject_pieces = _filled_pieces(subject, values)
    body_pieces = _filled_pieces(body, values)
    drafts = []
    for agent, link in receivers:
        channel, recipient = urgent_route_for(agent) if urgent else route_for(agent)
        first_name = _first_name(agent)
        subject_line = header_text(first_name.join(subject_pieces))
        message = first_name.join(body_pieces)
        if link:
            message = with_link(message, link)
        drafts.append(Draft(kind, channel, recipient, subject_line, message, problem))
    return drafts


def _template_parts(kind: str, text: str) -> tuple[str, str]:
    """A template's subject and body, each still to fill; a template with no `Subject:`
    line has the kind's name for one (a plain word: filling leaves it as it is)."""
    first, _, rest = text.partition("\n")
    if first.startswith("Subject:"):
        return first.removeprefix("Subject:"), rest.lstrip("\n")
    return kind, text


def _filled_pieces(template: str, values: dict[str, str]) -> list[str]:
    """The template cut at each `$agent_first_name`, each piece filled with `values`.

    It is cut where `Template` itself finds the placeholder (so `$$agent_first_name`,
    an escaped dollar, is not a cut), and a piece starts where the whole template's
    scan would be, so the pieces fill exactly as the whole would.
    """
    pieces, start = [], 0
    for match in Template.pattern.finditer(template):
        if "agent_first_name" in (match.group("named"), match.group("braced")):
            pieces.append(template[start : match.start()])
            start = match.end()
    pieces.append(template[start:])
    return [Template(piece).safe_substitute(values) for piece in pieces]


def _first_name(agent: Contact) -> str:
    return agent.name.split()[0] if agent.name.split() else agent.name


def with_link(body: str, link: str) -> str:
    """The body with the offer's link alone on its own last line (after a line saying what
    it is), on every channel, whatever the template: a desk's own template need not
    know about links for its offers to carry them."""
    return f"{body.rstrip()}\n\nAnswer in one tap (no login needed):\n{link}\n"


def withdrawn_draft(
    agent: Contact, referral: Referral, offer: OfferTerms, settings: DeskSettings
) -> Draft:
    """The offer went to someone else: tell the agent, still without contact details."""
    channel, recipient = route_for(agent)
    values = offer_values(agent, referral, offer, settings)
    subject, body, problem = render("withdrawn", values, settings)
    return Draft("withdrawn", channel, recipient, subject, body, problem)


def award_draft(agent: Contact, referral: Referral, settings: DeskSettings) -> Draft:
    """The referral is the agent's: the one message to an agent that carries the client's
    contact (the inside sales agent's, `isa_draft`, is the other)."""
    return _with_contact("award", agent, referral, settings)


def isa_draft(agent: Contact, referral: Referral, settings: DeskSettings) -> Draft:
    """The referral waits with the inside sales agent, who calls the client to qualify
    them: a team member's task, so it carries the client's contact."""
    return _with_contact("isa", agent, referral, settings)


def _with_contact(kind: str, agent: Contact, referral: Referral, settings: DeskSettings) -> Draft:
    channel, recipient = route_for(agent)
    values = {
        "agent_first_name": _first_name(agent),
        "client_full_name": f"{referral.client_first_name} {referral.client_last_name}".strip(),
        "client_email": referral.client_email or "not given",
        "client_phone": referral.client_phone or "not given",
        "side": referral.side,
        "market": referral.metro,
        "zip": referral.zip or "",
        "band": band(referral),
        "property_type": referral.property_type,
        "timeline": referral.timeline or "not given",
        "notes": referral.notes or "none",
        "referral_id": format_id("referral", referral.id or 0),
        "desk_name": DESK_NAME,
    }
    subject, body, problem = render(kind, values, settings)
    return Draft(kind, channel, recipient, subject, body, problem)


_INSERT_MESSAGE = Prepared(insert(m.outbox_message))
_OPEN_FLAG_LIKE = Prepared(
    select(m.flag.c.id)
    .where(
        m.flag.c.kind == "delivery_failed",
        m.flag.c.detail == bindparam("detail"),
        m.flag.c.resolved_at.is_(None),
    )
    .limit(1)
)


def queue(
    session: Transaction, draft: Draft, now: datetime, referral_id: int | None = None
) -> None:
    """Stores a message in the outbox (same transaction as its cause); delivery comes later.

    A Core insert, queued (`Transaction.insert_later`): an open referral's hundreds of
    offer messages go to the database as one batch, before anything reads the outbox.
    """
    session.insert_later(
        _INSERT_MESSAGE,
        {
            "kind": draft.kind,
            "channel": draft.channel,
            "recipient": draft.recipient,
            "subject": draft.subject,
            "body": draft.body,
            "referral_id": referral_id,
            "status": "to_call" if draft.channel == "call" else "pending",
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": now,
        },
    )
    if draft.template_problem is not None:
        _flag_template(session, draft.template_problem, now)


def _flag_template(session: Transaction, problem: str, now: datetime) -> None:
    """A `delivery_failed` flag saying a template was set aside (the message went out in
    the packaged wording), unless the same one is open: one per problem, not per message.

    No notice to the team lead: the notice's own template may be the one at fault.
    """
    from .escalation import raise_flag  # escalation drafts its notices with this module

    detail = f"{problem}; the packaged template was used"
    if session.execute(_OPEN_FLAG_LIKE, {"detail": detail}).first() is None:
        raise_flag(session, "delivery_failed", now, detail)


def team_draft(kind: str, values: dict[str, str], address: str, settings: DeskSettings) -> Draft:
    """A notice to the team lead or the bookkeeper (internal: fees and ids are fine)."""
    subject, body, problem = render(kind, values, settings)
    return Draft(kind, "email", address, subject, body, problem)
