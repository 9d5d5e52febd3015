"""`status`, `fee`, `thanks` and `flags`: a referral to closing, and the follow-ups."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine import InvalidInput, parse_day, parse_decimal
from ..engine.rules.errors import echo
from ..engine.rules.lifecycle import MAX_SALE_PRICE
from .common import add_json_flag, now_of, open_desk, print_json, say
from .referrals import summary

if TYPE_CHECKING:
    from ..engine import ReferralView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = subparsers.add_parser("status", help="move a referral to a new status")
    status.add_argument("referral_id", metavar="ID")
    status.add_argument("new_status", metavar="NEW_STATUS")
    status.add_argument("--sale-price", metavar="DOLLARS", help="when leaving in_escrow")
    status.add_argument("--commission-rate", metavar="PCT", help="when leaving in_escrow")
    status.add_argument("--closing-date", metavar="DATE", help="expected or actual closing")
    status.add_argument("--reason", metavar="TEXT", help="why it was lost")
    status.add_argument("--on", metavar="DATE", help="when it happened (default today)")
    add_json_flag(status)
    status.set_defaults(handler=run_status)

    fee = subparsers.add_parser("fee", help="log a fee agreement or a payment")
    fee.add_argument("referral_id", metavar="ID")
    actions = fee.add_subparsers(dest="action", metavar="ACTION", required=True)
    log = actions.add_parser("log", help="record the fee agreement an agent made")
    log.add_argument("--direction", required=True, help="receivable or payable")
    log.add_argument("--percent", metavar="PCT", help="percent of the commission")
    log.add_argument("--agreed-by", required=True, metavar="NAME", help="the agent who agreed")
    log.add_argument("--on", metavar="DATE", help="agreement date (default today)")
    add_json_flag(log)
    log.set_defaults(handler=run_fee_log)
    paid = actions.add_parser("paid", help="record a payment")
    paid.add_argument("--amount", required=True, metavar="DOLLARS")
    paid.add_argument("--direction", help="receivable or payable, when both exist")
    paid.add_argument("--on", metavar="DATE", help="payment date (default today)")
    add_json_flag(paid)
    paid.set_defaults(handler=run_fee_paid)

    thanks = subparsers.add_parser("thanks", help="acknowledgment tasks: thanks, cards, gifts")
    thanks.add_argument("--open", action="store_true", help="only tasks not yet done")
    add_json_flag(thanks)
    thanks.set_defaults(handler=run_thanks)
    thanks_actions = thanks.add_subparsers(dest="action", metavar="ACTION")
    done = thanks_actions.add_parser("done", help="mark a task done")
    done.add_argument("task_id", metavar="TASK_ID")
    add_json_flag(done)
    done.set_defaults(handler=run_thanks_done)

    flags = subparsers.add_parser("flags", help="escalations for the team lead")
    flags.add_argument("--all", action="store_true", help="resolved ones too")
    add_json_flag(flags)
    flags.set_defaults(handler=run_flags)
    flag_actions = flags.add_subparsers(dest="action", metavar="ACTION")
    raising = flag_actions.add_parser("raise", help="raise a flag by hand")
    raising.add_argument("kind")
    raising.add_argument("--referral", required=True, metavar="ID")
    raising.add_argument("--detail", default="", metavar="TEXT")
    add_json_flag(raising)
    raising.set_defaults(handler=run_flag_raise)
    resolving = flag_actions.add_parser("resolve", help="resolve a flag with a note")
    resolving.add_argument("flag_id", metavar="FLAG_ID")
    resolving.add_argument("--note", required=True, metavar="TEXT")
    add_json_flag(resolving)
    resolving.set_defaults(handler=run_flag_resolve)


def _dollars(text: str | None, field: str) -> int | None:
    """Whole dollars as typed; a number past any sale price is refused before it becomes
    an integer (`1e999999` would take minutes and gigabytes to write out)."""
    if text is None:
        return None
    amount = parse_decimal(field, text)
    if abs(amount) > MAX_SALE_PRICE:
        raise InvalidInput([f"{field}: must be whole dollars from 1 to {MAX_SALE_PRICE}"])
    if amount != amount.to_integral_value():
        raise InvalidInput([f"{field}: whole dollars only (got {echo(text)})"])
    return int(amount)


def _day(text: str | None, field: str):  # type: ignore[no-untyped-def]
    return parse_day(text, field) if text else None


def _decimal(text: str | None, field: str) -> Decimal | None:
    return parse_decimal(field, text) if text is not None else None


def _show(arguments: argparse.Namespace, referral: ReferralView) -> None:
    if arguments.json:
        print_json(referral.to_json(now_of(arguments)))
    else:
        say(summary(referral))


def run_status(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        referral = desk.change_status(
            arguments.referral_id,
            arguments.new_status,
            now_of(arguments),
            sale_price=_dollars(arguments.sale_price, "sale_price"),
            commission_rate=_decimal(arguments.commission_rate, "commission_rate"),
            closing_date=_day(arguments.closing_date, "closing_date"),
            reason=arguments.reason,
            on=_day(arguments.on, "on"),
        )
    _show(arguments, referral)
    return 0


def run_fee_log(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        referral = desk.log_fee(
            arguments.referral_id,
            arguments.direction,
            _decimal(arguments.percent, "percent"),
            arguments.agreed_by,
            now_of(arguments),
            on=_day(arguments.on, "on"),
        )
    _show(arguments, referral)
    return 0


def run_fee_paid(arguments: argparse.Namespace) -> int:
    amount = parse_decimal("amount", arguments.amount)
    with open_desk(arguments) as desk:
        referral = desk.fee_paid(
            arguments.referral_id,
            amount,
            now_of(arguments),
            on=_day(arguments.on, "on"),
            direction=arguments.direction,
        )
    _show(arguments, referral)
    return 0


def run_thanks(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        tasks = desk.tasks(open_only=arguments.open)
    if arguments.json:
        print_json([task.to_json() for task in tasks])
        return 0
    now = now_of(arguments)
    for task in tasks:
        state = "done" if task.done_at else ("OVERDUE" if task.due_at < now else "due")
        due = f"{task.due_at:%Y-%m-%d %H:%M}Z"
        say(f"{task.id}  {task.referral_id}  {task.kind:<20} {state:<8} {due}")
    return 0


def run_thanks_done(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        task = desk.complete_task(arguments.task_id, now_of(arguments))
    if arguments.json:
        print_json(task.to_json())
    else:
        say(f"{task.id} done")
    return 0


def run_flags(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        flags = desk.flags(include_resolved=arguments.all)
    if arguments.json:
        print_json([flag.to_json() for flag in flags])
        return 0
    for flag in flags:
        where = flag.referral_id or flag.source_id or ""
        say(f"{flag.id}  {flag.kind:<20} {where:<9} {flag.detail}")
    return 0


def run_flag_raise(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        flag = desk.raise_flag(
            arguments.kind, arguments.referral, now_of(arguments), arguments.detail
        )
    if arguments.json:
        print_json(flag.to_json())
    else:
        say(f"{flag.id} raised: {flag.kind}")
    return 0


def run_flag_resolve(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        flag = desk.resolve_flag(arguments.flag_id, arguments.note, now_of(arguments))
    if arguments.json:
        print_json(flag.to_json())
    else:
        say(f"{flag.id} resolved")
    return 0
