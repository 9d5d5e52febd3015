"""`preview`, `queue`, `respond`, `award`, `reroute` and `clock`: routing from the shell."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import TYPE_CHECKING

from ..engine import (
    DeskError,
    InvalidInput,
    OffsetClock,
    StorageError,
    SystemClock,
    parse_moment,
    shown_url,
)
from .common import add_json_flag, now_of, open_desk, print_json, read_json_input
from .referrals import summary

if TYPE_CHECKING:
    from ..engine import Clock, Desk, RoutingDecision


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

    clock = subparsers.add_parser("clock", help="run the reassignment clock")
    clock.add_argument("--once", action="store_true", help="one tick at --now, then exit")
    clock.add_argument("--interval", type=float, default=1.0, help="seconds between ticks")
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
        print(f"{position:>2}. {choice.agent_id:<12} {choice.score:.3f}  {values}")
    for exclusion in decision.excluded:
        print(f"    {exclusion.agent_id:<12} excluded: {exclusion.reason}")
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
        print(summary(referral) + (f"  → {', '.join(holders)}" if holders else ""))
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


def _print_referral(arguments: argparse.Namespace, referral, now) -> None:  # type: ignore[no-untyped-def]
    if arguments.json:
        print_json(referral.to_json(now))
    else:
        print(summary(referral))


INTERVAL_RANGE = (0.01, 86_400.0)
"""Seconds between ticks: from a hundredth of a second to a day."""


def run_clock(arguments: argparse.Namespace) -> int:
    low, high = INTERVAL_RANGE
    if not low <= arguments.interval <= high:  # NaN fails this too
        raise InvalidInput([f"interval: must be from {low:g} to {high:g} seconds"])
    if arguments.once:
        now = now_of(arguments)
        with open_desk(arguments) as desk:
            handled = desk.tick(now)
            desk.deliver_outbox(now)
        _report(arguments, handled)
        return 0
    clock = OffsetClock(parse_moment(arguments.now)) if arguments.now else SystemClock()
    with open_desk(arguments) as desk:
        print(f"clock running on {shown_url(desk.url)} (Ctrl+C to stop)", file=sys.stderr)
        courier = threading.Thread(
            target=_deliver_forever, args=(desk, clock, arguments.interval), daemon=True
        )
        courier.start()
        while True:
            started = time.monotonic()
            try:
                _report(arguments, desk.tick(clock.now()))
            except StorageError as error:  # busy, or the server away: the next beat tries again
                print(error, file=sys.stderr, flush=True)
            time.sleep(max(0.0, arguments.interval - (time.monotonic() - started)))


def _deliver_forever(desk: Desk, clock: Clock, interval: float) -> None:
    """The outbox in its own thread: a slow or failing channel never delays the clock."""
    while True:
        started = time.monotonic()
        try:
            desk.deliver_outbox(clock.now())
        except DeskError as error:
            print(f"outbox: {error}", file=sys.stderr)
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


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
        print(f"{lapse.referral_id}: {lapse.agent_id} lapsed → {following}", flush=True)
