"""One screen per module: the desk's places a user moves between."""

from __future__ import annotations

from .referrals import ReferralsScreen

__all__ = ["ReferralsScreen"]
