"""Subcommands of `referral-desk`, one module per area of the desk."""

from __future__ import annotations

import argparse

from . import closing, desk_settings, outbox, referrals, reporting, roster, routing, safety

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds every subcommand to the parser."""
    for module in (desk_settings, roster, referrals, routing, closing, outbox, reporting, safety):
        module.register(subparsers)
