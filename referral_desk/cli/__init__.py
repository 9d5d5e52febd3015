"""The `referral-desk` command: the TUI by default, every desk operation headless.

`entry.py` holds the parser and the one-line errors; each other module is one
area's subcommands (`referrals.py`: intake, show, sources; `routing.py`:
respond, award, reroute, preview, clock; …), with `common.py` for what they
share (the desk named by `--db`, the time, JSON in and out). Nothing here
imports Textual unless the TUI is asked for.
"""

from __future__ import annotations

from .entry import build_parser, main

__all__ = ["build_parser", "main"]
