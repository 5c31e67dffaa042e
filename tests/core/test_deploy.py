"""Production serving: gunicorn with config/gunicorn.conf.py, the PostgreSQL connection pool,
Prometheus multiprocess metrics across workers, and the bench view."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from wayhome.core.metrics import metric_value

BASE_DIR = Path(__file__).resolve().parents[2]
TOKEN = "gunicorn-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _database_url() -> str:
    """The test database this test runs on, as a URL a gunicorn process can use (PostgreSQL), or
    an empty string for SQLite (the server then makes its own file under its var directory)."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        return ""
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def get(
        self, path: str, headers: dict[str, str] | None = None, timeout: float = 60
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, headers=headers or {})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def scrape(self) -> str:
        status, body = self.get("/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        return body.decode()


def start_gunicorn(tmp_path: Path, **env: str) -> Server:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WAYHOME_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    environment.update(
        {
            "WAYHOME_BIND": f"127.0.0.1:{port}",
            "WAYHOME_WEB_WORKERS": "2",
            "WAYHOME_WEB_THREADS": "2",
            "WAYHOME_VAR_DIR": str(tmp_path / "var"),
            "WAYHOME_METRICS_TOKEN": TOKEN,
            "WAYHOME_BENCH": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),  # made by on_starting
        }
    )
    if url := _database_url():
        environment["WAYHOME_DATABASE_URL"] = url
    environment.update(env)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=BASE_DIR,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    # Each worker imports the whole application before its first answer: on a busy shared
    # machine that can take half a minute.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn exited:\n" + log.read_text())
        try:
            if server.get("/healthz", timeout=120)[0] == 200:
                # Warm the other worker too (each answers a share of the requests that follow).
                for _ in range(4):
                    server.get("/healthz", timeout=120)
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise AssertionError("gunicorn did not answer /healthz in time:\n" + log.read_text())


def stop(server: Server) -> int:
    server.process.send_signal(signal.SIGTERM)  # graceful shutdown
    try:
        return server.process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        raise


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Iterator[Server]:
    """One server for the module (starting Django in each worker takes seconds): two workers of
    two threads, on the test database, pooling its connections when that is PostgreSQL."""
    server = start_gunicorn(
        tmp_path_factory.mktemp("gunicorn"), WAYHOME_DB_POOL_MAX="3", WAYHOME_DB_POOL_MIN="1"
    )
    yield server
    assert stop(server) == 0


def test_gunicorn_serves_healthz_and_stops_gracefully(gunicorn: Server) -> None:
    status, body = gunicorn.get("/healthz?secret-query=Maria")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}
    status, body = gunicorn.get("/bench/bare")
    assert (status, json.loads(body)) == (200, {"ok": True})
    log = gunicorn.log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert "secret-query" not in log  # the access log leaves query strings out
    assert "Maria" not in log


def test_metrics_add_up_across_workers(gunicorn: Server) -> None:
    labels = {"route": "/healthz", "method": "GET", "status": "2xx"}
    before = metric_value(gunicorn.scrape(), "wayhome_http_requests_total", labels)
    for _ in range(20):
        assert gunicorn.get("/healthz")[0] == 200
    text = gunicorn.scrape()
    assert metric_value(text, "wayhome_http_requests_total", labels) - before == 20
    assert gunicorn.get("/metrics")[0] == 404
    assert gunicorn.get("/metrics", {"Authorization": "Bearer nope"})[0] == 404


@pytest.mark.postgres_only
def test_pooled_connections_serve_requests(gunicorn: Server) -> None:
    for _ in range(10):
        assert gunicorn.get("/healthz")[0] == 200
    text = gunicorn.scrape()
    held = metric_value(text, "wayhome_db_pool_connections")
    assert 1 <= held <= 2 * 3  # two workers, three connections each at most
    assert metric_value(text, "wayhome_db_pool_requests_waiting") == 0
    # The queue is measured through the pool too (the test database is migrated).
    assert metric_value(text, "wayhome_tasks", {"status": "ready"}) == 0
    assert "wayhome_tasks_oldest_ready_age_seconds" in text


def test_pool_metrics_only_with_a_pool(gunicorn: Server) -> None:
    text = gunicorn.scrape()
    if connection.vendor == "postgresql":
        assert metric_value(text, "wayhome_db_pool_connections") >= 1
    else:
        assert metric_value(text, "wayhome_db_pool_connections") == 0  # SQLite: no pool


# --- settings -----------------------------------------------------------------------------------


