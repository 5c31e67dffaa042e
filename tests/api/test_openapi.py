"""The OpenAPI document and the server-rendered docs page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.api.test_views import INLINE
from wayhome.api import api as api_module

pytestmark = pytest.mark.django_db


def test_openapi_document(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"] == {
        "title": "Wayhome API",
        "version": "1",
        "description": schema["info"]["description"],
    }
    me = schema["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"BearerAuth": []}]
    assert schema["components"]["securitySchemes"]["BearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert "200" in me["responses"]
    assert "401" in me["responses"]


#: The only operations open without a token: the public portal's (rate-limited, fuzzed).
PUBLIC_PREFIX = "/api/v1/public/"


def test_every_operation_needs_a_token_unless_it_says_so() -> None:
    schema = api_module.api.get_openapi_schema()
    public = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if path.startswith(PUBLIC_PREFIX):
                public += 1
                assert not operation.get("security"), f"{method.upper()} {path}"
                assert 429 in operation["responses"] or "429" in operation["responses"], (
                    f"{method.upper()} {path} has no limit"
                )
            else:
                assert operation.get("security"), f"{method.upper()} {path} is open to anyone"
    assert public >= 5


def test_routers_are_mounted_from_the_list() -> None:
    assert isinstance(api_module.ROUTERS, list)
    for prefix, dotted in api_module.ROUTERS:
        assert prefix.startswith("/")
        assert dotted.endswith(".router")


def test_ninja_docs_pages_are_off(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" not in html.lower()
    # No asset from a CDN ("cdn." with its dot: the page's random CSRF token may hold "cdn").
    assert "cdn." not in html.lower()
    assert re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", html) is None


def test_docs_page_lists_operations_without_inline_script(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert not INLINE.search(html)
    assert "<code>GET /api/v1/me</code>" in html
    assert "The token&#x27;s user" in html or "The token's user" in html
    assert 'href="/api/v1/openapi.json"' in html
    assert "Bearer token" in html
    assert re.search(r'<html lang="en"', html)


def _schema_classes(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_schema_classes(sub)}
    return found


def test_schema_names_are_unique() -> None:
    """The OpenAPI document names each schema by its class name: two schemas of the same name in
    different apps would silently describe one endpoint with the other's fields."""
    from collections import Counter

    from ninja import Schema

    api_module.api.get_openapi_schema()  # imports every router and its schemas
    names = Counter(
        schema.__name__
        for schema in _schema_classes(Schema)
        if schema.__module__.startswith("wayhome.")
    )
    assert {name: n for name, n in names.items() if n > 1} == {}
