"""Office isolation, generated from the URL configuration and the OpenAPI document.

New routes are covered without editing this file. At collection time it walks Django's URL
resolver (every pattern, included ones too) and the OpenAPI document of every ninja API mounted
in it, and makes one test per route:

- **Object routes**: every route with a path parameter named ``<entity>_id`` (``<uuid:person_id>``,
  ``{person_id}``). Its object is made in office A by the factory named ``<Entity>Factory``:
  the entity in CamelCase (``person_id`` -> ``PersonFactory``, ``travel_document_id`` ->
  ``TravelDocumentFactory``, ``token_id`` -> ``TokenFactory``), found in ``tests/factories.py`` or
  any ``tests/<app>/factories.py``, called with ``office=`` the owning office. For a route with
  several ids (``/cases/<case_id>/notes/<note_id>/``) the objects are made from left to right, and
  a factory that declares a field named after an earlier entity (``case``) is given that object.
  A route with an id and no factory fails, saying what to add. Then a user of office B holding
  every role there, the caseworker of office B, and two partner users (a member of a partner
  registered by office B, and the partner persona) request the route: the UI with a signed-in
  session (GET, POST, PUT, PATCH, DELETE), the API with that user's bearer token (each
  method the OpenAPI document lists, with required query parameters and a body made from the
  schema's examples or types). Every answer must be 404, except 405 for a method the route does
  not take; at least one answer must be 404.
- **List routes**: every GET route without path parameters, UI and API, and every API route
  that searches with a POSTed ``{"q": ...}``, except those in ``SKIP_LISTS`` (each with its
  reason). Fetched by each of the users above plainly and searching for each object's ``str()``
  and id (``?q=``, and a POST where the page's form or the API operation searches that way), the
  response never contains the id of an object of office A made by any of the factories above.

``test_the_generator_can_fail`` runs the same checks on ``tests/leaky_urls.py``, a URLconf with
deliberately leaky views, and shows that each kind of leak, and a missing factory, is reported.
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
from urllib.parse import quote, quote_plus, urlencode

import factory
import pytest
from django.db import models
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.html import escape
from ninja import NinjaAPI

from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.reintegration.factories import partner_of
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue

TESTS_DIR = Path(__file__).resolve().parent
ID_PARAM = re.compile(r"^(?P<entity>[a-z][a-z0-9_]*)_id$")
DJANGO_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
OPENAPI_PARAM = re.compile(r"{(?P<name>\w+)}")
UI_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A page whose search form POSTs its field ``q`` (so that no name reaches a URL).
POST_SEARCH_FORM = re.compile(rb'<form[^>]*method="post"[^>]*>(?:(?!</form>).)*name="q"', re.S)
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
    client: Client, route: Route, method: str, objects: dict[str, models.Model], token: str
) -> HttpResponseBase:
    operation = route.operations[method]
    path = route.template
    query: dict[str, Any] = {}
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
            query[param["name"]] = sample
    path = OPENAPI_PARAM.sub(lambda m: str(uuid.uuid4()), path)
    if query:
        path += "?" + urlencode(query)
    body_schema = (
        operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ).get("schema")
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body_schema is not None:
        body = json.dumps(sample_value(body_schema, route.components))
        return client.generic(method, path, body, content_type="application/json", **extra)
    return client.generic(method, path, **extra)


@dataclass
class Viewer:
    """A user of office B with a signed-in session and a bearer token."""

    label: str
    user: User
    session: Client
    token: str


def viewer(label: str, user: User) -> Viewer:
    _token, secret = token_issue(actor=None, user=user, name="isolation test")
    return Viewer(label, user, client_for(user), secret)


def office_b_viewers(personas: Personas) -> list[Viewer]:
    everything = UserFactory.create(
        email="every-role-b@example.org",
        roles=[(personas.office_b, role) for role in Role.values],
    )
    # Partner users hold no permission in any office; they see what is referred to their
    # organisation only. One is a member of a partner registered by office B; the other is the
    # partner persona (a partner role in office B).
    member = UserFactory.create(email="partner-member-b@example.org")
    partner_of(personas.office_b, name="Partner of office B").users.add(member)
    return [
        viewer("a user holding every role in office B", everything),
        viewer("caseworker_b", personas.caseworker_b),
        viewer("a member of a partner of office B", member),
        viewer("the partner persona", personas.partner),
    ]


def _body(response: HttpResponseBase) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return bytes(response.content)  # type: ignore[attr-defined]


# --- the checks ---------------------------------------------------------------------------------


def check_object_route(route: Route, personas: Personas, viewers: list[Viewer]) -> list[str]:
    """Problems found: a missing factory, or an answer to office B other than 404 (or 405)."""
    made = make_objects(route, personas.office_a)
    if made.problems:
        return made.problems
    problems = []
    for who in viewers:
        answers: dict[str, int] = {}
        for method in route.methods:
            response: HttpResponseBase
            if route.kind == "ui":
                response = who.session.generic(method, ui_url(route, made.objects))
            else:
                response = api_request(who.session, route, method, made.objects, who.token)
            answers[method] = response.status_code
        wrong = {m: s for m, s in answers.items() if s not in (404, 405)}
        if wrong or 404 not in answers.values():
            problems.append(
                f"{route.test_id}: an object of office A answered {answers} to {who.label}; "
                "every method the route takes must answer 404 (use OfficePolicy.get_or_404)."
            )
    return problems


def _without_echo(body: bytes, text: str) -> bytes:
    """The body without the search text the user sent (pages echo it in forms and links)."""
    for form in {text, quote(text), quote_plus(text), escape(text), escape(quote_plus(text))}:
        body = body.replace(form.encode(), b"")
    return body


def _ids_of(obj: models.Model) -> set[bytes]:
    ids = {str(obj.pk).encode()}
    if isinstance(obj.pk, uuid.UUID):
        ids.add(obj.pk.hex.encode())
    return ids


def check_list_route(route: Route, objects: list[models.Model], viewers: list[Viewer]) -> list[str]:
    """Problems found: an object of office A in what office B is shown, plainly or searching.

    The page is read without what the user typed (pages echo their search term): searching by
    an object's str(), its id must not appear; searching by its id, neither the id nor its str()
    may appear (the str() only if the page without a search does not show it anyway).
    """
    problems = []

    plain_of: dict[str, bytes] = {}

    def fetch(who: Viewer, text: str | None) -> bytes:
        """The list (``text`` None) or every answer to searching ``text``: GET ``?q=``, and a
        POST where the route searches that way (an API body with ``q``; a page whose form
        POSTs a field ``q``, as the plain list shows it)."""
        query = "" if text is None else "?" + urlencode({"q": text})
        if route.kind == "ui":
            body = _body(who.session.get(route.template + query))
            if text is None:
                plain_of[who.label] = body
            elif POST_SEARCH_FORM.search(plain_of.get(who.label) or fetch(who, None)):
                body += b"\n" + _body(who.session.post(route.template, {"q": text}))
            return body
        auth = f"Bearer {who.token}"
        body = b""
        if "GET" in route.methods:
            body = _body(who.session.get(route.template + query, HTTP_AUTHORIZATION=auth))
        if text is not None and searches_by_post(route):
            answer = who.session.post(
                route.template,
                json.dumps({"q": text}),
                content_type="application/json",
                HTTP_AUTHORIZATION=auth,
            )
            body += b"\n" + _body(answer)
        return body

    for who in viewers:
        plain = fetch(who, None)
        for obj in objects:
            label = f"{type(obj).__name__} {obj.pk} of office A"
            if any(found in plain for found in _ids_of(obj)):
                problems.append(f"{route.test_id}: shows {who.label} the id of {label}.")
            by_name = _without_echo(fetch(who, str(obj)), str(obj))
            if any(found in by_name for found in _ids_of(obj)):
                problems.append(
                    f"{route.test_id}?q=<its str()>: shows {who.label} the id of {label}."
                )
            by_id = _without_echo(fetch(who, str(obj.pk)), str(obj.pk))
            name = escape(str(obj)).encode()
            if any(found in by_id for found in _ids_of(obj)) or (
                name in by_id and name not in plain
            ):
                problems.append(f"{route.test_id}?q=<its id>: shows {who.label} {label}.")
    return problems


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", object_routes(), ids=lambda route: route.test_id)
def test_another_office_gets_404(route: Route, personas: Personas) -> None:
    problems = check_object_route(route, personas, office_b_viewers(personas))
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("route", list_routes(), ids=lambda route: route.test_id)
def test_lists_and_search_do_not_show_another_office(route: Route, personas: Personas) -> None:
    objects = objects_of_every_factory(object_routes(), personas.office_a)
    assert objects, "no factory made an object: the check would prove nothing"
    problems = check_list_route(route, objects, office_b_viewers(personas))
    assert not problems, "\n".join(problems)


def test_routes_are_found_in_urls_and_openapi() -> None:
    routes = collect_routes()
    templates = {route.template for route in routes}
    assert "/api/tokens/<uuid:token_id>/revoke/" in templates
    assert "/api/v1/me" in templates
    me = next(route for route in routes if route.template == "/api/v1/me")
    assert (me.kind, me.methods) == ("api", ("GET",))
    ui_templates = {route.template for route in routes if route.kind == "ui"}
    assert not any(template.startswith("/api/v1/me") for template in ui_templates)
    assert [r.id_params for r in object_routes() if "token_id" in r.template] == [("token_id",)]


def test_factory_names() -> None:
    assert factory_name("person_id") == "PersonFactory"
    assert factory_name("travel_document_id") == "TravelDocumentFactory"
    assert "TokenFactory" in all_factories()


@pytest.mark.django_db
def test_the_generator_can_fail(personas: Personas, settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.leaky_urls"
    viewers = office_b_viewers(personas)
    routes = {route.template: route for route in collect_routes()}

    leaky_page = routes["/leaky/tokens/<uuid:token_id>/"]
    assert leaky_page in object_routes()
    assert any("answered" in p for p in check_object_route(leaky_page, personas, viewers))

    leaky_api = routes["/leaky-api/tokens/{token_id}"]
    assert leaky_api.kind == "api"
    assert any("answered" in p for p in check_object_route(leaky_api, personas, viewers))

    no_factory = routes["/leaky/widgets/<uuid:widget_id>/"]
    problems = check_object_route(no_factory, personas, viewers)
    assert len(problems) == 1
    assert "Add WidgetFactory" in problems[0]
    assert "office=" in problems[0]

    objects = objects_of_every_factory(object_routes(), personas.office_a)
    leaky_lists = (
        "/leaky/tokens/",
        "/leaky/search/",
        "/leaky/post-search/",
        "/leaky-api/tokens",
        "/leaky-api/tokens/search",
    )
    for template in leaky_lists:
        assert routes[template] in list_routes()
        problems = check_list_route(routes[template], objects, viewers)
        assert problems, f"{template} leaks and was not reported"

    # The well-behaved routes of the same URLconf pass.
    revoke = routes["/api/tokens/<uuid:token_id>/revoke/"]
    assert check_object_route(revoke, personas, viewers) == []
    assert check_list_route(routes["/api/tokens/"], objects, viewers) == []
