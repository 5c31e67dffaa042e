"""People over the REST API: the same isolation, audit and validation as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Personas
from tests.people.factories import PersonFactory
from wayhome.accounts.models import User
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.people.models import Person

BASE = "/api/v1/people"


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def send(self, method: str, path: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        call = getattr(self.client, method)
        return call(path, data, content_type="application/json", headers=self.headers)


@pytest.fixture
def amina(personas: Personas) -> Person:
    return PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")


def test_list_and_search_show_only_the_users_offices(personas: Personas, amina: Person) -> None:
    theirs = PersonFactory.create(office=personas.office_b, given_name="Amina", family_name="Yusuf")
    mine = Api(personas.caseworker_a)
    listed = mine.get(BASE).json()
    assert [item["id"] for item in listed["items"]] == [str(amina.pk)]
    assert listed["count"] == 1
    found = mine.send("post", f"{BASE}/search", {"q": "yusuf AMINA"}).json()
    assert [item["id"] for item in found["items"]] == [str(amina.pk)]
    assert str(theirs.pk) not in json.dumps(found)
    search = AuditEvent.objects.get(action="person.search")
    assert "yusuf" not in json.dumps(search.details).lower()


def test_a_record_is_read_audited_and_hidden_from_other_offices(
    personas: Personas, amina: Person
) -> None:
    response = Api(personas.caseworker_a).get(f"{BASE}/{amina.pk}")
    assert response.status_code == 200
    assert response.json()["family_name"] == "Yusuf"
    assert AuditEvent.objects.filter(action="person.view", object_id=str(amina.pk)).count() == 1
    other = Api(personas.caseworker_b).get(f"{BASE}/{amina.pk}")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"


def test_register_a_person_with_a_name_in_arabic_script(personas: Personas) -> None:
    body = {
        "office_id": str(personas.office_a.pk),
        "given_name": "فاطمة",
        "family_name": "الزهراء",
        "name_as_written": "فاطمة الزهراء",
        "date_of_birth": "1990-05-17",
        "sex": "female",
        "nationality": "sy",
    }
    response = Api(personas.caseworker_a).send("post", BASE, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["given_name"] == "فاطمة"
    assert created["nationality"] == "SY"
    stored = Person.objects.get(pk=created["id"])
    assert stored.name_as_written == "فاطمة الزهراء"
    assert AuditEvent.objects.filter(action="person.create", object_id=created["id"]).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"nationality": "XX"}, "nationality"),
        ({"given_name": "x" * 151}, "given_name"),
        ({"sex": "f"}, "sex"),
        ({"given_name": ""}, "given_name"),
    ],
)
def test_bad_input_gets_field_errors_and_saves_nothing(
    personas: Personas, change: dict[str, str], field: str
) -> None:
    body = {"office_id": str(personas.office_a.pk), "given_name": "Ali", "family_name": "Said"}
    response = Api(personas.caseworker_a).send("post", BASE, body | change)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in [detail["field"] for detail in error["details"]]
    assert "XX" not in json.dumps(error)
    assert not Person.objects.exists()


def test_malformed_json_and_another_office(personas: Personas) -> None:
    api = Api(personas.caseworker_a)
    malformed = api.send("post", BASE, '{"given_name": ')
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "malformed_json"
    body = {"office_id": str(personas.office_b.pk), "given_name": "Ali", "family_name": "Said"}
    elsewhere = api.send("post", BASE, body)
    assert elsewhere.status_code == 404
    assert not Person.objects.exists()


def test_change_with_the_version_read_and_refuse_a_stale_one(
    personas: Personas, amina: Person
) -> None:
    api = Api(personas.caseworker_a)
    changed = api.send("patch", f"{BASE}/{amina.pk}", {"version": 1, "family_name": "Yousef"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    stale = api.send("patch", f"{BASE}/{amina.pk}", {"version": 1, "family_name": "Youssef"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    amina.refresh_from_db()
    assert amina.family_name == "Yousef"
    assert (
        Api(personas.caseworker_b)
        .send("patch", f"{BASE}/{amina.pk}", {"version": 2, "family_name": "X"})
        .status_code
        == 404
    )
