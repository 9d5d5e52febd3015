"""Import a roster CSV: pick the file, import all of it or none of it.

The engine refuses a file with any bad row and names every one
(`row 7: email: …`); a team lead fixing a spreadsheet needs the whole list at
once, so the modal keeps it on screen instead of flashing the first line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, DirectoryTree, Input, Label, Static

from ..engine import DeskError, InvalidInput
from ..widgets.form_field import FormField
from .common import announce_write, desk_of, now_of

__all__ = ["CsvTree", "PathSuggester", "RosterImportScreen"]


def _completion(value: str) -> str | None:
    """The first directory entry completing a typed path (folders and .csv files)."""
    typed = Path(value).expanduser()
    folder, prefix = (typed, "") if value.endswith(("/", "\\")) else (typed.parent, typed.name)
    try:
        names = sorted(entry.name + ("/" if entry.is_dir() else "") for entry in folder.iterdir())
    except OSError:
        return None
    for name in names:
        if (
            name.startswith(prefix)
            and name != prefix
            and (name.endswith("/") or name.lower().endswith(".csv"))
        ):
            return value + name[len(prefix) :]
    return None


class PathSuggester(Suggester):
    """Suggests the rest of a file path as it is typed (→ accepts), off the event loop."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        return await asyncio.to_thread(_completion, value)


class CsvTree(DirectoryTree):
    """A folder tree showing only folders and CSV files."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path
            for path in paths
            if not path.name.startswith(".") and (path.is_dir() or path.suffix.lower() == ".csv")
        ]


class RosterImportScreen(ModalScreen[tuple[int, int] | None]):
    """Picks a CSV and imports it; dismisses with (created, updated), or None."""

    DEFAULT_CSS = """
    RosterImportScreen {
        align: center middle;
    }
    RosterImportScreen > Vertical {
        width: 100;
        max-width: 100%;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    RosterImportScreen .import--title {
        text-style: bold;
    }
    RosterImportScreen .import--note {
        color: $text-muted;
    }
    RosterImportScreen CsvTree {
        height: 1fr;
        min-height: 3;
        background: $surface;
    }
    RosterImportScreen #import-problems {
        height: auto;
        max-height: 50%;
        border: round $error;
        display: none;
    }
    RosterImportScreen #import-problems.-shown {
        display: block;
    }
    RosterImportScreen #import-problems Static {
        color: $error;
    }
    RosterImportScreen #import-buttons {
        height: auto;
        align-horizontal: right;
    }
    RosterImportScreen #import-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "import_file",
            "Import",
            tooltip="Import the chosen file",
            id="roster-import.import",
        ),
        Binding(
            "escape",
            "cancel",
            "Cancel",
            tooltip="Close without importing",
            id="roster-import.cancel",
        ),
    ]

    @dataclass
    class Imported(Message):
        """The whole file was imported."""

        created: int
        updated: int
        revision: int

    @dataclass
    class Refused(Message):
        """The file was refused (nothing imported); every problem it has."""

        problems: tuple[str, ...]

    def __init__(self, start: Path | None = None) -> None:
        """`start` is the folder the tree opens in (default: the working folder)."""
        super().__init__()
        self.start = start or Path.cwd()
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Import a roster CSV", classes="import--title")
            yield Static(
                "Columns as in `partners import` (id, name, metros, price_max required). "
                "An id already on the roster updates that agent. A file with any bad row "
                "imports nothing.",
                classes="import--note",
            )
            path = Input(
                placeholder="path/to/roster.csv  (→ completes, Enter imports)",
                suggester=PathSuggester(),
                id="import-path",
                compact=True,
            )
            yield FormField("File", path, key="file")
            yield CsvTree(self.start, id="import-tree")
            with VerticalScroll(id="import-problems"):
                yield Static("", id="import-problems-text", markup=False)
            with Horizontal(id="import-buttons"):
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Button("Import (ctrl+s)", id="import", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#import-path", Input).value = str(event.path)
        self.query_one("#import", Button).focus()

    @on(Input.Submitted, "#import-path")
    def _submitted(self) -> None:
        self.action_import_file()

    @on(Button.Pressed, "#import")
    def _import_pressed(self) -> None:
        self.action_import_file()

    def action_import_file(self) -> None:
        """Reads the file and imports it, all or nothing."""
        if self._busy:
            return
        text = self.query_one("#import-path", Input).value.strip()
        field = self.query_one(FormField)
        if not text:
            field.show_errors(["type a path or pick a file in the tree"])
            return
        field.clear_errors()
        self._busy = True
        self._import(Path(text).expanduser(), now_of(self))

    @work(thread=True, exclusive=True, group="roster-import", exit_on_error=False)
    def _import(self, path: Path, now: datetime) -> None:
        desk = desk_of(self)
        try:
            csv_text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            self.post_message(self.Refused(("file: is not UTF-8 text (save it as CSV UTF-8)",)))
            self._busy = False
            return
        except OSError as error:
            self.post_message(self.Refused((f"file: cannot read it ({error.strerror})",)))
            self._busy = False
            return
        try:
            created, updated = desk.import_roster(csv_text, now)
            self.post_message(self.Imported(created, updated, desk.revision()))
        except InvalidInput as error:
            self.post_message(self.Refused(error.problems))
        except DeskError as error:
            self.post_message(self.Refused((str(error),)))
        finally:
            self._busy = False

    @on(Imported)
    def _imported(self, message: Imported) -> None:
        announce_write(self, message.revision)
        self.dismiss((message.created, message.updated))

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        problems = message.problems
        if len(problems) == 1 and problems[0].startswith("file: cannot read"):
            self.query_one(FormField).show_errors([problems[0].removeprefix("file: ")])
        count = len(problems)
        text = (
            f"The file was refused — nothing was imported. "
            f"{count} problem{'s' if count != 1 else ''}:\n" + "\n".join(problems)
        )
        self.query_one("#import-problems-text", Static).update(text)
        box = self.query_one("#import-problems")
        box.add_class("-shown")
        box.scroll_home(animate=False)
        self.notify(
            f"Nothing imported: {count} problem{'s' if count != 1 else ''} in the file.",
            title="Roster import refused",
            severity="error",
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Closes without importing."""
        self.dismiss(None)
