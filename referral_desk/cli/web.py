"""`serve`, `board-link`, `keys` and `secret rotate`: the desk's web face from the shell.

`serve` imports Starlette and uvicorn only when it runs: no other command pays
for them.
"""

from __future__ import annotations

import argparse
import sys

from ..engine import OffsetClock, SystemClock, iso, parse_moment, shown_url
from .common import add_json_flag, now_of, open_desk, print_json, say
from .routing import interval_of

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve", help="serve offer links (and run the clock) over HTTP; Ctrl+C stops"
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--interval", default="1", metavar="SECONDS", help="seconds between clock ticks"
    )
    serve.set_defaults(handler=run_serve)

    board = subparsers.add_parser(
        "board-link", help="print a signed link to the team lead's live board"
    )
    board.add_argument("--days", type=int, default=30, help="how long it works (default 30)")
    board.add_argument("--host", default=DEFAULT_HOST, help="serve's address, if no public_url")
    board.add_argument("--port", type=_port, default=DEFAULT_PORT, help="serve's port, likewise")
    board.set_defaults(handler=run_board_link)

    keys = subparsers.add_parser("keys", help="API keys lead sources post referrals with")
    key_actions = keys.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    add = key_actions.add_parser("add", help="make a key; it is printed once, never again")
    add.add_argument("name", metavar="NAME", help="who the key is for (a lead source)")
    add.set_defaults(handler=run_keys_add)
    listing = key_actions.add_parser("list", help="every key: when made, last used, revoked")
    add_json_flag(listing)
    listing.set_defaults(handler=run_keys_list)
    revoke = key_actions.add_parser("revoke", help="stop a key working at once")
    revoke.add_argument("name", metavar="NAME")
    add_json_flag(revoke)
    revoke.set_defaults(handler=run_keys_revoke)

    secret = subparsers.add_parser("secret", help="the signing secret of offer links")
    actions = secret.add_subparsers(dest="secret_action", metavar="ACTION", required=True)
    rotate = actions.add_parser(
        "rotate", help="replace the secret: every link sent so far stops working"
    )
    add_json_flag(rotate)
    rotate.set_defaults(handler=run_rotate)


def _port(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a number from 1 to 65535 (got {text[:20]!r})")
    return int(text)


def run_serve(arguments: argparse.Namespace) -> int:
    from ..web.server import serve

    interval = interval_of(arguments.interval)
    clock = OffsetClock(parse_moment(arguments.now)) if arguments.now else SystemClock()
    with open_desk(arguments) as desk:
        desk.links.keeper.secret()  # made (or its problem said) before the first request
        no_links = "" if desk.settings().public_url else "; public_url is not set: no links"
        say(
            f"serving {shown_url(desk.url)} on http://{arguments.host}:{arguments.port} "
            f"(Ctrl+C to stop){no_links}",
            stream=sys.stderr,
        )
        serve(desk, clock, arguments.host, arguments.port, interval, sys.stderr)
    return 0


def run_rotate(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        path = desk.links.rotate_secret()
    if arguments.json:
        print_json({"rotated": True, "file": str(path)})
    else:
        say(f"secret rotated ({path}): every link sent before now answers 404")
    return 0


def run_keys_add(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        key = desk.api.add_key(arguments.name, now_of(arguments))
    print(key)  # alone on its line, for a script to take; it is never shown again
    return 0


def run_keys_list(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        keys = desk.api.keys()
    if arguments.json:
        print_json([key.to_json() for key in keys])
        return 0
    for key in keys:
        used = f"last used {iso(key.last_used_at)}, {key.requests} requests"
        state = f"revoked {iso(key.revoked_at)}" if key.revoked_at else "live"
        say(
            f"{key.name}  {state}  made {iso(key.created_at)}  "
            + (used if key.requests else "never used")
        )
    return 0


def run_keys_revoke(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        key = desk.api.revoke_key(arguments.name, now_of(arguments))
    if arguments.json:
        print_json(key.to_json())
    else:
        say(f"key {key.name} revoked: requests with it now get 401")
    return 0


def run_board_link(arguments: argparse.Namespace) -> int:
    with open_desk(arguments) as desk:
        base = desk.settings().public_url or f"http://{arguments.host}:{arguments.port}"
        link = desk.links.board_link(base, now_of(arguments), arguments.days)
    print(link)  # alone on its line, to paste into a message to the team lead
    return 0
