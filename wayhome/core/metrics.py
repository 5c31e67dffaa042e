"""Prometheus metrics: requests by route pattern, latency, in-flight requests, the task queue.

Requests are labelled with the URL *route pattern* the resolver matched
(``/cases/<uuid:case_id>/``), never the raw path, so that no id, reference or name ever becomes a
label; static files share ``/static/*`` and paths that match no route ``<unmatched>``. The task
queue (django-tasks-db) is measured when ``/metrics`` is scraped, the database pool after each
request.

Several gunicorn workers each count their own requests: with ``PROMETHEUS_MULTIPROC_DIR`` set
(``config/gunicorn.conf.py`` sets it) the counters live in files there and any worker answering
a scrape adds them up; the gunicorn ``child_exit`` hook marks a dead worker's files.

``/metrics`` is deny by default: it answers 404 unless ``WAYHOME_METRICS_TOKEN`` is set and the
request carries ``Authorization: Bearer <token>`` (compared in constant time). It needs no
session, and says nothing about people or offices.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

UNMATCHED = "<unmatched>"

REQUESTS = Counter(
    "wayhome_http_requests",
    "HTTP requests answered, by route pattern, method and status class.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "wayhome_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
IN_FLIGHT = Gauge(
    "wayhome_http_requests_in_flight",
    "HTTP requests being answered now.",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "wayhome_db_pool_connections",
    "Connections held by the database pools of the live workers (psycopg-pool).",
    multiprocess_mode="livesum",
)
POOL_AVAILABLE = Gauge(
    "wayhome_db_pool_connections_available",
    "Idle connections in the database pools of the live workers.",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "wayhome_db_pool_requests_waiting",
    "Requests waiting for a connection from the pools of the live workers.",
    multiprocess_mode="livesum",
)

_STATIC_PREFIX = "/" + str(settings.STATIC_URL).strip("/") + "/"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_of(request: HttpRequest) -> str:
    """The route pattern of the request (``/cases/<uuid:case_id>/``, never its path), ``/static/*``
    for static files, or ``<unmatched>``."""
    match = getattr(request, "resolver_match", None)
    if match is None and request.path_info.startswith(_STATIC_PREFIX):
        return "/static/*"  # answered by whitenoise, before any view
    if match is None:
        # A middleware answered before the view was resolved (a redirect to sign in, a 404 for
        # a partner user): resolve the path only to name its pattern.
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return UNMATCHED
    return "/" + match.route


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


def _record_pool() -> None:
    """Sets the pool gauges of this process from the default database's pool, if pooled."""
    pool = getattr(connections["default"], "pool", None)
    if pool is None:
        return
    stats = pool.get_stats()
    POOL_SIZE.set(stats.get("pool_size", 0))
    POOL_AVAILABLE.set(stats.get("pool_available", 0))
    POOL_WAITING.set(stats.get("requests_waiting", 0))


class MetricsMiddleware:
    """Counts and times every request by route pattern, method and status class."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        IN_FLIGHT.inc()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            IN_FLIGHT.dec()
            method = request.method if request.method in _METHODS else "other"
            labels = (route_of(request), method, _status_class(status))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - start)
            _record_pool()


class QueueCollector(Collector):
    """The task queue (django-tasks-db) at scrape time: tasks ready and running (finished ones
    are history, not queue), and the age of the oldest task waiting to run."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            families = list(self._families())
        except DatabaseError:  # a database down or not migrated yet: the rest still answers
            logger.warning("task queue metrics unavailable: the database did not answer")
            return
        yield from families

    def _families(self) -> Iterator[GaugeMetricFamily]:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        by_status = GaugeMetricFamily(
            "wayhome_tasks",
            "Tasks in the database queue waiting (ready) or running.",
            labels=["status"],
        )
        waiting = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
        counts = dict(
            DBTaskResult.objects.filter(status__in=waiting)
            .order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        for status in waiting:
            by_status.add_metric([status.value.lower()], counts.get(status.value, 0))
        yield by_status
        oldest = DBTaskResult.objects.ready().aggregate(oldest=Min("enqueued_at"))["oldest"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "wayhome_tasks_oldest_ready_age_seconds",
            "Seconds the oldest task ready to run has waited (0 when none waits).",
            value=max(age, 0.0),
        )


def exposition() -> bytes:
    """The metrics text: every worker's counters (multiprocess mode) or this process's, then the
    values measured now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    now = CollectorRegistry()
    now.register(QueueCollector())
    return counted + generate_latest(now)


def _authorised(request: HttpRequest) -> bool:
    token: str = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@csrf_exempt
@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format for a bearer of ``WAYHOME_METRICS_TOKEN``; 404 for anyone else."""
    if not _authorised(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def metric_value(text: str, name: str, labels: dict[str, str] | None = None) -> float:
    """One sample's value from an exposition (0 when absent): for tests and the bench harness."""
    from prometheus_client.parser import text_string_to_metric_families

    wanted = labels or {}
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in wanted.items()):
                total += sample.value
    return total
