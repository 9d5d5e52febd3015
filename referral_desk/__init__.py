"""Referral Desk: route, track and report real-estate referrals from the terminal."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
