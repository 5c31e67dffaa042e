"""Gunicorn settings for Wayhome: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Every value comes from a ``WAYHOME_*`` variable with a default fit for one small server
(docs/operations.md lists them). Gunicorn reads this file in its master process before any
worker starts.

Prometheus multiprocess mode: every worker writes its counters to files in
``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them up. The variable must be set before
``prometheus_client`` is first imported, so it is set here (a fresh private directory unless the
operator names one, e.g. systemd's ``/run/wayhome/metrics``), emptied when gunicorn starts, and a
dead worker's live gauges are dropped in ``child_exit``. This file must not import
``prometheus_client`` at module level: the workers forked from the master would inherit a
single-process client.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

PREFIX = "WAYHOME_"


def _str(name: str, default: str) -> str:
    return os.environ.get(PREFIX + name, "").strip() or default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(PREFIX + name, "").strip()
    return int(raw) if raw else default


def _bool(name: str) -> bool:
    return os.environ.get(PREFIX + name, "").strip().lower() in {"1", "true", "yes", "on"}


# Where to listen: a local address behind nginx (or unix:/run/wayhome/gunicorn.sock).
bind = [address.strip() for address in _str("BIND", "127.0.0.1:8000").split(",")]

# Workers: processes x threads. Requests mostly wait on PostgreSQL, so a few threads per process
# help; the database pool (WAYHOME_DB_POOL_MAX) should hold at least as many connections as
# threads per process.
workers = _int("WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("WEB_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# Timeouts: a request running longer than this is killed (the worker restarts); keep-alive with
# the proxy; a stopping worker gets this long to finish its requests (SIGTERM: graceful).
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("WEB_KEEPALIVE", 5)

# Recycle each worker after about this many requests (a slow leak cannot grow for ever); the
# jitter keeps the workers from restarting all at once.
max_requests = _int("WEB_MAX_REQUESTS", 2000)
max_requests_jitter = _int("WEB_MAX_REQUESTS_JITTER", max(max_requests // 10, 1))

# Refuse oversized request lines and headers early.
limit_request_line = 8190
limit_request_fields = 100

# Logs to stderr (journald). The access log shows the path without its query string (filters and
# search terms stay out of the logs), the status, the size, the time taken and the request id.
accesslog = "-"
errorlog = "-"
loglevel = _str("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'

# Behind a proxy (WAYHOME_BEHIND_PROXY): trust X-Forwarded-* from it only. Otherwise from nobody.
_PROXY_ADDRESSES = _str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
forwarded_allow_ips = _PROXY_ADDRESSES if _bool("BEHIND_PROXY") else ""

# Load the application in each worker, not in the master: no database connection or pool is
# shared across a fork, and a code upgrade needs only a graceful reload (SIGHUP).
preload_app = False

# No control socket (gunicorn 27's gunicornc): systemd manages the server with signals
# (SIGHUP reloads, SIGTERM stops gracefully, SIGTTIN/SIGTTOU add or remove a worker), and one
# shared default path would collide between instances on one host.
control_socket_disable = True

# Prometheus multiprocess mode (see the module docstring).
_MADE_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _MADE_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="wayhome-metrics-")


def on_starting(server: Any) -> None:
    """Empties the metrics directory: counters of a previous run would be added to this one's."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def on_exit(server: Any) -> None:
    """Removes the metrics directory this file made (an operator's own directory is kept)."""
    if _MADE_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def child_exit(server: Any, worker: Any) -> None:
    """Drops the live gauges (requests in flight, pool sizes) of a worker that has exited."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    """Imports every view before the worker takes requests (Django loads the URL configuration
    on the first request otherwise, which then waits seconds): a failing import stops the worker
    here, and the first request is as fast as the others."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
