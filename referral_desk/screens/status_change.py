"""The status-change modal: pick the next move, give what that move needs, see refusals in place.

The options shown follow the lifecycle table (`TRANSITIONS`): moves routing
makes are listed too (marked as such), so the desk's own message explains why
the status command cannot make them. What each move needs (a closing date, the
sale's price and commission rate, a reason) appears only for that move, and the
engine's message for a field is shown under that field, not in a toast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ..engine import (
    CLOSING_DATE_TARGETS,
    SALE_RECORDING_TARGETS,
    STATUS_LABELS,
    TRANSITIONS,
    USER_MOVES,
    ReferralView,
)
from .common import now_of
from .writing import Refused, Written, write

__all__ = ["FIELDS", "StatusChange", "StatusChanged"]

FIELDS: tuple[tuple[str, str, str], ...] = (
    ("closing_date", "Closing date", "YYYY-MM-DD"),
    ("sale_price", "Sale price ($)", "e.g. 472000"),
    ("commission_rate", "Commission rate (%)", "e.g. 3"),
    ("reason", "Reason", "optional: why it was lost"),
)
"""The options a move may take: key (the engine's field name), label, placeholder."""


@dataclass(frozen=True)
class StatusChanged:
    """What the modal returns when the move was made."""

    referral: ReferralView
    revision: int


class StatusChange(ModalScreen[StatusChanged | None]):
    """Moves one referral to a next status; Escape leaves it as it was."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "close", "Cancel", tooltip="Leave the status as it is", id="status-cancel"
        ),
    ]

    def __init__(self, referral: ReferralView) -> None:
        super().__init__(classes="desk-modal")
        self.referral = referral

    def compose(self) -> ComposeResult:
        current = self.referral.status
        user_moves = USER_MOVES.get(current, ())
        options = []
        for target in TRANSITIONS.get(current, ()):
            label = STATUS_LABELS.get(target, target)
            if target not in user_moves:
                label += " (made by routing)"
            options.append((label, target))
        first = user_moves[0] if user_moves else Select.NULL
        with Vertical(classes="modal-body status-body"):
            yield Label(
                f"{self.referral.id}: move from {STATUS_LABELS.get(current, current)}",
                classes="modal-title",
                markup=False,
            )
            with VerticalScroll():
                with Vertical(classes="field", id="field-status"):
                    yield Label("Next status")
                    yield Select(options, value=first, id="status", allow_blank=True, prompt="pick")
                    yield Static("", classes="field-error", id="status-error", markup=False)
                for key, label, placeholder in FIELDS:
                    with Vertical(classes="field", id=f"field-{key}"):
                        yield Label(label, markup=False)
                        yield Input(placeholder=placeholder, id=key)
                        yield Static("", classes="field-error", id=f"{key}-error", markup=False)
                yield Static("", classes="field-error", id="form-error", markup=False)
            with Horizontal(classes="modal-buttons"):
                yield Button("Move", id="move", variant="primary")
                yield Button("Cancel", id="cancel")
        if not options:
            self.notify(
                f"{self.referral.id} is {current}: nothing follows.",
                severity="warning",
                markup=False,
            )

    def on_mount(self) -> None:
        self._show_fields()

    @on(Select.Changed, "#status")
    def _show_fields(self) -> None:
        target = self._target()
        current = self.referral.status
        wanted = {
            "closing_date": target in CLOSING_DATE_TARGETS,
            "sale_price": current == "in_escrow" and target in SALE_RECORDING_TARGETS,
            "commission_rate": current == "in_escrow" and target in SALE_RECORDING_TARGETS,
            "reason": target == "lost",
        }
        for key, shown in wanted.items():
            self.query_one(f"#field-{key}").display = shown
        self._clear_errors()

    def _target(self) -> str | None:
        value = self.query_one("#status", Select).value
        return value if isinstance(value, str) else None

    def _clear_errors(self) -> None:
        for error in self.query(".field-error"):
            if isinstance(error, Static):
                error.update("")
                error.display = False

    def _show_error(self, key: str, text: str) -> None:
        target = self.query_one(f"#{key}-error" if key != "form" else "#form-error", Static)
        target.update(text)
        target.display = True

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#move")
    @on(Input.Submitted)
    def _submit(self) -> None:
        self._clear_errors()
        target = self._target()
        if target is None:
            self._show_error("status", "status: pick the next status")
            return
        values = {key: self.query_one(f"#{key}", Input).value.strip() for key, _, _ in FIELDS}
        shown = {key for key, _, _ in FIELDS if self.query_one(f"#field-{key}").display}
        problems: list[str] = []
        closing: date | None = None
        sale: int | None = None
        rate: Decimal | None = None
        if "closing_date" in shown and values["closing_date"]:
            try:
                closing = date.fromisoformat(values["closing_date"])
            except ValueError:
                problems.append("closing_date: must be a date (YYYY-MM-DD)")
        if "sale_price" in shown and values["sale_price"]:
            digits = values["sale_price"].replace(",", "").replace("$", "").strip()
            if digits.isdigit():
                sale = int(digits)
            else:
                problems.append("sale_price: must be whole dollars, e.g. 472000")
        if "commission_rate" in shown and values["commission_rate"]:
            try:
                rate = Decimal(values["commission_rate"].rstrip("%").strip())
            except InvalidOperation:
                problems.append("commission_rate: must be a percent, e.g. 3 or 2.5")
        reason = values["reason"] if "reason" in shown and values["reason"] else None
        if problems:
            self._show_problems(problems)
            return
        self.query_one("#move", Button).disabled = True
        referral_id, now = self.referral.id, now_of(self)
        write(
            self,
            lambda desk: desk.change_status(
                referral_id,
                target,
                now,
                sale_price=sale,
                commission_rate=rate,
                closing_date=closing,
                reason=reason,
            ),
        )

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.query_one("#move", Button).disabled = False
        self._show_problems(list(message.lines()))

    @on(Written)
    def _done(self, message: Written[ReferralView]) -> None:
        self.dismiss(StatusChanged(message.result, message.revision))

    def _show_problems(self, problems: list[str]) -> None:
        """Each `field: message` goes under its field; anything else under the form."""
        by_key: dict[str, list[str]] = {}
        for problem in problems:
            key = problem.split(":", 1)[0].strip()
            if key not in ("status", *(name for name, _, _ in FIELDS)) or (
                key != "status" and not self.query_one(f"#field-{key}").display
            ):
                key = "form"
            by_key.setdefault(key, []).append(problem)
        for key, lines in by_key.items():
            self._show_error(key, "\n".join(lines))
