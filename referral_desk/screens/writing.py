"""One way for a screen to write through the desk: a thread worker and a message pair.

Every screen that saves something does the same things around its own desk
call: run it off the UI thread (a write takes a transaction and may wait on a
lock), tell a slip in the input (`InvalidInput`, one `field: message` per
problem, to mark at its field) from the desk refusing the act (any other
`DeskError`), and hand the answer back to the screen on its own thread. `write`
does that once for all of them and posts `Written` or `Refused` to the screen
that asked; the screen says what happened in its own words. Anything that is not
a `DeskError` is a bug: it fails the worker, as in any other worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker, WorkerState

from ..engine import DeskError, InvalidInput
from .common import desk_of

if TYPE_CHECKING:
    from ..engine import Desk

__all__ = ["WRITE_GROUP", "Refused", "Written", "attempt_each", "write", "writing"]

ResultT = TypeVar("ResultT")
KeyT = TypeVar("KeyT")

WRITE_GROUP = "desk-write"
"""The worker group of every write (tests wait for it as for any other worker)."""


@dataclass
class Written(Message, Generic[ResultT], bubble=False):
    """The desk accepted a write: what it returned, and the desk's revision after it.

    Goes to the screen that started the write and no further (a modal's writes
    are not the screen's below). The screen passes `revision` to `announce_write`
    when it has changed something, so every screen re-reads now.
    """

    what: str
    """The screen's words for the write: a tag telling its writes apart, or the line
    it shows when the write lands."""
    result: ResultT
    """What the desk call returned (the saved agent, the stored referral, …)."""
    revision: int
    """The desk's change counter after the write."""


@dataclass
class Refused(Message, bubble=False):
    """The desk refused a write, and stored nothing of it.

    Not the engine's `Refused` error (a move the rules do not allow now): this
    message carries whichever `DeskError` came back, that one included.
    """

    what: str
    """The screen's words for the write, as given to `write`."""
    error: DeskError
    """Why: `InvalidInput` for slips in what was typed, another `DeskError` otherwise."""

    @property
    def problems(self) -> tuple[str, ...]:
        """The `field: message` slips when the input was refused, for the form to mark
        at their fields; none when the desk refused the act itself."""
        return self.error.problems if isinstance(self.error, InvalidInput) else ()

    def lines(self, field: str = "") -> tuple[str, ...]:
        """What a form lists: the input's slips, or else the desk's one line.

        Args:
            field: When given, the desk's line comes as `field: line`, so a form
                that sorts lines by field (`problems_by_field`) puts it there.
        """
        if isinstance(self.error, InvalidInput):
            return self.error.problems
        return (f"{field}: {self.error}" if field else str(self.error),)


def write(node: DOMNode, call: Callable[[Desk], ResultT], what: str = "") -> Worker[None]:
    """Runs one desk write in a thread worker; posts `Written` or `Refused` to `node`.

    Writes are never exclusive: cancelling a thread worker does not stop its
    write, it only loses the answer, so each write runs to its end and is
    answered. A screen that must not start a second one asks `writing` first.

    Args:
        node: The screen to answer (a desk screen or a modal).
        call: The desk call, given the desk; read what it needs from widgets
            before, never inside it (it runs off the UI thread).
        what: The screen's words for the write (see `Written.what`).
    """
    desk = desk_of(node)

    def run() -> None:
        try:
            result = call(desk)
            revision = desk.revision()
        except DeskError as error:
            node.post_message(Refused(what, error))
            return
        node.post_message(Written(what, result, revision))

    return node.run_worker(
        run, name=f"write {what}".strip(), group=WRITE_GROUP, thread=True, exit_on_error=False
    )


def writing(node: DOMNode) -> bool:
    """Whether a write `node` started is still running: a form asks before it starts
    another, so a second ctrl+s while the first is on its way saves once."""
    return any(
        worker.node is node
        and worker.group == WRITE_GROUP
        and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for worker in node.workers
    )


def attempt_each(
    calls: Mapping[KeyT, Callable[[], ResultT]],
) -> tuple[dict[KeyT, ResultT], dict[KeyT, tuple[str, ...]]]:
    """Runs every call, keeping what each accepted one returned and each refused one's slips.

    Why: a form checked field by field (two dates, a page of settings) marks
    every slip at once; stopping at the first would have the user fix them one
    save at a time. Only slips are kept: any other `DeskError` stops the run, as
    it stops a write.

    Returns:
        The results by key, and the `field: message` problems by key.
    """
    results: dict[KeyT, ResultT] = {}
    problems: dict[KeyT, tuple[str, ...]] = {}
    for key, call in calls.items():
        try:
            results[key] = call()
        except InvalidInput as error:
            problems[key] = error.problems
    return results, problems
