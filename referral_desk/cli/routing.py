"""`preview`, `queue`, `respond`, `award`, `reroute`, `handoff`, `invite` and `clock`:
routing from the shell."""

from __future__ import annotations

import argparse
import math
import sys
import threading
from typing import TYPE_CHECKING

from ..clock_loops import deliver_until, tick_until
from ..engine import (
    InvalidInput,
    OffsetClock,
    SystemClock,
    parse_moment,
    shown_url,
)
from .common import add_json_flag, now_of, open_desk, print_json, read_json_input, say
from .referrals import summary

if TYPE_CHECKING:
    from ..engine import RoutingDecision


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    preview = subparsers.add_parser(
        "preview", help="who would get a referral, and why not the others"
    )
    preview.add_argument("file", help="JSON file with one referral object (- for stdin)")
    add_json_flag(preview)
    preview.set_defaults(handler=run_preview)

    queue = subparsers.add_parser("queue", help="referrals waiting on an agent, oldest first")
    add_json_flag(queue)
    queue.set_defaults(handler=run_queue)

    respond = subparsers.add_parser("respond", help="record an agent's answer to an offer")
    respond.add_argument("referral_id", metavar="ID")
    respond.add_argument("--agent", required=True, metavar="AGENT_ID")
    respond.add_argument("response", choices=("accept", "decline", "claim", "interest"))
    respond.add_argument("--reason", metavar="TEXT")
    add_json_flag(respond)
    respond.set_defaults(handler=run_respond)

    award = subparsers.add_parser("award", help="pick the receiver among interested agents")
    award.add_argument("referral_id", metavar="ID")
    award.add_argument("--agent", required=True, metavar="AGENT_ID")
    add_json_flag(award)
    award.set_defaults(handler=run_award)

    reroute = subparsers.add_parser("reroute", help="route an unassigned referral again")
    reroute.add_argument("referral_id", metavar="ID")
    reroute.add_argument("--agent", metavar="AGENT_ID", help="offer it privately to this agent")
    add_json_flag(reroute)
    reroute.set_defaults(handler=run_reroute)

    handoff = subparsers.add_parser(
        "handoff", help="the inside sales agent hands a qualifying referral off to routing"
    )
    handoff.add_argument("referral_id", metavar="ID")
    handoff.add_argument("--mode", metavar="MODE", help="route by this mode (default_mode)")
    handoff.add_argument("--agent", metavar="AGENT_ID", help="offer it privately to this agent")
    add_json_flag(handoff)
    handoff.set_defaults(handler=run_handoff)

    invite = subparsers.add_parser(
        "invite", help="add receivers to a private referral to check their interest"
    )
    invite.add_argument("referral_id", metavar="ID")
    invite.add_argument(
        "--agent", action="append", required=True, metavar="AGENT_ID", help="repeat for more"
    )
    add_json_flag(invite)
    invite.set_defaults(handler=run_invite)

    clock = subparsers.add_parser("clock", help="run the reassignment clock")
    clock.add_argument("--once", action="store_true", help="one tick at --now, then exit")
    clock.add_argument(
        "--interval",
        default="1",
        metavar="SECONDS",
        help=f"seconds between ticks, from {INTERVAL_MIN:g} to {INTERVAL_MAX:g} (default 1)",
    )
    add_json_flag(clock)
    clock.set_defaults(handler=run_clock)


def run_preview(arguments: argparse.Namespace) -> int:
    payload = read_json_input(arguments.file)
    with open_desk(arguments) as desk:
        decision = desk.preview(payload, now_of(arguments))
    if arguments.json:
        print_json(decision_json(decision))
        return 0
    for position, choice in enumerate(decision.ranked, start=1):
        values = " ".join(f"{k}={v:.2f}" for k, v in choice.breakdown.as_dict().items())
        say(f"{position:>2}. {choice.agent_id:<12} {choice.score:.3f}  {values}")
    for exclusion in decision.excluded:
        say(f"    {exclusion.agent_id:<12} excluded: {exclusion.reason}")
    return 0


def decision_json(decision: RoutingDecision) -> dict[str, object]:
    """The contract's preview document."""
    return {
        "ranked": [
            {"agent_id": c.agent_id, "score": c.score, "breakdown": c.breakdown.as_dict()}
            for c in decision.ranked
        ],
        "excluded": [{"agent_id": e.agent_id, "reason": e.reason} for e in decision.excluded],
    }


