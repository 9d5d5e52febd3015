"""Human-friendly ids (`R-000042`, `S-000007`) over integer primary keys."""

from __future__ import annotations

from .errors import NotFound

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
    if not cleaned.isdigit() or int(cleaned) <= 0:
        raise NotFound(f"{kind}: no {kind} {text.strip()[:40]!r} (ids look like {prefix}000042)")
    return int(cleaned)
