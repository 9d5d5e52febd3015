"""The house's own rules: short modules, an engine API that says what it exports, and
no text built at run time read as markup.

import-linter (`lint-imports`, contracts in pyproject.toml) checks which room
imports which; these check what it cannot.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import referral_desk.engine

PACKAGE = Path(referral_desk.engine.__file__).resolve().parent.parent
MODULE_LINES_MAX = 400


def test_no_module_outside_the_migrations_exceeds_400_lines() -> None:
    """A module that grows past 400 lines is split by what it does (migrations are
    generated, and left as Alembic wrote them)."""
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES_MAX
    }
    assert long == {}


def test_the_engines_public_api_names_each_export_once_and_every_one_loads() -> None:
    """`referral_desk.engine` lists its exports three times by necessity (for the type
    checker, for the lazy loader, for `import *`); the three agree and each name loads."""
    engine = referral_desk.engine
    tree = ast.parse(Path(engine.__file__ or "").read_text(encoding="utf-8"))
    checked = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }
    homes = {name for names in engine._HOMES.values() for name in names}
    assert checked == homes == set(engine.__all__)
    assert len(engine.__all__) == len(set(engine.__all__))
    for module, names in engine._HOMES.items():
        home = importlib.import_module(module, "referral_desk.engine")
        for name in names:
            assert getattr(engine, name) is getattr(home, name)


SHOWS_MARKUP = frozenset({"notify", "Static", "Label"})
"""Calls that read a `str` as Textual markup unless told `markup=False`."""


def _reads_built_text_as_markup(call: ast.Call) -> bool:
    """Whether a call shows a text built at run time (not a literal) as markup."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in SHOWS_MARKUP or not call.args:
        return False
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return False
    return not any(
        keyword.arg == "markup"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is False
        for keyword in call.keywords
    )


def test_no_toast_static_or_label_reads_a_text_built_at_run_time_as_markup() -> None:
    """Names, notes and the desk's messages (which quote what was typed) reach toasts and
    labels in f-strings: each such call passes `markup=False`, or a `[/]` in a name
    crashes the app (see `referral_desk/widgets/plain.py`). Literals may use markup."""
    offenders = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if not {"engine", "cli"} & set(path.relative_to(PACKAGE).parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and _reads_built_text_as_markup(node)
    ]
    assert offenders == []


def test_every_routing_module_imports_first_in_a_fresh_interpreter() -> None:
    """Routing's modules import each other (dispatch and the modes it hands to): whichever a
    script or a test imports first, the cycle must resolve."""
    folder = Path(__file__).resolve().parent.parent / "referral_desk/engine/desk/routing"
    for module in sorted(path.stem for path in folder.glob("*.py") if path.stem != "__init__"):
        name = f"referral_desk.engine.desk.routing.{module}"
        done = subprocess.run(
            [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, (name, done.stderr[-400:])
