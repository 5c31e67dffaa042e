"""Query budgets, generated from the URL configuration and the OpenAPI document.

Every list makes a number of queries that does not grow with the data or the page size. New
routes are covered without editing this file: the routes are found as in the isolation test
(``tests/routes.py``), and one test per route checks, for a user holding every role in office
A (signed in for the pages, with a bearer token for the API):

- **List routes** (``list_routes``: GET routes without path parameters, UI and API, and the API
  searches with a POSTed ``{"q": ...}``): one round of every factory makes data in office A;
  each route is requested once to warm up (caches, the session, content types), then once with
  its queries counted; ``MORE_ROUNDS`` more rounds of every factory are made, and the route is
  counted again. A search is sent the text (an object's ``str()``, or the part of a reference
  before its last ``-``) that finds most of the objects made. Where the API operation takes a
  page size (a query parameter named in ``PAGE_PARAMS``), it is also counted with a page of
  ``SMALL_PAGE`` and of ``LARGE_PAGE`` rows.
- **Object routes** that answer GET (``object_routes``: the pages and API operations with an
  ``<entity>_id``, whose page often lists the object's children): their objects are made as in
  the isolation test (one set per list of ids), with one child made by every factory declaring
  a field named after one of the route's entities (``case``, ``member``, ``person``...);
  counted; ``MORE_ROUNDS`` more children of each; counted again.

Each count is the smaller of two, after a warm-up request (before the first count and the
second): a session's or a token's last use is written at most once a while, not per row. A
factory the domain refuses another child (members once a case has arrived) stops there; one
refused with its declared choice (a second spouse) is tried with each other value.

The second count must not be larger than the first (nor the large page than the small one), and
the answer's status must not change. A failure names the route, both counts and the statements
made more often the second time (literals replaced by ``?``). The data is made once for the
module (in a transaction rolled back at its end) and every route is measured against it; each
test then reads its route's result. A route whose queries legitimately grow with something
else than the rows shown is listed in ``SKIP`` with the statement allowed to repeat and the
reason; its other statements are still checked.

``test_the_budget_check_can_fail`` runs the same checks on ``tests/leaky_query_urls.py``, a
URLconf with deliberately N+1 views, and shows that each is reported.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.http.response import HttpResponseBase
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import OfficeFactory, UserFactory
from tests.routes import (
    ID_PARAM,
    Route,
    Viewer,
    all_factories,
    api_request,
    collect_routes,
    factory_name,
    list_routes,
    make_objects,
    object_routes,
    response_body,
    searches_by_post,
    ui_url,
    viewer,
)
from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Role
from wayhome.reintegration.models import Partner

MORE_ROUNDS = 3
PAGE_PARAMS = ("limit", "page_size", "per_page")
SMALL_PAGE = 1
LARGE_PAGE = 100
# Routes (by test id) whose query count legitimately grows with something else than the rows
# shown: the statement that may repeat (a regular expression) and the reason. Any other growth
# of these routes still fails. Keep it short; tell the lead of every entry.
SKIP: dict[str, tuple[str, str]] = {}
# Factories that do not make an object of an office (they take no ``office=``).
NOT_OF_AN_OFFICE = {"OfficeFactory", "UserFactory"}

_QUOTED = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")
_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)*\s*\)")


def sql_shape(sql: str) -> str:
    """A statement without its literals, so that the same query for another row compares equal."""
    return _LIST.sub("(?...)", _NUMBER.sub("?", _QUOTED.sub("?", sql)))


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Count:
    status: int
    queries: list[str]

    def __len__(self) -> int:
        return len(self.queries)


def count_queries(send: Callable[[], HttpResponseBase]) -> Count:
    """The queries made by one request (a streamed answer read to its end)."""
    with CaptureQueriesContext(connection) as captured:
        response = send()
        response_body(response)
    return Count(response.status_code, [query["sql"] for query in captured.captured_queries])


def steady_count(send: Callable[[], HttpResponseBase]) -> Count:
    """The smaller of two counts after a warm-up request: a write made once a while (the
    session's last-seen time, a token's last use) is not counted against the data."""
    response_body(send())
    return min(count_queries(send), count_queries(send), key=len)


def repeated_sql(first: Count, second: Count, limit: int = 6) -> str:
    more = Counter(map(sql_shape, second.queries)) - Counter(map(sql_shape, first.queries))
    lines = [f"  +{n}x {sql[:400]}" for sql, n in more.most_common(limit)]
    if len(more) > limit:
        lines.append(f"  ... and {len(more) - limit} other statements")
    return "\n".join(lines) or "  (no statement is repeated: other statements replaced them)"


def compare(
    what: str, first: Count, second: Count, first_label: str, second_label: str
) -> list[str]:
    """Problems: the second count larger than the first, or another status."""
    allowed = SKIP.get(what.split(" (", 1)[0])
    if allowed is not None:  # the statements allowed to repeat do not count
        first, second = (
            Count(c.status, [q for q in c.queries if not re.search(allowed[0], q)])
            for c in (first, second)
        )
    problems = []
    if first.status != second.status:
        problems.append(
            f"{what}: answered {first.status} {first_label} but {second.status} {second_label}."
        )
    if len(second) > len(first):
        problems.append(
            f"{what}: {len(first)} queries {first_label}, {len(second)} {second_label}; the "
            "count must not grow with the data or the page size (select_related, "
            "prefetch_related, annotations, bulk writes). Statements made more often:\n"
            + repeated_sql(first, second)
        )
    return problems


@dataclass
class Probe:
    """One request to a route, counted before and after more data is made."""

    route: Route
    label: str
    send: Callable[[], HttpResponseBase]
    first: Count | None = None

    @property
    def what(self) -> str:
        return f"{self.route.test_id} ({self.label})"

    def warm_up_and_count(self) -> None:
        self.first = steady_count(self.send)

    def recount(self) -> list[str]:
        assert self.first is not None
        second = steady_count(self.send)
        return compare(self.what, self.first, second, "with one round of data", "with more data")


@dataclass
class PageProbe:
    """An API operation that takes a page size, counted with a small and a large page."""

    route: Route
    label: str
    send: Callable[[int], HttpResponseBase]

    def check(self) -> list[str]:
        small = steady_count(lambda: self.send(SMALL_PAGE))
        large = steady_count(lambda: self.send(LARGE_PAGE))
        return compare(
            f"{self.route.test_id} ({self.label})",
            small,
            large,
            f"for a page of {SMALL_PAGE}",
            f"for a page of {LARGE_PAGE}",
        )


def page_param(route: Route, method: str) -> str | None:
    for param in route.operations[method].get("parameters", []):
        if param["in"] == "query" and param["name"] in PAGE_PARAMS:
            return str(param["name"])
    return None


def search_texts(objects: list[models.Model]) -> list[str]:
    """Texts that may find many of ``objects``: each one's str(), and the part of each text field
    with dashes before the last one (``OA-2026-00012`` -> ``OA-2026``, shared by references)."""
    texts = []
    for obj in objects:
        texts.append(str(obj))
        for model_field in obj._meta.concrete_fields:
            value = getattr(obj, model_field.attname, None)
            if isinstance(model_field, models.CharField) and "-" in str(value).strip("-"):
                texts.append(str(value).rsplit("-", 1)[0])
    return list(dict.fromkeys(text for text in texts if text.strip()))


def _ids_found(body: bytes, objects: list[models.Model]) -> int:
    return sum(str(obj.pk).encode() in body for obj in objects)


def best_search_text(route: Route, who: Viewer, objects: list[models.Model]) -> str:
    """The text whose search answer names most of ``objects``."""

    def found(text: str) -> int:
        response = _search(route, who, text)
        return _ids_found(response_body(response), objects) if response.status_code == 200 else -1

    return max(search_texts(objects) or ["x"], key=found)


def _search(
    route: Route, who: Viewer, text: str, query: dict[str, Any] | None = None
) -> HttpResponseBase:
    return api_request(who.session, route, "POST", {}, who.token, query=query, body={"q": text})


def list_probes(route: Route, who: Viewer, objects: list[models.Model]) -> Iterator[Any]:
    """The probes of a list route: Probe (data) and PageProbe (page size)."""
    if route.kind == "ui":
        yield Probe(route, "GET", lambda: who.session.get(route.template))
        return
    if "GET" in route.methods:
        yield Probe(route, "GET", lambda: api_request(who.session, route, "GET", {}, who.token))
        get_param = page_param(route, "GET")
        if get_param is not None:
            yield PageProbe(
                route,
                f"GET ?{get_param}=",
                lambda size: api_request(
                    who.session, route, "GET", {}, who.token, query={get_param: size}
                ),
            )
    if searches_by_post(route):
        text = best_search_text(route, who, objects)
        yield Probe(route, "POST q=<most found>", lambda: _search(route, who, text))
        search_param = page_param(route, "POST")
        if search_param is not None:
            yield PageProbe(
                route,
                f"POST q=<most found> ?{search_param}=",
                lambda size: _search(route, who, text, {search_param: size}),
            )


def object_probes(route: Route, who: Viewer, objects: dict[str, models.Model]) -> Iterator[Any]:
    if route.kind == "ui":
        url = ui_url(route, objects)
        yield Probe(route, "GET", lambda: who.session.get(url))
        return
    if "GET" not in route.methods:
        return
    yield Probe(route, "GET", lambda: api_request(who.session, route, "GET", objects, who.token))
    param = page_param(route, "GET")
    if param is not None:
        yield PageProbe(
            route,
            f"GET ?{param}=",
            lambda size: api_request(
                who.session, route, "GET", objects, who.token, query={param: size}
            ),
        )


def budget_routes(urlconf: str | None = None) -> list[Route]:
    """The routes checked: every list route, and every object route that answers GET."""
    return list_routes(urlconf) + [
        route for route in object_routes(urlconf) if "GET" in route.methods
    ]


# --- making data --------------------------------------------------------------------------------


def round_factories(routes: list[Route]) -> list[str]:
    """Every factory of an office: those the object routes name, and any declaring ``office``."""
    factories = all_factories()
    named = {factory_name(p) for route in routes for p in route.id_params}
    declaring = {n for n, f in factories.items() if "office" in f._meta.declarations}
    return sorted((named | declaring) & set(factories) - NOT_OF_AN_OFFICE)


def make_round(names: list[str], office: Office, who: Viewer) -> list[models.Model]:
    """One object of each factory in ``office`` (a factory that can make only one object per
    office, such as a monthly report per month, makes it in the first round only)."""
    factories = all_factories()
    made = []
    for name in names:
        try:
            with transaction.atomic():
                made.append(factories[name].create(office=office))
        except IntegrityError:
            continue
    _let_see_referrals(office, who)
    return made


def _let_see_referrals(office: Office, who: Viewer) -> None:
    """A partner's user sees what is referred to the partner: make the user a member of every
    partner of the office, so that the partner lists show rows too."""
    for partner in Partner.objects.filter(office=office):
        partner.users.add(who.user)


def make_children(objects: dict[str, models.Model], office: Office, rounds: int) -> None:
    """``rounds`` objects of every factory declaring a field named after one of the route's
    entities (``case``, ``member``...), given that object, or as many as it may make."""
    by_entity = {ID_PARAM.match(p)["entity"]: obj for p, obj in objects.items()}  # type: ignore[index]
    for factory_class in all_factories().values():
        related = {
            entity: obj
            for entity, obj in by_entity.items()
            if entity in factory_class._meta.declarations
        }
        if related:
            for _ in range(rounds):
                if not _make_child(factory_class, office, related):
                    break  # as many as the domain allows (one household plan per case...)


def _make_child(factory_class: Any, office: Office, related: dict[str, Any]) -> bool:
    """One more child; where the domain refuses it (one spouse per case), with each other value
    of the factory's declared choice fields (a child, a parent...). Whether one was made."""
    model = factory_class._meta.model
    choices = [
        (f.name, value)
        for f in model._meta.concrete_fields
        if f.name in factory_class._meta.declarations and f.choices
        for value, _label in f.choices
    ]
    for extra in [{}, *({name: value} for name, value in choices)]:
        try:
            with transaction.atomic():
                factory_class.create(office=office, **related, **extra)
            return True
        except (IntegrityError, ValidationError):
            continue
    return False


