"""Routes and objects for the tests generated from the URL configuration and the OpenAPI documents.

Shared by tests/test_isolation.py (office isolation) and tests/test_query_budget.py (query
budgets). :func:`collect_routes` walks Django's URL resolver (every pattern, included ones too)
and the OpenAPI document of every ninja API mounted in it:

- :func:`object_routes`: routes with a path parameter named ``<entity>_id``; their objects are
  made by :func:`make_objects` with the factory named ``<Entity>Factory`` (:func:`factory_name`,
  found by :func:`all_factories` in ``tests/factories.py`` and ``tests/<app>/factories.py``),
  called with ``office=`` the owning office and, for a later id, the objects of the earlier ones.
- :func:`list_routes`: GET routes without path parameters (UI and API) and API operations that
  search with a POSTed ``{"q": ...}``, except those in ``SKIP_LISTS``.

:func:`ui_url` and :func:`api_request` make a request to a route (the API with a body made
from the schema by :func:`sample_value`); :class:`Viewer` is a user with a signed-in session
and a bearer token.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import factory
from django.db import models
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from ninja import NinjaAPI

from tests.conftest import client_for
from wayhome.accounts.models import User
from wayhome.api.services import token_issue

TESTS_DIR = Path(__file__).resolve().parent
ID_PARAM = re.compile(r"^(?P<entity>[a-z][a-z0-9_]*)_id$")
DJANGO_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
OPENAPI_PARAM = re.compile(r"{(?P<name>\w+)}")
UI_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SAMPLE_BY_CONVERTER = {"int": "1", "slug": "x", "str": "x", "path": "x"}

# GET routes without parameters that the list check does not fetch, by URL name, with the reason.
SKIP_LISTS: dict[str, str] = {
    "accounts:logout": (
        "signs the session out (were GET ever allowed), so that the requests after it would "
        "read the sign-in page and pass for the wrong reason"
    ),
}


@dataclass(frozen=True)
class Route:
    kind: str  # "ui" or "api"
    template: str  # "/api/tokens/<uuid:token_id>/revoke/" or "/api/v1/things/{thing_id}"
    name: str  # URL name (UI) or operation id (API), for messages and SKIP_LISTS
    methods: tuple[str, ...]
    params: tuple[str, ...]  # path parameter names, left to right
    operations: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, hash=False)
    components: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id_params(self) -> tuple[str, ...]:
        return tuple(name for name in self.params if ID_PARAM.match(name))

    @property
    def test_id(self) -> str:
        if self.kind == "ui":
            return f"ui:{self.template}"
        return f"api:{'|'.join(self.methods)} {self.template}"


# --- collecting routes --------------------------------------------------------------------------


def _pattern_text(pattern: URLPattern | URLResolver) -> str:
    text = str(pattern.pattern)
    if text.startswith("^"):  # a regex pattern: keep its literal text
        text = text.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    return text


def _api_of(resolver: URLResolver) -> NinjaAPI | None:
    """The NinjaAPI behind ``api.urls`` (its views are partials given ``api=``)."""
    if resolver.app_name != "ninja":
        return None
    for pattern in resolver.url_patterns:
        callback = getattr(pattern, "callback", None)
        if isinstance(callback, functools.partial) and isinstance(
            callback.keywords.get("api"), NinjaAPI
        ):
            return callback.keywords["api"]
    return None


def _walk(
    patterns: Iterable[URLPattern | URLResolver], prefix: str, namespace: str
) -> Iterator[tuple[str, str, NinjaAPI | None]]:
    """(route, URL name, api) for every Django pattern; (api root, "", api) for each ninja API."""
    for pattern in patterns:
        route = prefix + _pattern_text(pattern)
        if isinstance(pattern, URLResolver):
            api = _api_of(pattern)
            if api is not None:
                yield route, "", api
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else route
            yield route, name, None


def _api_routes(api: NinjaAPI, root: str) -> Iterator[Route]:
    schema = api.get_openapi_schema(path_prefix=root)
    components = schema.get("components", {}).get("schemas", {})
    for path, item in schema["paths"].items():
        operations = {
            method.upper(): operation
            for method, operation in item.items()
            if method in {"get", "post", "put", "patch", "delete"}
        }
        yield Route(
            kind="api",
            template=path,
            name=" ".join(op.get("operationId", "") for op in operations.values()),
            methods=tuple(sorted(operations)),
            params=tuple(OPENAPI_PARAM.findall(path)),
            operations=operations,
            components=components,
        )


def collect_routes(urlconf: str | None = None) -> list[Route]:
    routes: list[Route] = []
    for route, name, api in _walk(get_resolver(urlconf).url_patterns, "/", ""):
        if api is not None:
            routes.extend(_api_routes(api, route))
        else:
            params = tuple(match["name"] for match in DJANGO_PARAM.finditer(route))
            routes.append(Route("ui", route, name, UI_METHODS, params))
    return routes


def object_routes(urlconf: str | None = None) -> list[Route]:
    return [route for route in collect_routes(urlconf) if route.id_params]


def searches_by_post(route: Route) -> bool:
    """An API operation that searches with a POSTed ``{"q": ...}`` (so that no name reaches a
    URL): its request body has a property ``q``."""
    operation = route.operations.get("POST") or {}
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = route.components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return "q" in schema.get("properties", {})


def list_routes(urlconf: str | None = None) -> list[Route]:
    return [
        route
        for route in collect_routes(urlconf)
        if not route.params
        and ("GET" in route.methods or searches_by_post(route))
        and route.name not in SKIP_LISTS
    ]


# --- factories ----------------------------------------------------------------------------------


def factory_name(param: str) -> str:
    """``travel_document_id`` -> ``TravelDocumentFactory``."""
    match = ID_PARAM.match(param)
    assert match, param
    return "".join(part.capitalize() for part in match["entity"].split("_")) + "Factory"


@functools.cache
def all_factories() -> dict[str, type[factory.base.BaseFactory[Any]]]:
    found: dict[str, type[factory.base.BaseFactory[Any]]] = {}
    paths = [TESTS_DIR / "factories.py", *sorted(TESTS_DIR.glob("*/factories.py"))]
    for path in paths:
        module_name = ".".join(path.relative_to(TESTS_DIR.parent).with_suffix("").parts)
        module = importlib.import_module(module_name)
        for attr, value in vars(module).items():
            if (
                attr.endswith("Factory")
                and isinstance(value, type)
                and issubclass(value, factory.base.BaseFactory)
            ):
                found.setdefault(attr, value)
    return found


def missing_factory_message(route: Route, param: str) -> str:
    name = factory_name(param)
    return (
        f"{route.test_id}: no factory for the path parameter {param!r}. Add {name} to "
        f"tests/<app>/factories.py: a factory_boy factory called {name} that accepts office= "
        "(the office owning the object) and makes an object this route serves, so that the "
        "isolation test can check that another office gets 404 (tests/test_isolation.py)."
    )


@dataclass
class Made:
    objects: dict[str, models.Model]  # path parameter -> object
    problems: list[str]


def make_objects(route: Route, office: Any) -> Made:
    factories = all_factories()
    made = Made({}, [])
    for param in route.id_params:
        found = factories.get(factory_name(param))
        if found is None:
            made.problems.append(missing_factory_message(route, param))
            continue
        declared = set(found._meta.declarations)
        related = {
            ID_PARAM.match(earlier)["entity"]: obj  # type: ignore[index]
            for earlier, obj in made.objects.items()
            if ID_PARAM.match(earlier)["entity"] in declared  # type: ignore[index]
        }
        made.objects[param] = found.create(office=office, **related)
    return made


def objects_of_every_factory(routes: Iterable[Route], office: Any) -> list[models.Model]:
    """One object of office A per entity of the object routes (those with a factory)."""
    factories = all_factories()
    names = sorted({factory_name(p) for route in routes for p in route.id_params})
    return [factories[name].create(office=office) for name in names if name in factories]


# --- requests -----------------------------------------------------------------------------------


def _sample_path_value(converter: str | None, value: Any) -> str:
    if value is not None:
        return str(value.pk)
    return SAMPLE_BY_CONVERTER.get(converter or "str", str(uuid.uuid4()))


def ui_url(route: Route, objects: dict[str, models.Model]) -> str:
    def fill(match: re.Match[str]) -> str:
        return _sample_path_value(match["converter"], objects.get(match["name"]))

    return DJANGO_PARAM.sub(fill, route.template)


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def sample_value(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A value valid for a JSON schema: its example if it has one, else one made from its type."""
    schema = _resolve(schema, components)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for combined in ("anyOf", "oneOf", "allOf"):
        if schema.get(combined):
            options = [o for o in schema[combined] if o.get("type") != "null"] or schema[combined]
            return sample_value(options[0], components, depth + 1)
    kind = schema.get("type", "object")
    fmt = schema.get("format", "")
    if kind == "object" and depth < 8:
        return {
            name: sample_value(prop, components, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1.0, schema.get("minimum", 1.0))
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return {
        "uuid": str(uuid.uuid4()),
        "date": "2000-01-01",
        "date-time": "2000-01-01T00:00:00Z",
        "email": "someone@example.org",
    }.get(fmt, "x" * max(1, schema.get("minLength", 1)))


def api_request(
    client: Client,
    route: Route,
    method: str,
    objects: dict[str, models.Model],
    token: str,
    *,
    query: dict[str, Any] | None = None,
    body: Any = None,
) -> HttpResponseBase:
    """A request to an API operation: path parameters from ``objects`` (else samples), the
    required query parameters (and ``query``), a JSON body (``body``, else one made from the
    operation's schema) where the operation takes one, and ``token`` as the bearer token."""
    operation = route.operations[method]
    path = route.template
    query = dict(query or {})
    for param in operation.get("parameters", []):
        value = objects.get(param["name"])
        sample = (
            str(value.pk)
            if value is not None
            else sample_value(param.get("schema", {}), route.components)
        )
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", str(sample))
        elif param["in"] == "query" and param.get("required"):
            query.setdefault(param["name"], sample)
    path = OPENAPI_PARAM.sub(lambda m: str(uuid.uuid4()), path)
    if query:
        path += "?" + urlencode(query)
    body_schema = (
        operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ).get("schema")
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body_schema is not None:
        content = json.dumps(
            body if body is not None else sample_value(body_schema, route.components)
        )
        return client.generic(method, path, content, content_type="application/json", **extra)
    return client.generic(method, path, **extra)


@dataclass
class Viewer:
    """A user with a signed-in session and a bearer token."""

    label: str
    user: User
    session: Client
    token: str


def viewer(label: str, user: User, *, purpose: str = "isolation test") -> Viewer:
    _token, secret = token_issue(actor=None, user=user, name=purpose)
    return Viewer(label, user, client_for(user), secret)


def response_body(response: HttpResponseBase) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return bytes(response.content)  # type: ignore[attr-defined]
