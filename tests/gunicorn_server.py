"""The production server (gunicorn) started on a free loopback port against the test database,
for tests that need real worker processes (killed workers, concurrent requests). It shares the
test process's settings through the environment, so both read and write the same data with the
same keys, and it is stopped (with its workers) when the block ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def database_url() -> str:
    """The URL of the database the tests use (pytest-django's test database)."""
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("gunicorn tests run on PostgreSQL (mark them postgres_only)")
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}"
        f"/{settings['NAME']}"
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def workers(self) -> list[int]:
        """The process ids of the running workers (the master's children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within a minute:\n{log.read_text()}")


@contextmanager
def gunicorn(
    tmp: Path, *, workers: int = 3, extra: dict[str, str] | None = None
) -> Iterator[Server]:
    port = free_port()
    env = dict(os.environ)
    env.update(
        WAYHOME_DATABASE_URL=database_url(),
        WAYHOME_DB_CONN_MAX_AGE="0",
        PYTHONUNBUFFERED="1",
        **(extra or {}),
    )
    log = tmp / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield Server(url, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
