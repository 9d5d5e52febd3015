"""One screen per module: the desk's places a user moves between.

The app finds the places' screens by module name (see `navigation.py`) and
imports each the first time it is opened, so nothing here is imported eagerly:
the names below load on first access, keeping the queue's first paint short.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import DeskScreen
    from .queue import QueueScreen
    from .referral_detail import ReferralScreen
    from .referrals import ReferralsScreen

__all__ = ["DeskScreen", "QueueScreen", "ReferralScreen", "ReferralsScreen"]

_HOMES = {
    "DeskScreen": ".base",
    "QueueScreen": ".queue",
    "ReferralScreen": ".referral_detail",
    "ReferralsScreen": ".referrals",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
