"""`intake`, `show` and `sources`: referrals in, and what the desk knows of them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .common import add_json_flag, now_of, open_desk, print_json, read_json_input, say

if TYPE_CHECKING:
    from ..engine import ReferralView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    intake = subparsers.add_parser("intake", help="take in referrals from a JSON file or -")
    intake.add_argument("file", help="JSON file with one referral object or a list (- for stdin)")
    add_json_flag(intake)
    intake.set_defaults(handler=run_intake)

    show = subparsers.add_parser("show", help="one referral with its offers and history")
    show.add_argument("referral_id", metavar="ID")
    add_json_flag(show)
    show.set_defaults(handler=run_show)

    sources = subparsers.add_parser("sources", help="referring parties, most referrals first")
    add_json_flag(sources)
    sources.set_defaults(handler=run_sources)


def run_intake(arguments: argparse.Namespace) -> int:
    payload = read_json_input(arguments.file)
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        stored = desk.intake(payload, now)
    if arguments.json:
        documents = [referral.to_json(now) for referral in stored]
        print_json(documents if isinstance(payload, list) else documents[0])
    else:
        for referral in stored:
            say(summary(referral))
    return 0


def run_show(arguments: argparse.Namespace) -> int:
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        referral = desk.referral(arguments.referral_id)
    if arguments.json:
        print_json(referral.to_json(now))
        return 0
    say(summary(referral))
    say(f"  client  {referral.client_first_name} {referral.client_last_name}".rstrip())
    say(f"  source  {referral.source.name} ({referral.source.type}, {referral.source.id})")
    for offer in referral.offers:
        say(f"  offer   {offer.agent_id} {offer.status} score {offer.score:.2f}")
    for event in referral.events:
        say(f"  {event.at:%Y-%m-%d %H:%M}Z  {event.kind:<10} {event.detail}")
    return 0


def run_sources(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        sources = desk.sources()
    if arguments.json:
        print_json([source.to_json() for source in sources])
        return 0
    for source in sources:
        say(f"{source.id}  {source.name:<28} {source.type:<12} {source.referral_count}")
    return 0


def summary(referral: ReferralView) -> str:
    band = f"${referral.price_min:,}–${referral.price_max:,}"
    return (
        f"{referral.id}  {referral.status:<10} {referral.side:<6} {referral.metro} "
        f"{referral.zip or ''} {band} {referral.property_type} — {referral.lead_source}"
    )
