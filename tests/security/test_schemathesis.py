"""schemathesis against the OpenAPI document of /api/v1/ (generated from the code).

Every operation is called with parameters, bodies and headers generated from its schema, with
the bearer token of a user who holds every role (but the independent ethics role) in an office
holding one object of every kind the isolation test makes; a path parameter ``<entity>_id`` is
that object's id, so that the answers carry real records. No answer may be a server error,
nor differ from the status codes and schemas the document declares. Bounded and deterministic:
a few derandomized examples per operation, no deadline. The application is called in-process
through WSGI, inside the test's transaction, so the test runs alike on SQLite and PostgreSQL.
ASVS 5.0 V2.2.1 (input validated: a bad request answers 4xx), V16.5.3 (fails gracefully).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import OfficeFactory, UserFactory
from tests.routes import (
    OPENAPI_PARAM,
    all_factories,
    factory_name,
    object_routes,
    objects_of_every_factory,
    viewer,
)
from wayhome.accounts.permissions import Role
from wayhome.api.api import api

pytestmark = pytest.mark.django_db

API_ROOT = "/api/v1/"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
EXAMPLES = 5

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix=API_ROOT))
schema.app = get_wsgi_application()


def _path_ids(objects: list[Any]) -> dict[str, str]:
    """``<entity>_id`` -> the id of the object made for it (``person_id`` -> a person's id)."""
    by_factory = {
        name: obj
        for name, made in all_factories().items()
        for obj in objects
        if made._meta.model is type(obj)
    }
    params = {param for route in object_routes() for param in route.id_params}
    return {
        param: str(by_factory[factory_name(param)].pk)
        for param in params
        if factory_name(param) in by_factory
    }


@pytest.fixture
def connections_kept_open() -> Iterator[None]:
    """The application is called through WSGI, not Django's test client, so nothing stops the
    end of each request from closing the database connection, and with it the test's
    transaction (on PostgreSQL). Do what the test client does: keep it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("connections_kept_open")
def test_api_answers_match_the_openapi_document() -> None:
    office = OfficeFactory.create(code="fuzz", name="Fuzz office")
    user = UserFactory.create(roles=[(office, role) for role in Role if role != Role.ETHICS])
    ids = _path_ids(objects_of_every_factory(object_routes(), office))
    headers = {"Authorization": f"Bearer {viewer('fuzz', user, purpose='schemathesis').token}"}
    failures: list[str] = []
    calls: list[int] = []
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "the document has operations schemathesis cannot read"
    assert len(operations) > 150
    for operation in operations:
        names = OPENAPI_PARAM.findall(operation.path)
        known = {name: ids[name] for name in names if name in ids}
        strategy = operation.as_strategy(path_parameters=known or None)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def call(case: Any) -> None:
            calls.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis's FailureGroup included
            failures.append(f"{operation.label}: {exc}")
    assert failures == [], "\n\n".join(failures)
    # Really called, and records were served (not only refusals).
    assert len(calls) > 3 * len(operations)
    assert calls.count(200) > len(operations) / 2


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # A paging value beyond a database integer was a server error.
        ("/api/v1/people?offset=228672099227493818433536", 422),
        ("/api/v1/people?limit=228672099227493818433536", 422),
        # A table with a breakdown that found no code was a server error.
        (
            "/api/v1/reporting/table?rows=programme&cols=origin_region"
            "&date_from=0106-04-02&date_to=0256-10-12",
            200,
        ),
    ],
)
def test_what_schemathesis_found_stays_fixed(path: str, status: int) -> None:
    response = Client(raise_request_exception=False).get(path, HTTP_AUTHORIZATION=_bearer())
    assert response.status_code == status


def _bearer() -> str:
    office = OfficeFactory.create()
    user = UserFactory.create(roles=[(office, Role.MANAGER), (office, Role.DPO)])
    return f"Bearer {viewer('regression', user).token}"


def test_a_nul_character_is_refused_before_it_reaches_the_database() -> None:
    """On PostgreSQL a NUL in a text filter was a server error (``/protection/requests?kind=``)."""
    client = Client(raise_request_exception=False)
    bearer = _bearer()
    queried = client.get("/api/v1/protection/requests?kind=%00x", HTTP_AUTHORIZATION=bearer)
    posted = client.post(
        "/api/v1/people/search",
        '{"q": "Amina\\u0000"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer,
    )
    for response in (queried, posted):
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["type"] == "control_characters"
    # An escaped backslash followed by the text u0000 is no NUL.
    text = client.post(
        "/api/v1/people/search",
        '{"q": "Amina \\\\u0000"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer,
    )
    assert text.status_code == 200
