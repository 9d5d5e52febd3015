"""Human-friendly ids (`R-000042`, `S-000007`) over integer primary keys."""

from __future__ import annotations

from .errors import NotFound, echo

ID_MAX = 2**31 - 1
"""The largest id the database holds (a PostgreSQL `integer`); any larger number names
nothing, and handing it to the driver would overflow its integer."""

PREFIXES = {"referral": "R", "source": "S", "task": "T", "flag": "F", "message": "M", "fee": "FEE"}


def format_id(kind: str, number: int) -> str:
    """`format_id("referral", 42)` → `R-000042`."""
    return f"{PREFIXES[kind]}-{number:06d}"


def parse_id(kind: str, text: str) -> int:
    """Accepts `R-000042`, `r-42` or `42` for a referral id; raises NotFound otherwise."""
    cleaned = text.strip().upper()
    prefix = PREFIXES[kind] + "-"
    if cleaned.startswith(prefix):
        cleaned = cleaned[len(prefix) :]
    digits = cleaned.isascii() and cleaned.isdigit() and len(cleaned.lstrip("0")) <= 12
    number = int(cleaned) if digits else 0
    if not 0 < number <= ID_MAX:
        raise NotFound(f"{kind}: no {kind} {echo(text.strip())} (ids look like {prefix}000042)")
    return number