def _settings_with(**env: str) -> dict[str, Any]:
    """``DATABASES["default"]`` as config/settings.py makes it from these variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WAYHOME_")}
    environment.update(env)
    code = (
        "import json; from config import settings; d = settings.DATABASES['default']; "
        "print(json.dumps({'options': d.get('OPTIONS', {}), 'max_age': d['CONN_MAX_AGE']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        check=True,
        text=True,
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


PG = "postgres://wayhome@db.internal:5432/wayhome"


def test_pool_is_configured_from_the_environment(tmp_path: Path) -> None:
    var = str(tmp_path)
    pooled = _settings_with(
        WAYHOME_DATABASE_URL=PG,
        WAYHOME_DB_POOL_MAX="12",
        WAYHOME_DB_POOL_MIN="3",
        WAYHOME_VAR_DIR=var,
    )
    assert pooled["options"]["pool"] == {"min_size": 3, "max_size": 12, "timeout": 10}
    assert pooled["max_age"] == 0  # Django refuses persistent connections with a pool


def test_no_pool_by_default(tmp_path: Path) -> None:
    plain = _settings_with(WAYHOME_DATABASE_URL=PG, WAYHOME_VAR_DIR=str(tmp_path))
    assert "pool" not in plain["options"]
    assert plain["max_age"] == 60
    sqlite = _settings_with(WAYHOME_DB_POOL_MAX="5", WAYHOME_VAR_DIR=str(tmp_path))
    assert "pool" not in sqlite["options"]  # SQLite has no pool


def test_pool_minimum_never_exceeds_the_maximum(tmp_path: Path) -> None:
    pooled = _settings_with(
        WAYHOME_DATABASE_URL=PG, WAYHOME_DB_POOL_MAX="1", WAYHOME_VAR_DIR=str(tmp_path)
    )
    assert pooled["options"]["pool"]["min_size"] == 1


def test_production_static_files_use_whitenoise_manifest(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WAYHOME_")}
    environment.update(
        {
            "WAYHOME_PRODUCTION": "1",
            "WAYHOME_SECRET_KEY": "x" * 50,
            "WAYHOME_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
            "WAYHOME_BLIND_INDEX_KEY": "B" * 43 + "=",
            "WAYHOME_AUDIT_KEY": "C" * 43 + "=",
            "WAYHOME_VAR_DIR": str(tmp_path),
            "WAYHOME_S3_BUCKET": "wayhome-blobs",
            "WAYHOME_S3_ENDPOINT_URL": "https://s3.example.org",
        }
    )
    code = (
        "import json; from config import settings; s = settings.STORAGES; "
        "print(json.dumps([s['staticfiles']['BACKEND'], s['blobs']['BACKEND'], "
        "s['blobs']['OPTIONS']['default_acl'], s['blobs']['OPTIONS']['endpoint_url']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        check=True,
        text=True,
    )
    assert json.loads(result.stdout) == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "storages.backends.s3.S3Storage",
        None,
        "https://s3.example.org",
    ]


def test_bench_view_is_not_routed_by_default(client: Any, db: None) -> None:
    assert client.get("/bench/bare").status_code == 404


def test_locust_runs_headless_against_gunicorn(gunicorn: Server, tmp_path: Path) -> None:
    """``make load`` in small: five seconds of the bare-view user, statistics as CSV."""
    prefix = tmp_path / "load"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            "bench/locustfile.py",
            "--headless",
            "--host",
            gunicorn.url,
            "--users",
            "4",
            "--spawn-rate",
            "4",
            "--run-time",
            "5s",
            "--stop-timeout",
            "5",
            "--csv",
            str(prefix),
            "BareUser",
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    assert int(rows["/bench/bare"]["Request Count"]) >= 4
    assert int(rows["/bench/bare"]["Failure Count"]) == 0


def _gunicorn_settings(**env: str) -> dict[str, Any]:
    """The names config/gunicorn.conf.py defines, read in a fresh process with these variables."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WAYHOME_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    environment.update(env)
    code = (
        "import json, os, runpy; c = runpy.run_path('config/gunicorn.conf.py'); "
        "names = ['bind', 'workers', 'threads', 'worker_class', 'timeout', 'graceful_timeout', "
        "'max_requests', 'max_requests_jitter', 'forwarded_allow_ips', 'access_log_format', "
        "'preload_app']; out = {n: c[n] for n in names}; "
        "out['multiproc'] = os.environ['PROMETHEUS_MULTIPROC_DIR']; print(json.dumps(out))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        check=True,
        text=True,
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_gunicorn_defaults() -> None:
    conf = _gunicorn_settings()
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert 1 <= conf["workers"] <= 8
    assert (conf["threads"], conf["worker_class"]) == (4, "gthread")
    assert (conf["timeout"], conf["graceful_timeout"]) == (60, 30)
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (2000, 200)
    assert conf["forwarded_allow_ips"] == ""  # trust no X-Forwarded-* unless behind a proxy
    assert "%(U)s" in conf["access_log_format"]  # the path alone
    assert "%(r)s" not in conf["access_log_format"]  # the request line would carry the query
    assert "%(q)s" not in conf["access_log_format"]
    assert conf["preload_app"] is False
    made = Path(conf["multiproc"])  # a fresh private directory when the operator names none
    assert made.is_dir()
    assert made.name.startswith("wayhome-metrics-")
    made.rmdir()


def test_gunicorn_from_the_environment(tmp_path: Path) -> None:
    conf = _gunicorn_settings(
        WAYHOME_BIND="unix:/run/wayhome/web.sock, 10.0.0.11:8000",
        WAYHOME_WEB_WORKERS="3",
        WAYHOME_WEB_THREADS="1",
        WAYHOME_WEB_MAX_REQUESTS="500",
        WAYHOME_BEHIND_PROXY="1",
        WAYHOME_FORWARDED_ALLOW_IPS="10.0.0.2",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    assert conf["bind"] == ["unix:/run/wayhome/web.sock", "10.0.0.11:8000"]
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 1, "sync")
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (500, 50)
    assert conf["forwarded_allow_ips"] == "10.0.0.2"
    assert conf["multiproc"] == str(tmp_path)  # the operator's directory is kept
