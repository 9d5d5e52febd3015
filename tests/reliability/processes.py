"""Real `referral-desk` processes for the reliability tests, started together on cue.

Starting a Python process costs far more than the race a test wants to
provoke, so each process imports everything first, says it is ready, and waits
for the cue; the cue is given once every process is ready, so their commands
really do hit the database at the same moment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

RUNNER = """
import sys, time
from pathlib import Path
from referral_desk.cli import build_parser, main

folder, name, repeat = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
build_parser()  # every command imported before the cue
(folder / f"ready-{name}").touch()
while not (folder / "go").exists():
    time.sleep(0.0005)
codes = [main(sys.argv[4:]) for _ in range(repeat)]
sys.exit(next((code for code in codes if code), 0))
"""
"""Runs one command `repeat` times once `go` appears; exits as its first failed run did
(with the command's own exit code), or 0 when every run succeeded."""


@dataclass
class Finished:
    """What one process did."""

    code: int
    out: str
    err: str

    def documents(self) -> list[Any]:
        """Every JSON document the process printed, in order."""
        decoder, text, position, found = json.JSONDecoder(), self.out, 0, []
        while True:
            while position < len(text) and text[position].isspace():
                position += 1
            if position >= len(text):
                return found
            document, position = decoder.raw_decode(text, position)
            found.append(document)


def environment(**extra: str) -> dict[str, str]:
    """This environment, the checkout importable, no debug tracebacks, and `extra`."""
    return {**os.environ, "PYTHONPATH": str(REPO), "REFERRAL_DESK_DEBUG": "", **extra}


def run_together(
    folder: Path,
    commands: list[list[str]],
    repeat: int = 1,
    extra_env: dict[str, str] | None = None,
    timeout: float = 180,
) -> list[Finished]:
    """Starts one process per command, waits until all are ready, cues them, collects them."""
    folder.mkdir(parents=True, exist_ok=True)
    env = environment(**(extra_env or {}))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(folder), str(index), str(repeat), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=folder,
        )
        for index, command in enumerate(commands)
    ]
    deadline = time.monotonic() + 60
    while not all((folder / f"ready-{index}").exists() for index in range(len(commands))):
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            for process in processes:
                process.kill()
            details = [process.communicate()[1][-500:] for process in processes]
            raise AssertionError(f"processes did not get ready: {details}")
        time.sleep(0.01)
    (folder / "go").touch()
    finished = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        finished.append(Finished(process.returncode, out, err))
    return finished


def start_command(
    arguments: list[str], extra_env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """`python -m referral_desk ARGS…` in the background (output discarded)."""
    return subprocess.Popen(
        [sys.executable, "-m", "referral_desk", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(**(extra_env or {})),
        cwd=REPO,
    )


def run_command(arguments: list[str], extra_env: dict[str, str] | None = None) -> Finished:
    """`python -m referral_desk ARGS…`, waited for."""
    result = subprocess.run(
        [sys.executable, "-m", "referral_desk", *arguments],
        capture_output=True,
        text=True,
        env=environment(**(extra_env or {})),
        cwd=REPO,
        timeout=300,
        check=False,
    )
    return Finished(result.returncode, result.stdout, result.stderr)
