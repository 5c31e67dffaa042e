"""Prometheus /metrics (wayhome.core.metrics): deny by default, route patterns, the task queue."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas, client_for
from wayhome.core.metrics import metric_value

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def _scrape(client: Client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_404_when_no_token_is_configured(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_404_without_or_with_a_wrong_token(client: Client, token: str) -> None:
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}x").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_signed_in_users_without_the_token_get_404(personas: Personas, token: str) -> None:
    for user in (personas.caseworker_a, personas.partner):
        assert client_for(user).get("/metrics").status_code == 404


def test_no_session_is_needed_even_when_mfa_is_required(
    client: Client, token: str, settings: Any, personas: Personas
) -> None:
    settings.REQUIRE_MFA = True
    signed_in = client_for(personas.caseworker_a)  # signed in, never verified MFA
    response = signed_in.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_request_counters_move_by_route_pattern(client: Client, token: str) -> None:
    labels = {"route": "/healthz", "method": "GET", "status": "2xx"}
    before = _scrape(client)
    for _ in range(3):
        assert client.get("/healthz?name=Maria").status_code == 200
    after = _scrape(client)
    assert metric_value(after, "wayhome_http_requests_total", labels) - metric_value(
        before, "wayhome_http_requests_total", labels
    ) == pytest.approx(3)
    count = "wayhome_http_request_duration_seconds_count"
    assert metric_value(after, count, labels) - metric_value(before, count, labels) == 3
    assert "Maria" not in after


def test_paths_with_ids_are_labelled_by_their_pattern(
    personas: Personas, token: str, client: Client
) -> None:
    case_id = uuid.uuid4()
    client_for(personas.caseworker_a).get(f"/cases/{case_id}/")
    text = _scrape(client)
    assert str(case_id) not in text
    assert 'route="/cases/<uuid:case_id>/"' in text


def test_unmatched_paths_share_one_label(client: Client, token: str) -> None:
    client.get("/no-such-page/Maria-Nunez")
    text = _scrape(client)
    assert "Maria" not in text
    assert (
        metric_value(text, "wayhome_http_requests_total", {"route": "<unmatched>", "status": "4xx"})
        >= 1
    )


def test_in_flight_gauge_is_back_to_zero(client: Client, token: str) -> None:
    client.get("/healthz")
    # The scrape itself is in flight while it is measured.
    assert metric_value(_scrape(client), "wayhome_http_requests_in_flight") == 1


def test_task_queue_depth_and_oldest_age(client: Client, token: str) -> None:
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()

    def task(status: str, age_minutes: int) -> None:
        row = DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="wayhome.core.tasks.nothing",
            backend_name="default",
            run_after=now - timedelta(minutes=age_minutes),
        )
        DBTaskResult.objects.filter(pk=row.pk).update(
            enqueued_at=now - timedelta(minutes=age_minutes)
        )

    task("READY", 10)
    task("READY", 2)
    task("RUNNING", 1)
    task("SUCCESSFUL", 60)
    text = _scrape(client)
    assert metric_value(text, "wayhome_tasks", {"status": "ready"}) == 2
    assert metric_value(text, "wayhome_tasks", {"status": "running"}) == 1
    age = metric_value(text, "wayhome_tasks_oldest_ready_age_seconds")
    assert 600 <= age < 700


def test_empty_queue_reports_zero(client: Client, token: str) -> None:
    text = _scrape(client)
    assert metric_value(text, "wayhome_tasks", {"status": "ready"}) == 0
    assert metric_value(text, "wayhome_tasks_oldest_ready_age_seconds") == 0
    assert "wayhome_tasks_oldest_ready_age_seconds 0.0" in text


def test_home_and_static_files_have_their_own_labels(client: Client, token: str) -> None:
    client.get("/")
    client.get("/static/no-such-file.css")
    text = _scrape(client)
    assert metric_value(text, "wayhome_http_requests_total", {"route": "/"}) >= 1
    assert metric_value(text, "wayhome_http_requests_total", {"route": "/static/*"}) >= 1
