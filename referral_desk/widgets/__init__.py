"""Reusable widgets of the desk."""

from __future__ import annotations

__all__: list[str] = []
