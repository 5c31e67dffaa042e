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

The route discovery, the factories and the request helpers live in ``tests/routes.py`` (shared
with ``tests/test_query_budget.py``).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from django.db import models
from django.http.response import HttpResponseBase
from django.utils.html import escape

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.reintegration.factories import partner_of
from tests.routes import (
    Route,
    Viewer,
    all_factories,
    api_request,
    collect_routes,
    factory_name,
    list_routes,
    make_objects,
    object_routes,
    objects_of_every_factory,
    searches_by_post,
    ui_url,
    viewer,
)
from tests.routes import response_body as _body
from wayhome.accounts.permissions import Role

# A page whose search form POSTs its field ``q`` (so that no name reaches a URL).
POST_SEARCH_FORM = re.compile(rb'<form[^>]*method="post"[^>]*>(?:(?!</form>).)*name="q"', re.S)


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
