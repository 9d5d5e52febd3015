"""One desk, two backends: the same commands print the same documents on SQLite and PostgreSQL.

The demo desk (45 referrals in every state, fees, tasks, flags, an outbox) is
seeded on both at one fixed moment, the clock is run, and every read command
is compared byte for byte: ordering, times, money and counts must not depend
on where the desk lives.
"""

from __future__ import annotations

import functools
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from referral_desk.cli import entry as cli

pytestmark = pytest.mark.postgres

NOW = "2026-11-23T14:00:00Z"
READS = [
    ["queue", "--json"],
    ["sources", "--json"],
    ["partners", "list", "--json"],
    ["partners", "export", "-"],
    ["flags", "--json"],
    ["thanks", "--json"],
    ["outbox", "--json"],
    ["settings", "--json"],
    ["report", "--quarter", "2026-Q4", "--format", "json"],
    ["report", "--quarter", "2026-Q4", "--format", "csv"],
]


def run(database: str, *arguments: str) -> str:
    """One command on one desk; its stdout (it must succeed)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--db", database, "--now", NOW, *arguments])
    assert code == 0, err.getvalue()
    return out.getvalue()


def test_the_demo_desk_reads_the_same_on_sqlite_and_postgresql(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read command, and every referral's `show`, prints the same on both backends."""
    monkeypatch.setattr(cli, "build_parser", functools.cache(cli.build_parser))
    desks = {"sqlite": str(tmp_path / "demo.db"), "postgresql": postgres_url}
    printed: dict[str, list[str]] = {}
    for backend, database in desks.items():
        run(database, "demo", "--seed-only")
        outputs = [run(database, "clock", "--once", "--json")]
        outputs += [run(database, *command) for command in READS]
        outputs += [run(database, "show", f"R-{n:06d}", "--json") for n in range(1, 46)]
        printed[backend] = outputs
    assert json.loads(printed["sqlite"][-1])["id"] == "R-000045"
    for sqlite_text, postgresql_text in zip(printed["sqlite"], printed["postgresql"], strict=True):
        assert sqlite_text == postgresql_text
