"""Every error under /api/v1/ has the one shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path
from django.utils import timezone
from ninja import Router, Schema

from wayhome.api.api import build_api
from wayhome.api.middleware import ApiErrorShapeMiddleware
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


# The API as ``build_api`` makes it, with one more router listed the way apps list theirs in
# ``ROUTERS``: a body to validate and an operation that crashes. It is mounted at /api/v1/ in a
# test URLconf only, so the real API (and the isolation test, and its OpenAPI document) never
# see these operations.
class Payload(Schema):
    name: str
    count: int


probe = Router()


@probe.post("/probe")
def probe_post(request: HttpRequest, payload: Payload) -> dict[str, str]:
    return {"name": payload.name}


@probe.get("/crash")
def probe_crash(request: HttpRequest) -> dict[str, str]:
    raise RuntimeError("secret-canary-value in a stack trace")


probe_api = build_api([("/test-probe", f"{__name__}.probe")], urls_namespace="probe")
urlpatterns = [path("api/v1/", probe_api.urls), path("", include("config.urls"))]


def test_a_router_listed_like_in_routers_is_mounted_with_auth() -> None:
    schema = probe_api.get_openapi_schema(path_prefix="/api/v1/")
    assert schema["paths"]["/api/v1/test-probe/probe"]["post"]["security"] == [{"BearerAuth": []}]
    assert "/api/v1/me" in schema["paths"]


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


def answering(response: HttpResponse) -> Callable[[HttpRequest], HttpResponse]:
    def get_response(request: HttpRequest) -> HttpResponse:
        return response

    return get_response


def test_middleware_shapes_any_plain_error_under_api_v1_only() -> None:
    factory = RequestFactory()
    for status, code in [(403, "forbidden"), (500, "server_error"), (401, "unauthorized")]:
        plain = HttpResponse("<h1>Traceback: secret-canary</h1>", status=status)
        middleware = ApiErrorShapeMiddleware(answering(plain))
        response = middleware(factory.get("/api/v1/anything"))
        error_of(response, status, code)
        assert b"canary" not in response.content
        assert middleware(factory.get("/people/")) is plain
    ok = HttpResponse("fine")
    assert ApiErrorShapeMiddleware(answering(ok))(factory.get("/api/v1/x")) is ok
