"""`serve` and `secret rotate`: the desk's web face from the shell.

`serve` imports Starlette and uvicorn only when it runs: no other command pays
for them.
"""

from __future__ import annotations

import argparse
import sys

from ..engine import OffsetClock, SystemClock, parse_moment, shown_url
from .common import add_json_flag, open_desk, print_json, say
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
