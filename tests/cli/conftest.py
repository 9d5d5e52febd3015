"""What the CLI tests share: a command run in this process, and what it did."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from referral_desk.cli import entry as cli


@dataclass
class Run:
    """What one in-process command did."""

    code: int
    out: str
    err: str

    def refused_naming(self, field: str) -> None:
        """Exit 2, nothing on stdout, one printable stderr line that starts with the field."""
        assert self.code == 2, (self.code, self.err)
        assert self.out == ""
        lines = self.err.splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"{field}: must "), lines[0]
        assert all(ch.isprintable() for ch in lines[0]), repr(lines[0])


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """`referral-desk ARGS…` in this process (the parser built once: it costs 50 ms)."""
    monkeypatch.setattr(cli, "build_parser", functools.cache(cli.build_parser))

    def run(*arguments: str | Path) -> Run:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main([str(argument) for argument in arguments])
        return Run(code, out.getvalue(), err.getvalue())

    return run
