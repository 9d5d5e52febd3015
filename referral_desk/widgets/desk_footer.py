"""The footer every desk screen shows: Textual's Footer, rebuilt only when its keys change.

Textual's Footer recomposes (throws away and rebuilds every key widget, then
restyles them) after each bindings notice: the screen stack changing, focus
moving, `refresh_bindings()`. Opening the desk sends several of those before the
queue's first paint, and all but one rebuild exactly the keys already shown,
each costing tens of milliseconds. This footer coalesces the notices that
arrive before the next refresh into one, and skips the rebuild when the keys it
would show (bindings, enabled, tooltips, key labels) are the ones it shows.

A compact footer's keys are also built with their `-compact` class already set:
otherwise each key's `compact` binding adds it just after mounting, and every key
is styled a second time.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not exported; textual is pinned

__all__ = ["DeskFooter"]


class DeskFooter(Footer):
    """A Footer that recomposes only when what it would show changed."""

    _shown: tuple[object, ...] | None = None
    """What the last compose built its keys from (None before the bindings were ready)."""
    _recompose_pending = False

    def _keys_signature(self) -> tuple[object, ...]:
        """Everything `Footer.compose` reads, as one comparable value."""
        app = self.app
        return (
            tuple(
                (binding, enabled, tooltip, app.get_key_display(binding))
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            ),
            self.show_command_palette,
            app.ENABLE_COMMAND_PALETTE,
            app.COMMAND_PALETTE_BINDING,
        )

    def compose(self) -> ComposeResult:
        self._shown = self._keys_signature() if self._bindings_ready else None
        for widget in super().compose():
            if self.compact and isinstance(widget, FooterKey):
                # What `FooterKey._watch_compact` would do once mounted, restyling the key.
                widget.add_class("-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._recompose_pending = False
        if self.is_attached and self._keys_signature() != self._shown:
            await self.recompose()