def office_a_user(office: Office) -> Viewer:
    user = UserFactory.create(roles=[(office, role) for role in Role.values])
    return viewer("a user holding every role in office A", user, purpose="query budget test")


def _guarded(what: str, step: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Runs a step; an exception becomes a problem of the route (the other routes go on)."""
    try:
        return step(), []
    except Exception as error:  # reported as the route's failure
        return None, [f"{what}: {type(error).__name__}: {error}"]


def _object_set(
    route: Route, office: Office, made: list[models.Model]
) -> tuple[dict[str, models.Model], list[str]]:
    """The objects of a route's ids, made as in the isolation test; where the factory can make no
    other in the office (one monthly report a month), the one made by the first round."""
    try:
        with transaction.atomic():
            built = make_objects(route, office)
        return built.objects, built.problems
    except (IntegrityError, ValidationError) as error:
        (param,) = route.id_params if len(route.id_params) == 1 else (None,)
        model = all_factories()[factory_name(param)]._meta.model if param else None
        existing = [obj for obj in made if model is not None and isinstance(obj, model)]
        if param and existing:
            return {param: existing[0]}, []
        return {}, [f"{route.test_id}: its objects could not be made: {error}"]


def check_budgets(
    routes: list[Route], office: Office, factories: list[str] | None = None
) -> dict[str, list[str]]:
    """Problems per route test id (every route of ``routes`` has an entry). The lists' data is
    made by ``factories`` (by name; every factory of an office unless given)."""
    problems: dict[str, list[str]] = {route.test_id: [] for route in routes}
    who = office_a_user(office)
    names = round_factories(object_routes()) if factories is None else factories

    # Lists: one round, count; more rounds, count again; then page sizes.
    made = make_round(names, office, who)
    probes: list[Any] = []
    for route in routes:
        if route.params:
            continue
        found, trouble = _guarded(
            route.test_id, functools.partial(lambda r: list(list_probes(r, who, made)), route)
        )
        problems[route.test_id] += trouble
        probes += found or []
    counted = [p for p in probes if isinstance(p, Probe)]
    for probe in counted:
        problems[probe.route.test_id] += _guarded(probe.what, probe.warm_up_and_count)[1]
    for _ in range(MORE_ROUNDS):
        make_round(names, office, who)
    for probe in counted:
        if probe.first is not None:
            problems[probe.route.test_id] += _guarded(probe.what, probe.recount)[0] or []
    for probe in probes:
        if isinstance(probe, PageProbe):
            problems[probe.route.test_id] += _guarded(probe.route.test_id, probe.check)[0] or []

    # Object routes: one set of objects per list of ids; count; add children; count again.
    sets: dict[tuple[str, ...], dict[str, models.Model]] = {}
    object_counted: list[tuple[tuple[str, ...], Any]] = []
    for route in routes:
        if not route.params or not route.id_params:
            continue
        if route.id_params not in sets:
            built, trouble = _object_set(route, office, made)
            if trouble:
                problems[route.test_id] += trouble
                continue
            sets[route.id_params] = built
            make_children(built, office, 1)
        for probe in object_probes(route, who, sets[route.id_params]):
            if isinstance(probe, Probe):
                problems[route.test_id] += _guarded(probe.what, probe.warm_up_and_count)[1]
            object_counted.append((route.id_params, probe))
    for objects in sets.values():
        make_children(objects, office, MORE_ROUNDS)
    for _ids, probe in object_counted:
        if isinstance(probe, PageProbe):
            problems[probe.route.test_id] += _guarded(probe.route.test_id, probe.check)[0] or []
        elif probe.first is not None:
            problems[probe.route.test_id] += _guarded(probe.what, probe.recount)[0] or []
    return problems


class _ModuleData(TestCase):
    """Only for its transactions: the module's data is rolled back as a test case's would be
    (and services that need a durable transaction run inside them, as in any test)."""

    databases = {"default"}


@pytest.fixture(scope="module")
def budget_problems(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[dict[str, list[str]]]:
    settings = {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        "REQUIRE_MFA": False,
    }
    with django_db_blocker.unblock(), override_settings(**settings), translation.override("en"):
        # TestCase's own (undocumented in the stubs) way of opening its class-wide transaction.
        atomics = _ModuleData._enter_atomics()  # type: ignore[attr-defined]
        try:
            office = OfficeFactory.create(code="office-a", name="Office A", country="DE")
            OfficeFactory.create(code="office-b", name="Office B", country="GR")
            yield check_budgets(budget_routes(), office)
        finally:
            _ModuleData._rollback_atomics(atomics)  # type: ignore[attr-defined]


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.django_db  # so that the test database is set up (the data is the fixture's)
@pytest.mark.parametrize("route", budget_routes(), ids=lambda route: route.test_id)
def test_queries_do_not_grow_with_the_data(
    route: Route, budget_problems: dict[str, list[str]]
) -> None:
    problems = budget_problems[route.test_id]
    assert not problems, "\n".join(problems)


def test_skip_entries_name_routes() -> None:
    routes = {route.test_id for route in budget_routes()}
    assert set(SKIP) <= routes, set(SKIP) - routes


def test_a_skip_entry_excuses_only_its_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    first = Count(200, ["SELECT a FROM t"])
    second = Count(200, ["SELECT a FROM t", "SELECT b FROM u", "SELECT b FROM u"])
    assert compare("ui:/x/ (GET)", first, second, "before", "after")
    monkeypatch.setitem(SKIP, "ui:/x/", (r"FROM u\b", "a reason"))
    assert compare("ui:/x/ (GET)", first, second, "before", "after") == []
    third = Count(200, [*second.queries, "SELECT c FROM v"])
    assert "+1x SELECT c FROM v" in compare("ui:/x/ (GET)", first, third, "before", "after")[0]


def test_sql_shape_ignores_literals() -> None:
    first = "SELECT * FROM t WHERE id = 'a1' AND n IN (1, 2, 3) LIMIT 21"
    second = "SELECT * FROM t WHERE id = 'b2' AND n IN (4) LIMIT 21"
    assert sql_shape(first) == sql_shape(second)
    assert sql_shape(first) != sql_shape("SELECT * FROM u WHERE id = 'a1'")
    assert "+5x SELECT * FROM u" in repeated_sql(
        Count(200, ["SELECT * FROM u WHERE id = 1"]),
        Count(200, ["SELECT * FROM u WHERE id = 2", "SELECT * FROM u WHERE id = 3"] * 3),
    )


@pytest.mark.django_db
def test_the_budget_check_can_fail(personas: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.leaky_query_urls"
    routes = {route.template: route for route in collect_routes()}
    leaky = [
        routes["/leaky/tokens/"],
        routes["/leaky-api/tokens"],
        routes["/leaky-api/tokens/search"],
        routes["/leaky/people/<uuid:person_id>/documents/"],
    ]
    fine = [routes["/leaky/tokens/counted/"]]
    for route in leaky + fine:
        assert route in budget_routes(), route.test_id
    problems = check_budgets(leaky + fine, personas.office_a, ["TokenFactory"])

    for route in leaky:
        found = "\n".join(problems[route.test_id])
        assert found, f"{route.test_id} makes a query per row and was not reported"
        assert route.test_id in found
        assert re.search(r"\d+ queries with one round of data, \d+ with more data", found)
        assert "+" in found
        assert "SELECT" in found
    paged = "\n".join(problems[routes["/leaky-api/tokens"].test_id])
    assert re.search(rf"\d+ queries for a page of {SMALL_PAGE}, \d+ for a page of", paged)
    assert problems[fine[0].test_id] == []
