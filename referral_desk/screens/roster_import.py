"""Import a roster CSV: pick the file, import all of it or none of it.

The engine refuses a file with any bad row and names every one
(`row 7: email: …`); a team lead fixing a spreadsheet needs the whole list at
once, so the modal keeps it on screen instead of flashing the first line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, DirectoryTree, Input, Label, Static

from ..engine import InvalidInput
from ..widgets.form_field import FormField
from .common import announce_write, now_of
from .writing import Refused, Written, write, writing

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


def _read_csv(path: Path) -> str:
    """The file's text; a file that cannot be read is refused like a bad row, naming the
    file (`file: …`), so the modal shows it under the path with nothing imported."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(("file: is not UTF-8 text (save it as CSV UTF-8)",)) from None
    except OSError as error:
        raise InvalidInput((f"file: cannot read it ({error.strerror})",)) from None


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

    def __init__(self, start: Path | None = None) -> None:
        """`start` is the folder the tree opens in (default: the working folder)."""
        super().__init__()
        self.start = start or Path.cwd()

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
        if writing(self):
            return
        text = self.query_one("#import-path", Input).value.strip()
        field = self.query_one(FormField)
        if not text:
            field.show_errors(["type a path or pick a file in the tree"])
            return
        field.clear_errors()
        path, now = Path(text).expanduser(), now_of(self)
        write(self, lambda desk: desk.import_roster(_read_csv(path), now))

    @on(Written)
    def _imported(self, message: Written[tuple[int, int]]) -> None:
        announce_write(self, message.revision)
        self.dismiss(message.result)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        problems = message.lines()
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
            markup=False,
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Closes without importing."""
        self.dismiss(None)
