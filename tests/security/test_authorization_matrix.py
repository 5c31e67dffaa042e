"""The authorization matrix: every role against every route and its objects, generated from the
URL configuration and the OpenAPI document (tests/routes.py) and from the roles and permissions
of wayhome/accounts (``Role``, ``ROLE_PERMISSIONS``). ASVS 5.0 V8.2.1, V8.2.2, V8.3.1.

A user holding one role in an office requests each route (pages: GET and POST with a session;
API: each method with a bearer token). Each answer must be a refusal (403, 404, 405, a redirect
to sign-in, or 400/409/410/422 when the request is not even valid) or **allowed by that role's
permissions**: while the request ran, a permission check of ``wayhome.accounts.policies`` found
a permission the role holds (the checks are recorded). Routes of one object (``<entity>_id``,
made in the office by the isolation test's factories) allow nothing else. Other routes (lists,
searches, forms) may also answer a role without a permission if they show none of the office's
records (one object of every kind is made). Open to everyone signed in by design: the paths of
``StaffOnlyMiddleware``'s ``NON_STAFF_PREFIXES`` (account, tokens, partner and portal pages),
the API's ``NON_STAFF_API`` and public operations, and ``OPEN_TO_STAFF``. Other offices are
tests/test_isolation.py; ``test_the_matrix_can_fail`` shows the check reports a page served
without a permission of the role."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.http.response import HttpResponseBase

from tests.factories import OfficeFactory, UserFactory
from tests.routes import (
    Route,
    Viewer,
    api_request,
    collect_routes,
    make_objects,
    objects_of_every_factory,
    response_body,
    ui_url,
    viewer,
)
from wayhome.accounts import policies
from wayhome.accounts.middleware import NON_STAFF_PREFIXES
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm, Role
from wayhome.api.auth import NON_STAFF_API

pytestmark = pytest.mark.django_db

#: Answers that give nothing away: refused, or the request itself is not valid.
REFUSED = {400, 403, 404, 405, 409, 410, 422}
PUBLIC_API = "/api/v1/public/"
#: Pages every member of staff (any permission in any office) may open by design, with why.
OPEN_TO_STAFF: dict[str, str] = {}


class Granted:
    """The permissions found by the policy checks of the current request."""

    def __init__(self) -> None:
        self.perms: set[Perm] = set()


class _Recording(frozenset[Perm]):
    granted: Granted

    def __contains__(self, perm: object) -> bool:
        found = super().__contains__(perm)
        if found:
            self.granted.perms.add(perm)  # type: ignore[arg-type]
        return found


@pytest.fixture
def granted(monkeypatch: pytest.MonkeyPatch) -> Granted:
    record = Granted()
    original = policies.office_permissions

    def recording(user: Any) -> dict[Any, frozenset[Perm]]:
        result: dict[Any, frozenset[Perm]] = {}
        for office, perms in original(user).items():
            wrapped = _Recording(perms)
            wrapped.granted = record
            result[office] = wrapped
        return result

    monkeypatch.setattr(policies, "office_permissions", recording)
    return record


def _open_by_design(route: Route, path: str) -> bool:
    if route.kind == "api":
        return path.startswith((*NON_STAFF_API, PUBLIC_API))
    return path == "/" or path.startswith(NON_STAFF_PREFIXES) or route.template in OPEN_TO_STAFF


def _role_viewers(office: Any) -> list[tuple[Role, Viewer]]:
    return [
        (role, viewer(role.value, UserFactory.create(roles=[(office, role)]), purpose="matrix"))
        for role in Role
    ]


def _request(route: Route, method: str, who: Viewer, objects: dict[str, Any]) -> HttpResponseBase:
    if route.kind == "ui":
        return who.session.generic(method, ui_url(route, objects))
    return api_request(who.session, route, method, objects, who.token)


ROUTES = [route for route in collect_routes() if route.template != "/accounts/logout/"]
OBJECT_ROUTES = [route for route in ROUTES if route.id_params]
OTHER_ROUTES = [route for route in ROUTES if not route.id_params]


def _ids(objects: list[Any]) -> dict[bytes, str]:
    found = {}
    for obj in objects:
        found[str(obj.pk).encode()] = type(obj).__name__
        if isinstance(obj.pk, uuid.UUID):
            found[obj.pk.hex.encode()] = type(obj).__name__
    return found


def check_route(
    route: Route,
    objects: dict[str, Any],
    viewers: list[tuple[Role, Viewer]],
    granted: Granted,
    shown: dict[bytes, str] | None = None,
    role_permissions: dict[str, frozenset[Perm]] = ROLE_PERMISSIONS,
) -> tuple[list[str], int, int]:
    """(problems, answers allowed by a permission, answers refused). With ``shown`` (the ids of
    the office's objects), a route may also answer a role without a permission as long as it
    shows none of them (an empty list)."""
    methods = ("GET", "POST") if route.kind == "ui" else route.methods
    path = ui_url(route, objects) if route.kind == "ui" else route.template
    problems, allowed, refused = [], 0, 0
    for role, who in viewers:
        for method in methods:
            granted.perms.clear()
            response = _request(route, method, who, objects)
            status = response.status_code
            location = response.get("Location", "") if 300 <= status < 400 else ""
            if status in REFUSED or location.startswith("/accounts/login/"):
                refused += 1
                continue
            if granted.perms & role_permissions[role]:
                allowed += 1
                continue
            if _open_by_design(route, path):
                continue
            if shown is not None:
                body = response_body(response)
                leaked = sorted({name for key, name in shown.items() if key in body})
                if not leaked:
                    continue
                reason = f"and shows {leaked}"
            else:
                reason = "on an object of the office"
            problems.append(
                f"{method} {route.test_id} answered {status} to a user whose only role is "
                f"{role.value}, without any permission of that role, {reason}"
            )
    return problems, allowed, refused


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=[route.test_id for route in OBJECT_ROUTES])
def test_every_role_against_every_object_route(route: Route, granted: Granted) -> None:
    """A route that serves one object (``<entity>_id``) serves it only under a permission."""
    office = OfficeFactory.create(code="matrix", name="Matrix office")
    made = make_objects(route, office)
    assert made.problems == []
    problems, _allowed, _refused = check_route(route, made.objects, _role_viewers(office), granted)
    assert problems == []


def test_every_role_against_every_other_route(granted: Granted) -> None:
    """Lists, searches, forms and the rest: served without a permission of the role only if
    they show none of the office's records (one object of every kind made by the factories)."""
    office = OfficeFactory.create(code="matrix", name="Matrix office")
    objects = objects_of_every_factory(OBJECT_ROUTES, office)
    shown = _ids(objects)
    assert len(objects) > 30
    viewers = _role_viewers(office)
    problems, allowed, refused = [], 0, 0
    for route in OTHER_ROUTES:
        found, ok, no = check_route(route, {}, viewers, granted, shown=shown)
        problems += found
        allowed += ok
        refused += no
    assert problems == []
    # The matrix really has both outcomes (a broken recorder or sign-in would give one only).
    assert allowed > 200
    assert refused > 200


def test_the_matrix_can_fail(granted: Granted) -> None:
    """Were the caseworker's permissions not what the checks found (a page served by no
    permission of the role), the person page would be reported."""
    route = next(r for r in OBJECT_ROUTES if r.template == "/people/<uuid:person_id>/")
    office = OfficeFactory.create(code="matrix", name="Matrix office")
    made = make_objects(route, office)
    caseworker: list[tuple[Role, Viewer]] = [
        (r, v) for r, v in _role_viewers(office) if r == Role.CASEWORKER
    ]
    assert check_route(route, made.objects, caseworker, granted)[0] == []
    believed = {**ROLE_PERMISSIONS, Role.CASEWORKER: frozenset({Perm.AUDIT_VIEW})}
    problems = check_route(route, made.objects, caseworker, granted, role_permissions=believed)[0]
    assert problems
    assert "caseworker" in problems[0]
