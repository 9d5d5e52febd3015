"""`outbox`: what the desk has queued or sent, and retrying what failed."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..engine import InvalidInput
from ..engine.rules.errors import echo
from .common import add_json_flag, now_of, open_desk, print_json, say

if TYPE_CHECKING:
    from ..engine import MessageView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = subparsers.add_parser("outbox", help="messages queued or sent, and their delivery")
    outbox.add_argument("--status", help="only pending, sending, sent, failed or to_call")
    add_json_flag(outbox)
    outbox.set_defaults(handler=run_list)
    actions = outbox.add_subparsers(dest="action", metavar="ACTION")
    retry = actions.add_parser("retry", help="try a failed or waiting message again now")
    retry.add_argument("message_id", metavar="ID")
    add_json_flag(retry)
    retry.set_defaults(handler=run_retry)
    called = actions.add_parser("called", help="the call a 'call' message asked for was made")
    called.add_argument("message_id", metavar="ID")
    add_json_flag(called)
    called.set_defaults(handler=run_called)
    send = actions.add_parser("send", help="deliver what is due now (the clock does this too)")
    add_json_flag(send)
    send.set_defaults(handler=run_send)


def _line(message: MessageView) -> str:
    return (
        f"{message.id}  {message.status:<8} {message.channel:<6} {message.kind:<16} "
        f"{message.to:<28} {message.subject}"
    )


MESSAGE_STATUSES = ("pending", "sending", "sent", "failed", "to_call")


def run_list(arguments: argparse.Namespace) -> int:
    if arguments.status is not None and arguments.status not in MESSAGE_STATUSES:
        wanted = f"{', '.join(MESSAGE_STATUSES[:-1])} or {MESSAGE_STATUSES[-1]}"
        raise InvalidInput([f"status: must be {wanted} (got {echo(arguments.status)})"])
    with open_desk(arguments) as desk:
        messages = desk.outbox(status=arguments.status)
    if arguments.json:
        print_json([message.to_json() for message in messages])
    else:
        for message in messages:
            say(_line(message))
    return 0


def run_retry(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        message = desk.retry_message(arguments.message_id, now_of(arguments))
    print_json(message.to_json()) if arguments.json else say(_line(message))
    return 0


def run_called(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        message = desk.mark_called(arguments.message_id, now_of(arguments))
    print_json(message.to_json()) if arguments.json else say(_line(message))
    return 0


def run_send(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        report = desk.deliver_outbox(now_of(arguments))
        folder = desk.outbox_folder()
    if arguments.json:
        print_json({"sent": report.sent, "retrying": report.retrying, "failed": report.failed})
    else:
        say(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed} ({folder})")
    return 0
