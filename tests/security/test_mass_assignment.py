"""No mass assignment: what a client must not set (ids, office of an existing record, version,
times, creators, derived indexes) is refused or ignored, never applied; on the API and the forms.
ASVS 5.0 V15.3.3 (mass assignment), V2.2.1 (input validation)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from ninja import Schema

from tests.api.test_openapi import _schema_classes
from tests.conftest import Personas, client_for
from tests.people.factories import PersonFactory
from tests.routes import viewer
from wayhome.api.api import api
from wayhome.people.forms import PersonUpdateForm
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db

#: Fields the server alone sets: never part of a request body.
SERVER_MANAGED = {
    "id",
    "pk",
    "created_at",
    "updated_at",
    "created_by",
    "created_by_id",
    "owner",
    "owner_id",
    "started_by",
    "started_by_id",
    "actor",
    "actor_id",
    "name_index",
    "dob_index",
    "number_index",
    "digest",
    "prev_hash",
}
FORGED_ID = "11111111-1111-4111-8111-111111111111"
EXTRAS: dict[str, Any] = {
    "id": FORGED_ID,
    "pk": FORGED_ID,
    "created_at": "2000-01-01T00:00:00Z",
    "created_by_id": 1,
    "name_index": "forged",
    "photo_type": "text/html",
    "office": "forged",
}


def test_input_schemas_never_keep_unknown_fields() -> None:
    """Every ninja schema ignores (or forbids) fields it does not declare: none allows extras,
    which would reach ``payload.dict()`` and the services."""
    api.get_openapi_schema()  # imports every router and its schemas
    schemas = [s for s in _schema_classes(Schema) if s.__module__.startswith("wayhome.")]
    assert len(schemas) > 50
    allowing = [
        s.__name__ for s in schemas if getattr(s, "model_config", {}).get("extra") == "allow"
    ]
    assert allowing == []


def _request_properties() -> dict[str, set[str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    components = schema["components"]["schemas"]
    found = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                body = content.get("schema", {})
                while "$ref" in body:
                    body = components[body["$ref"].rsplit("/", 1)[-1]]
                found[f"{method.upper()} {path}"] = set(body.get("properties", {}))
    return found


def test_no_request_body_declares_a_server_managed_field() -> None:
    """Generated from the OpenAPI document: no operation takes an id, a creator, a time or an
    index in its body (an office is taken only when a record is created, and checked)."""
    bodies = _request_properties()
    assert len(bodies) > 50
    declared = {op: sorted(props & SERVER_MANAGED) for op, props in bodies.items()}
    assert {op: names for op, names in declared.items() if names} == {}
    offices = {op for op, props in bodies.items() if props & {"office", "office_id"}}
    changing = {op for op in offices if op.startswith(("PATCH", "PUT"))}
    assert changing == set(), "an existing record's office must not be changeable"


def _api(user: Any) -> tuple[Client, str]:
    return Client(), f"Bearer {viewer('mass', user).token}"


def test_creating_a_person_ignores_server_fields_and_checks_the_office(
    personas: Personas,
) -> None:
    client, bearer = _api(personas.caseworker_a)
    body = {
        "office_id": str(personas.office_a.pk),
        "given_name": "Hana",
        "family_name": "Tesfaye",
        "version": 99,
        **EXTRAS,
    }
    response = client.post(
        "/api/v1/people", body, content_type="application/json", HTTP_AUTHORIZATION=bearer
    )
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert str(person.pk) != FORGED_ID
    assert person.version == 1
    assert person.created_at.year > 2000
    assert person.name_index != "forged"
    assert person.photo_type == ""
    # An office where the user may not register is refused, not applied.
    body["office_id"] = str(personas.office_b.pk)
    refused = client.post(
        "/api/v1/people", body, content_type="application/json", HTTP_AUTHORIZATION=bearer
    )
    assert refused.status_code in (403, 404, 422)
    assert not Person.objects.filter(office=personas.office_b).exists()


def test_changing_a_person_never_moves_it_nor_sets_its_version(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    client, bearer = _api(personas.caseworker_a)
    url = f"/api/v1/people/{person.pk}"
    forged = {
        "version": person.version,
        "given_name": "Changed",
        "office_id": str(personas.office_b.pk),
        **EXTRAS,
    }
    response = client.patch(url, forged, content_type="application/json", HTTP_AUTHORIZATION=bearer)
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.office_id == personas.office_a.pk
    assert person.given_name == "Changed"
    assert person.version == 2  # set by the service, one more than the version read
    assert not Person.objects.filter(pk=FORGED_ID).exists()
    # A version the client makes up (ahead of the stored one) is refused.
    ahead = {"version": 50, "given_name": "Again"}
    response = client.patch(url, ahead, content_type="application/json", HTTP_AUTHORIZATION=bearer)
    assert response.status_code == 409
    person.refresh_from_db()
    assert (person.version, person.given_name) == (2, "Changed")


def test_the_person_form_ignores_fields_it_does_not_show(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    form = PersonUpdateForm(instance=person, initial={"version": person.version})
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data.update(
        {
            "given_name": "Formed",
            "office": str(personas.office_b.pk),
            "office_id": str(personas.office_b.pk),
            "id": str(uuid.uuid4()),
            "created_at": "2000-01-01",
            "photo_type": "text/html",
        }
    )
    response = client_for(personas.caseworker_a).post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.given_name == "Formed"
    assert person.office_id == personas.office_a.pk
    assert person.photo_type == ""
    assert person.created_at.year > 2000
