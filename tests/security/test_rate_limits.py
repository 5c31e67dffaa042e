"""Rate limits through the real routes: exports, searches and the public forms answer 429
beyond their limit, and do nothing. ASVS 5.0 V2.4.1 (anti-automation), V6.3.1 (sign-in, tested
in test_authentication.py)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from tests.conftest import Personas, client_for
from tests.exports.conftest import _blobs_in_tmp
from tests.routes import Route, api_request, collect_routes, ui_url, viewer
from wayhome.accounts.models import User
from wayhome.exports.models import Export

pytestmark = pytest.mark.django_db

__all__ = ["_blobs_in_tmp"]  # the exports' fixture: any blob goes to a temporary directory

LIMIT = 2
PUBLIC_API = "/api/v1/public/"
#: The public pages that take a form (GET pages are not limited; the API's reads are).
PUBLIC_FORMS = ["/portal/contact/", "/portal/feedback/", "/portal/feedback/status/"]


@pytest.fixture
def low_limits(settings: Any) -> None:
    settings.EXPORTS_PER_HOUR = LIMIT
    settings.SEARCH_LIMIT = LIMIT
    settings.PUBLIC_FORM_LIMIT = LIMIT
    settings.STATUS_CHECK_LIMIT = LIMIT
    settings.PUBLIC_API_READ_LIMIT = LIMIT


def test_exports_beyond_the_limit_answer_429(personas: Personas, low_limits: None) -> None:
    user = personas.manager_a
    token = viewer("exports", user).token
    client = Client()
    answers = [
        client.post(
            "/api/v1/exports",
            {"kind": "cases", "format": "csv"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).status_code
        for _ in range(LIMIT + 1)
    ]
    assert answers == [202] * LIMIT + [429]
    # The page refuses too (it says so on the list it returns to) and creates nothing.
    page = client_for(user).post("/exports/", {"kind": "cases", "format": "csv"}, follow=True)
    assert "many exports" in page.content.decode()
    assert Export.objects.filter(owner=user).count() == LIMIT


def _searches(user: User) -> list[tuple[str, Any]]:
    session = client_for(user)
    token = viewer("search", user).token
    api = Client()
    return [
        ("people page", lambda: session.post("/people/", {"q": "Amina Yusuf"})),
        ("people link", lambda: session.get("/people/", {"q": "Amina Yusuf"})),
        ("cases page", lambda: session.post("/cases/", {"q": "Amina Yusuf"})),
        (
            "api",
            lambda: api.post(
                "/api/v1/people/search",
                {"q": "Amina Yusuf"},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            ),
        ),
    ]


@pytest.mark.parametrize("index", range(4), ids=["people page", "people link", "cases", "api"])
def test_searches_beyond_the_limit_answer_429(
    personas: Personas, low_limits: None, index: int
) -> None:
    """Each way of searching counts against the user's limit; the list without a search does
    not, and another user keeps their own allowance."""
    user = personas.manager_a
    label, search = _searches(user)[index]
    assert [search().status_code for _ in range(LIMIT)] == [200] * LIMIT
    limited = search()
    assert limited.status_code == 429
    if label != "people link":  # a hand-made GET link holds the name in its own URL already
        assert b"Amina" not in limited.content
    assert client_for(user).get("/people/").status_code == 200  # listing is not searching
    other = _searches(personas.caseworker_a)[index][1]
    assert other().status_code == 200


def test_every_search_route_is_limited() -> None:
    """Every page that searches people by ``q`` (its view reads a ``SearchForm`` or ``"q"``) is
    wrapped in ``limit_searches``, so that a new search page cannot forget the limit."""
    searching = {}
    for route in collect_routes():
        if route.kind != "ui":
            continue
        view = resolve(ui_url(route, {})).func
        source = inspect.getsource(inspect.unwrap(view))
        if "SearchForm" in source or '"q"' in source:
            searching[route.template] = view.__code__.co_qualname
    assert "/people/" in searching
    assert "/cases/<uuid:case_id>/members/add/" in searching
    assert set(searching.values()) == {"limit_searches.<locals>.limited"}, searching


def test_public_forms_beyond_the_limit_answer_429(db: None, low_limits: None) -> None:
    for path in PUBLIC_FORMS:
        client = Client()
        statuses = [client.post(path, {}, REMOTE_ADDR="198.51.100.20").status_code]
        statuses += [
            client.post(path, {}, REMOTE_ADDR="198.51.100.20").status_code for _ in range(LIMIT)
        ]
        assert statuses[-1] == 429, (path, statuses)
        assert 429 not in statuses[:LIMIT], (path, statuses)
        # Another address is not limited.
        assert client.post(path, {}, REMOTE_ADDR="198.51.100.21").status_code != 429, path


def _public_operations() -> list[tuple[Route, str]]:
    return [
        (route, method)
        for route in collect_routes()
        if route.kind == "api" and route.template.startswith(PUBLIC_API)
        for method in route.methods
    ]


@pytest.mark.parametrize(
    ("route", "method"),
    _public_operations(),
    ids=[f"{m} {r.template}" for r, m in _public_operations()],
)
def test_every_public_api_operation_answers_429_beyond_its_limit(
    db: None, low_limits: None, route: Route, method: str
) -> None:
    client = Client()
    statuses = [
        api_request(client, route, method, {}, "", query=None).status_code for _ in range(LIMIT + 1)
    ]
    statuses.append(api_request(client, route, method, {}, "").status_code)
    assert statuses[-1] == 429, statuses
