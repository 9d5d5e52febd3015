"""The help modal: every key of the screen it opened over, with what it does.

Built from the screen's active bindings at the moment `?` is pressed, so it is
never out of date and covers every screen, including ones this module does
not know.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

__all__ = ["HelpScreen"]


class HelpScreen(ModalScreen[None]):
    """Lists the keys of `screen` (its own first, then the desk's)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,question_mark,f1,q", "close", "Close", tooltip="Close help", id="help-close"
        ),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__(classes="desk-modal")
        self.under = screen

    def compose(self) -> ComposeResult:
        desk_keys: list[str] = []
        moving: list[str] = []
        seen: set[tuple[str, str]] = set()
        for active in self.under.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action == "command_palette":
                continue
            if binding.key.startswith("super+"):
                continue
            shown = binding.key_display or self.app.get_key_display(binding)
            if (shown, binding.description) in seen:
                continue
            seen.add((shown, binding.description))
            tip = f" — {binding.tooltip}" if binding.tooltip else ""
            line = f"{shown:>9}  {binding.description}{tip}"
            # The screen's and the app's keys first; a table's or list's own moves last.
            (desk_keys if active.node in (self.under, self.app) else moving).append(line)
        lines = [
            *desk_keys,
            f"{'ctrl+p':>9}  Command palette — every action, referral and agent by name",
        ]
        if moving:
            lines += ["", "Moving around", *moving]
        with Vertical(classes="modal-body help-body"):
            yield Label("Keys", classes="modal-title")
            with VerticalScroll():
                yield Static("\n".join(lines), markup=False, id="help-keys")
            yield Static("Escape to close · the mouse works too", classes="modal-hint")

    def action_close(self) -> None:
        self.dismiss(None)
