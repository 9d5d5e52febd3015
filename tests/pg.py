"""A throwaway PostgreSQL server, so the engine and CLI suites also run on PostgreSQL.

`TEST_DATABASE_URL` (a `postgresql+psycopg://…` URL whose user may create
databases) names a server CI has already started. Without it the session
starts its own: `initdb` in a fresh `/tmp/pgci.XXXXXX` folder (as the
`postgres` user when the tests run as root, since PostgreSQL refuses to run as
root), on a free loopback port, with `fsync=off`; it is stopped and removed when
the session ends. When no server can be had, every PostgreSQL test is skipped
with the reason — except under `CI=true`, where that is a failure, so CI can
never pass without having run them.

The desk schema is migrated once, into a template database; each test then gets
its own database with `CREATE DATABASE … TEMPLATE`, which costs milliseconds
and isolates tests as completely as a fresh SQLite file does.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

URL_ENV = "TEST_DATABASE_URL"
"""A server to use instead of starting one (CI starts it in `.ci/run`)."""

PG_USER = "postgres"
"""Who runs the server when the tests run as root."""


class Unavailable(Exception):
    """No PostgreSQL server can be had; the message says why."""


@dataclass
class PostgresServer:
    """A server the tests may create and drop databases on.

    Databases are made one ahead, and dropped, by a single background thread
    with its own connection: while one test runs, the next one's database is
    being copied, so a test rarely waits for `CREATE DATABASE`.
    """

    url: str
    """SQLAlchemy URL of the maintenance database (`…/postgres`)."""
    template: str = ""
    """The migrated database every test's database is copied from."""
    _connections: dict[str, Any] = field(default_factory=dict)
    _names: Iterator[int] = field(default_factory=itertools.count)
    _worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-tests")
    )
    _next: Future[str] | None = None

    def url_of(self, database: str) -> str:
        """The SQLAlchemy URL of another database on this server."""
        from sqlalchemy.engine import make_url

        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    def execute(self, statement: str) -> None:
        """Runs one statement outside a transaction (CREATE/DROP DATABASE need that).

        Each thread has its own connection: psycopg connections are not shared.
        """
        thread = threading.current_thread().name
        connection = self._connections.get(thread)
        if connection is None or connection.closed:
            import psycopg
            from sqlalchemy.engine import make_url

            conninfo = make_url(self.url).set(drivername="postgresql")
            connection = psycopg.connect(
                conninfo.render_as_string(hide_password=False), autocommit=True
            )
            self._connections[thread] = connection
        connection.execute(statement)

    def make_template(self) -> None:
        """Creates the template database at the current schema (through the real migrations)."""
        from referral_desk.engine.storage.store import open_store

        self.template = f"rd_template_{os.getpid()}"
        self.execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self.execute(f"CREATE DATABASE {self.template}")
        open_store(self.url_of(self.template)).dispose()

    def create_database(self) -> str:
        """A new database copied from the template (made ahead); returns its name."""
        ahead = self._next or self._worker.submit(self._create)
        name = ahead.result()
        self._next = self._worker.submit(self._create)
        return name

    def _create(self) -> str:
        name = f"rd_test_{os.getpid()}_{next(self._names)}"
        # FILE_COPY (PostgreSQL 15+) copies a small template ten times faster than WAL_LOG.
        strategy = " STRATEGY FILE_COPY" if self._server_version() >= 150000 else ""
        self.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}{strategy}")
        return name

    def _server_version(self) -> int:
        self.execute("SELECT 1")
        return int(self._connections[threading.current_thread().name].info.server_version)

    def drop_database(self, name: str) -> None:
        """Drops a database (in the background), even if a connection was left open on it."""
        self._worker.submit(self.execute, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        """Drops what is left (the database made ahead, the template); closes connections."""
        if self._next is not None and self._next.exception() is None:
            self.drop_database(self._next.result())
        if self.template:
            self.drop_database(self.template)
        self._worker.shutdown(wait=True)
        for connection in self._connections.values():
            connection.close()


def find_binary(name: str) -> str | None:
    """A PostgreSQL server binary: on PATH, else the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = {
        int(Path(path).parts[-3]): path
        for path in glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
        if Path(path).parts[-3].isdigit()
    }
    return versions[max(versions)] if versions else None


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayServer:
    """A PostgreSQL cluster in a temporary folder, started and stopped by the tests."""

    def __init__(self) -> None:
        initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
        if initdb is None or pg_ctl is None:
            raise Unavailable(
                "PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql-15 "
                f"or set {URL_ENV}"
            )
        self.initdb, self.pg_ctl = initdb, pg_ctl
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(PG_USER)
            except KeyError:
                raise Unavailable(
                    f"running as root and there is no {PG_USER!r} user to run PostgreSQL as; "
                    f"set {URL_ENV}"
                ) from None
            runuser = shutil.which("runuser")
            if runuser is None:
                raise Unavailable(f"running as root without runuser; set {URL_ENV}")
            self.run_as = [runuser, "-u", PG_USER, "--"]
        self.folder = Path(tempfile.mkdtemp(prefix="pgci.", dir="/tmp"))
        self.data = self.folder / "data"
        self.port = 0
        self.watchdog: subprocess.Popen[bytes] | None = None

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.run_as, *command],
            capture_output=True,
            text=True,
            cwd="/",
            timeout=120,
            check=False,
        )

    def start(self) -> str:
        """initdb, then pg_ctl start on a free port; returns the server's URL."""
        if self.run_as:
            shutil.chown(self.folder, user=PG_USER)
        self.folder.chmod(0o700)
        init_options = ["-N", "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]
        made = self._run(self.initdb, *init_options, "-D", str(self.data))
        if made.returncode != 0:
            raise Unavailable(f"initdb failed: {_last_line(made)}")
        for _attempt in range(3):  # a port taken between the probe and the start: try another
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            started = self._run(
                self.pg_ctl, "-D", str(self.data), "-l", str(self.folder / "log"),
                "-o", options, "-w", "-t", "60", "start",
            )  # fmt: skip
            if started.returncode == 0:
                self._watch()
                return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        log = self.folder / "log"
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        raise Unavailable(f"pg_ctl start failed: {_last_line(started)} {' '.join(tail)}".strip())

    def _watch(self) -> None:
        """A watchdog that stops the server if this test process dies without cleaning up.

        pytest killed by a signal runs no finalizer; without this its server
        would keep running, and its folder would stay in /tmp, until reboot.
        """
        stop = " ".join(
            shlex.quote(part)
            for part in [*self.run_as, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"]
        )
        data, folder = shlex.quote(str(self.data)), shlex.quote(str(self.folder))
        script = (
            f"while kill -0 {os.getpid()} 2>/dev/null && [ -d {data} ]; do sleep 2; done; "
            f"cd / && {stop} >/dev/null 2>&1; rm -rf {folder}"
        )
        self.watchdog = subprocess.Popen(
            ["sh", "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> None:
        """Stops the server (fast shutdown), its watchdog, and removes its folder."""
        if (self.data / "postmaster.pid").exists():
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop")
        if self.watchdog is not None:
            self.watchdog.kill()
            self.watchdog.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    return lines[-1] if lines else f"exit {result.returncode}"


def _unavailable(reason: str) -> None:
    from referral_desk.engine.storage.connect import shown_url

    url = os.environ.get(URL_ENV, "")
    if url:
        reason = reason.replace(url, shown_url(url))
    message = " ".join(f"PostgreSQL tests need a server: {reason}".split())
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: CI must run them)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> PostgresServer:
    """The session's PostgreSQL server, with a migrated template database."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test,postgres]')")
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        try:
            throwaway = ThrowawayServer()
            request.addfinalizer(throwaway.stop)
            url = throwaway.start()
        except (Unavailable, OSError, subprocess.SubprocessError) as error:
            _unavailable(str(error))
    server = PostgresServer(url)
    request.addfinalizer(server.close)
    try:
        server.make_template()
    except Exception as error:
        _unavailable(f"cannot prepare a database on {url}: {error}")
    return server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test; dropped afterwards."""
    name = postgres_server.create_database()
    yield postgres_server.url_of(name)
    postgres_server.drop_database(name)


@pytest.fixture
def empty_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh PostgreSQL database with no desk schema at all (for migration tests)."""
    name = f"rd_empty_{os.getpid()}_{next(postgres_server._names)}"
    postgres_server.execute(f"CREATE DATABASE {name}")
    yield postgres_server.url_of(name)
    postgres_server.drop_database(name)