def run_queue(arguments: argparse.Namespace) -> int:
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        waiting = desk.queue()
    if arguments.json:
        print_json([referral.to_json(now) for referral in waiting])
        return 0
    for referral in waiting:
        holders = [
            f"{offer.agent_id} ({_left(offer.seconds_left(now))})"
            if offer.status == "offered"
            else f"{offer.agent_id} ({offer.status})"
            for offer in referral.open_offers
        ]
        if referral.status == "qualifying":
            holders = [f"{referral.assigned_agent_id} (inside sales agent, qualifying)"]
        say(summary(referral) + (f"  → {', '.join(holders)}" if holders else ""))
    return 0


def _left(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d} left"


def run_respond(arguments: argparse.Namespace) -> int:
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        referral = desk.respond(
            arguments.referral_id, arguments.agent, arguments.response, now, arguments.reason
        )
    _print_referral(arguments, referral, now)
    return 0


def run_award(arguments: argparse.Namespace) -> int:
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        referral = desk.award(arguments.referral_id, arguments.agent, now)
    _print_referral(arguments, referral, now)
    return 0


def run_reroute(arguments: argparse.Namespace) -> int:
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        referral = desk.reroute(arguments.referral_id, now, arguments.agent)
    _print_referral(arguments, referral, now)
    return 0


def run_handoff(arguments: argparse.Namespace) -> int:
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        referral = desk.routing.handoff(arguments.referral_id, now, arguments.mode, arguments.agent)
    _print_referral(arguments, referral, now)
    return 0


def run_invite(arguments: argparse.Namespace) -> int:
    now = now_of(arguments)
    with open_desk(arguments) as desk:
        referral = desk.routing.invite(arguments.referral_id, arguments.agent, now)
    _print_referral(arguments, referral, now)
    return 0


def _print_referral(arguments: argparse.Namespace, referral, now) -> None:  # type: ignore[no-untyped-def]
    if arguments.json:
        print_json(referral.to_json(now))
    else:
        say(summary(referral))


INTERVAL_MIN = 0.1
INTERVAL_MAX = 3600.0


def interval_of(text: str) -> float:
    """`--interval` in seconds, refused outside 0.1 s – 1 h: zero, a negative or NaN made
    the service spin at full CPU, and `inf` ended it with a traceback."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not INTERVAL_MIN <= seconds <= INTERVAL_MAX:  # NaN fails every comparison
        raise InvalidInput(
            [
                f"interval: must be a number of seconds from {INTERVAL_MIN:g} to "
                f"{INTERVAL_MAX:g} (got {text.strip()[:40]!r})"
            ]
        )
    return seconds


def run_clock(arguments: argparse.Namespace) -> int:
    interval = interval_of(arguments.interval)
    if arguments.once:
        now = now_of(arguments)
        with open_desk(arguments) as desk:
            handled = desk.tick(now)
            desk.deliver_outbox(now)
        _report(arguments, handled)
        return 0
    clock = OffsetClock(parse_moment(arguments.now)) if arguments.now else SystemClock()
    with open_desk(arguments) as desk:
        say(f"clock running on {shown_url(desk.url)} (Ctrl+C to stop)", stream=sys.stderr)
        stop = threading.Event()
        courier = threading.Thread(
            target=deliver_until, args=(desk, clock, interval, stop, _complain), daemon=True
        )
        courier.start()
        tick_until(
            desk, clock, interval, stop, lambda handled: _report(arguments, handled), _complain
        )
    return 0


def _complain(line: str) -> None:
    say(line, stream=sys.stderr, flush=True)


def _report(arguments: argparse.Namespace, handled: list) -> None:  # type: ignore[type-arg]
    if arguments.json:
        print_json(
            {
                "lapsed": [
                    {
                        "referral_id": lapse.referral_id,
                        "agent_id": lapse.agent_id,
                        "expired_at": lapse.expired_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "next_agent_ids": list(lapse.next_agent_ids),
                        "status": lapse.referral_status,
                    }
                    for lapse in handled
                ]
            }
        )
        sys.stdout.flush()
        return
    for lapse in handled:
        following = ", ".join(lapse.next_agent_ids) or lapse.referral_status
        say(f"{lapse.referral_id}: {lapse.agent_id} lapsed → {following}", flush=True)
