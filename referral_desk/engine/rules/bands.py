"""How a price band is written where agents read it: `$400K–$700K`."""

from __future__ import annotations

__all__ = ["band_text"]


def band_text(price_min: int, price_max: int) -> str:
    """`$400K–$700K`, `$1.25M–$2M` — a price band as agents talk about it (offers, pages)."""
    return f"{_short(price_min)}–{_short(price_max)}"


def _short(dollars: int) -> str:
    if dollars >= 1_000_000:
        return f"${dollars / 1_000_000:.2f}".rstrip("0").rstrip(".") + "M"
    if dollars >= 1_000:
        return f"${dollars / 1_000:.0f}K"
    return f"${dollars}"
