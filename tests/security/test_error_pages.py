"""Error pages are generic with DEBUG off: no stack trace, settings, SQL or paths, on the pages
and in the API. ASVS 5.0 V16.5.1 (generic error messages), V13.4.2 (debug modes off)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.routes import response_body
from tests.security.error_urls import SECRET_DETAIL
from wayhome.api import api as api_module

pytestmark = pytest.mark.django_db

#: What a debug page or a leaked exception would show.
TELLTALES = (
    "Traceback",
    'File "',
    "site-packages",
    "django.",
    "SECRET_KEY",
    "DATABASES",
    "SELECT ",
    "Exception Value",
    "Request Method",
    "/work/",
    "/srv/",
    "canary-7f3a",
)


def assert_generic(body: bytes, status: int) -> None:
    text = body.decode(errors="replace")
    found = [telltale for telltale in TELLTALES if telltale in text]
    assert found == [], (status, found)
    assert str(django_settings.BASE_DIR) not in text
    assert SECRET_DETAIL not in text


@pytest.mark.urls("tests.security.error_urls")
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/test-errors/500/", 500),
        ("/test-errors/database/", 500),
        ("/test-errors/403/", 403),
        ("/test-errors/400/", 400),
        ("/no-such-page/", 404),
        ("/people/00000000-0000-0000-0000-000000000000/", 404),
    ],
)
def test_error_pages_are_generic(
    path: str, status: int, settings: Any, personas: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(personas.manager_a)
    response = client.get(path)
    assert response.status_code == status
    assert_generic(response_body(response), status)


def test_a_bad_host_answers_a_generic_400(settings: Any) -> None:
    settings.DEBUG = False
    response = Client(HTTP_HOST="attacker.example").get("/accounts/login/")
    assert response.status_code == 400
    assert_generic(response.content, 400)
    assert b"attacker.example" not in response.content


def test_a_csrf_failure_answers_a_generic_403(personas: Any, settings: Any) -> None:
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.manager_a)
    response = client.post("/accounts/office/", {"office": str(personas.office_a.pk)})
    assert response.status_code == 403
    assert_generic(response.content, 403)
    assert b"CSRF_COOKIE" not in response.content


def test_an_api_server_error_answers_the_generic_error_shape(
    bearer: str, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DEBUG = False

    def fail(role: Any) -> Any:
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(api_module, "permissions_of", fail)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=bearer)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert_generic(response.content, 500)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/v1/no-such-operation", None, 404),
        ("DELETE", "/api/v1/me", None, 405),
        ("POST", "/api/v1/people/search", "{not json", 400),
        ("POST", "/api/v1/people/search", '{"q": 12345678901234567890}', 422),
    ],
)
def test_api_errors_are_generic(
    bearer: str, method: str, path: str, body: str | None, status: int, settings: Any
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": bearer}
    if body is None:
        response = client.generic(method, path, **extra)
    else:
        response = client.generic(method, path, body, content_type="application/json", **extra)
    assert response.status_code == status
    assert set(response.json()) == {"error"}
    assert_generic(response.content, status)
    assert not re.search(rb"line \d+", response.content)
