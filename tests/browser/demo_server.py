"""What ``make run`` does, in a temporary folder: migrate a fresh SQLite file, ``seed_demo``, and
``runserver`` on a free port. Used by the browser tests and by ``scripts/screenshot``.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django_otp.oath import totp

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("WAYHOME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class DemoServer:
    url: str
    passwords: dict[str, str]  # demo e-mail -> password printed by seed_demo


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _manage(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def parse_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"(\S+@demo\.wayhome\.org)\s*\|\s*(\S+)", output))


@contextmanager
def demo_server(tmp: Path, *, require_mfa: bool = True) -> Iterator[DemoServer]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYHOME_")}
    env.update(
        WAYHOME_DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        WAYHOME_VAR_DIR=str(tmp),
        WAYHOME_REQUIRE_MFA="1" if require_mfa else "0",
        WAYHOME_DEBUG="1",
        PYTHONUNBUFFERED="1",
    )
    _manage(["migrate", "--no-input", "--verbosity", "0"], env)
    passwords = parse_passwords(_manage(["seed_demo"], env))
    port = _free_port()
    log = (tmp / "runserver.log").open("w")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "runserver did not start:\n" + (tmp / "runserver.log").read_text()
                )
            time.sleep(0.2)
        yield DemoServer(url=url, passwords=passwords)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def totp_from_secret(secret: str) -> str:
    """The current code for a base32 secret, as an authenticator app computes it."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    return str(totp(key)).zfill(6)


def sign_in_and_enrol(page: Any, server: DemoServer, email: str) -> None:
    """Signs in with the printed password and enrols TOTP with the key shown on the page."""
    page.goto(server.url + "/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", email)
    page.fill("#id_password", server.passwords[email])
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/mfa/enrol/")
    secret = page.inner_text("#mfa-secret").strip()
    page.fill("#id_code", totp_from_secret(secret))
    page.click("main form button.primary")
    page.wait_for_url(server.url + "/")
