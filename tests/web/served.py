"""A real `referral-desk serve` on a free loopback port, for the tests that need one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    """A running `serve` process and where it listens."""

    process: subprocess.Popen[str]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def start_serve(db: Path | str, port: int, log: Path, *extra: str) -> Served:
    """Starts `referral-desk --db DB serve --port PORT` and waits until it answers."""
    command = [sys.executable, "-m", "referral_desk", "--db", str(db), "serve", "--port",
               str(port), *extra]  # fmt: skip
    handle = log.open("w", encoding="utf-8")
    process = subprocess.Popen(
        command, stdout=handle, stderr=subprocess.STDOUT, text=True, env=dict(os.environ)
    )
    served = Served(process, port, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited: {log.read_text(encoding='utf-8')}")
        try:
            urllib.request.urlopen(f"{served.base}/o/probe", timeout=1)
        except urllib.error.HTTPError:
            return served  # a 404: it answers
        except OSError:
            time.sleep(0.1)
    served.stop()
    raise RuntimeError(f"serve did not answer: {log.read_text(encoding='utf-8')}")
