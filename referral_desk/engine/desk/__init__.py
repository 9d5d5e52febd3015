"""The desk service: the one place that writes, and the reads screens and commands show.

`Desk` is a facade over one object per area of the desk: intake and the reads
of referrals (`referrals.py`), the roster (`roster.py`), routing (`routing/`:
offers, answers, the clock's lapses), closing (`closing/`: status moves, fees,
acknowledgments, flags), the outbox (`outbox.py`) and reports (`reports.py`).
Every write is one transaction with its events (`writer.py`).
"""

from __future__ import annotations

from .facade import Desk

__all__ = ["Desk"]
