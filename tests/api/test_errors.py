"""Every error under /api/v1/ has the one shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from ninja import NinjaAPI, Schema

from wayhome.api.auth import bearer_auth
from wayhome.api.errors import install_error_handlers
from wayhome.api.models import ApiToken
from wayhome.api.services import token_revoke

pytestmark = pytest.mark.django_db


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert "Traceback" not in response.content.decode()
    return dict(body["error"])


# A second API built like the real one (same auth and error handlers), mounted under /api/v1/ in
# a test URLconf, with a body to validate and an operation that crashes. The real API is left as
# it is, so that the isolation test and the OpenAPI document do not see these.
class Payload(Schema):
    name: str
    count: int


probe_api = NinjaAPI(urls_namespace="probe", docs_url=None, auth=bearer_auth)
install_error_handlers(probe_api)


@probe_api.post("/probe")
def probe_post(request: HttpRequest, payload: Payload) -> dict[str, str]:
    return {"name": payload.name}


@probe_api.get("/crash")
def probe_crash(request: HttpRequest) -> dict[str, str]:
    raise RuntimeError("secret-canary-value in a stack trace")


urlpatterns = [path("api/v1/test-probe/", probe_api.urls), path("", include("config.urls"))]


@pytest.fixture
def probe_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def test_missing_token(api_client: Client) -> None:
    response = api_client.get("/api/v1/me")
    error_of(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer wh_not-a-real-token-at-all-0000000000000000000", "Bearer ", "Basic dXNlcjpwYXNz", "x"],
)
def test_bad_token(api_client: Client, bearer: str, header: str) -> None:
    response = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    error_of(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_with_right_prefix_and_wrong_rest(api_client: Client, bearer: str) -> None:
    secret = bearer.removeprefix("Bearer ")
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    response = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {forged}")
    error_of(response, 401, "unauthorized")


def test_revoked_token(api_client: Client, bearer: str) -> None:
    assert api_client.get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 200
    token_revoke(actor=None, token=ApiToken.objects.get())
    error_of(api_client.get("/api/v1/me", HTTP_AUTHORIZATION=bearer), 401, "unauthorized")


def test_expired_token(api_client: Client, bearer: str) -> None:
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    error_of(api_client.get("/api/v1/me", HTTP_AUTHORIZATION=bearer), 401, "unauthorized")


def test_inactive_user(api_client: Client, bearer: str, token_user: Any) -> None:
    token_user.is_active = False
    token_user.save()
    error_of(api_client.get("/api/v1/me", HTTP_AUTHORIZATION=bearer), 401, "unauthorized")


def test_unknown_route(api_client: Client, bearer: str) -> None:
    error_of(api_client.get("/api/v1/no-such-thing", HTTP_AUTHORIZATION=bearer), 404, "not_found")
    error_of(api_client.get("/api/v1/"), 404, "not_found")


def test_wrong_method(api_client: Client, bearer: str) -> None:
    response = api_client.delete("/api/v1/me", HTTP_AUTHORIZATION=bearer)
    error_of(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_malformed_json(api_client: Client, bearer: str, probe_urls: None) -> None:
    response = api_client.post(
        "/api/v1/test-probe/probe",
        data=b'{"name": "x", ',
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer,
    )
    error_of(response, 400, "malformed_json")


def test_validation_error_lists_fields_without_values(
    api_client: Client, bearer: str, probe_urls: None
) -> None:
    response = api_client.post(
        "/api/v1/test-probe/probe",
        data={"name": "Canary Personalname", "count": "not-a-number-canary"},
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer,
    )
    error = error_of(response, 422, "validation_error")
    assert [(d["location"], d["field"]) for d in error["details"]] == [("body", "count")]
    assert "canary" not in response.content.decode().lower()


def test_validation_error_for_a_missing_field(
    api_client: Client, bearer: str, probe_urls: None
) -> None:
    response = api_client.post(
        "/api/v1/test-probe/probe",
        data={"count": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer,
    )
    error = error_of(response, 422, "validation_error")
    assert error["details"] == [
        {"location": "body", "field": "name", "message": "Field required", "type": "missing"}
    ]


@pytest.mark.parametrize("debug", [False, True])
def test_server_error_has_the_shape_and_no_stack_trace(
    api_client: Client, bearer: str, probe_urls: None, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    response = api_client.get("/api/v1/test-probe/crash", HTTP_AUTHORIZATION=bearer)
    error_of(response, 500, "server_error")
    assert b"canary" not in response.content


def test_non_api_pages_keep_their_own_errors(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
