"""Only holders of the register permission record restrictions (pages and API); bad input gets
field errors and saves nothing."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.safety.factories import record, safety_officer
from wayhome.accounts.models import User
from wayhome.api.services import token_issue
from wayhome.safety.models import Restriction, RestrictionDecision

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


def api_body(approver: User, **overrides: Any) -> dict[str, Any]:
    body = {
        "country": "AF",
        "region": "",
        "programmes": ["AVRR"],
        "status": "suspended",
        "valid_from": str(TODAY),
        "valid_to": None,
        "reason": "Armed conflict",
        "source": "Notice 12",
        "approved_by_id": str(approver.pk),
        "pauses_post_arrival": True,
    }
    body.update(overrides)
    return body


def form_data(approver: User, **overrides: Any) -> dict[str, Any]:
    data = {
        "country": "AF",
        "region": "",
        "programmes": ["AVRR"],
        "status": "suspended",
        "valid_from": str(TODAY),
        "valid_to": "",
        "reason": "Armed conflict",
        "source": "Notice 12",
        "approved_by": str(approver.pk),
    }
    data.update(overrides)
    return data


def test_only_register_maintainers_record_over_the_api(personas: Personas) -> None:
    officer = safety_officer(personas.office_a)
    for user in (personas.caseworker_a, personas.manager_a, personas.caseworker_b):
        response = Api(user).post("/api/v1/safety/restrictions", api_body(officer))
        assert response.status_code == 403, user
    assert not Restriction.objects.exists()
    response = Api(officer).post("/api/v1/safety/restrictions", api_body(officer))
    assert response.status_code == 201
    created = response.json()["restriction"]
    assert created["number"] == 1
    # Everyone reads the register and asks what applied.
    api = Api(personas.caseworker_b)
    assert api.get("/api/v1/safety/restrictions").json()[0]["id"] == created["id"]
    answer = api.get("/api/v1/safety/restrictions/in-force", {"country": "AF", "programme": "AVRR"})
    assert answer.json()["status"] == "suspended"
    # A new version: others 403; a stale one 409.
    path = f"/api/v1/safety/restrictions/{created['id']}/versions"
    lift = api_body(officer, status="open")
    assert api.post(path, lift).status_code == 403
    assert Api(officer).post(path, lift).status_code == 201
    assert Api(officer).post(path, lift).status_code == 409
    assert Restriction.objects.count() == 2


def test_only_register_maintainers_record_on_the_pages(personas: Personas) -> None:
    officer = safety_officer(personas.office_a)
    url = reverse("safety:restriction-create")
    for user in (personas.caseworker_a, personas.manager_a, personas.caseworker_b):
        client = client_for(user)
        assert client.get(url).status_code == 403
        assert client.post(url, form_data(officer)).status_code == 403
    version, _ = record(officer)
    revise = reverse("safety:restriction-revise", kwargs={"restriction": version.pk})
    assert client_for(personas.caseworker_a).post(revise, form_data(officer)).status_code == 403
    assert Restriction.objects.count() == 1
    client = client_for(officer)
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(officer, country="IQ"))
    assert response.status_code == 302
    assert Restriction.objects.filter(country="IQ").count() == 1
    response = client.post(revise, {**form_data(officer, status="open"), "number": "1"})
    assert response.status_code == 302
    assert Restriction.objects.filter(series=version.series).count() == 2


BAD = [
    ({"country": "XX"}, "country"),
    ({"country": "AF", "region": "IQ-NI"}, "region"),
    ({"region": "AF-ZZZ"}, "region"),
    ({"valid_to": str(TODAY - datetime.timedelta(days=2))}, "valid_to"),
    ({"reason": "Armed\x00 conflict"}, "reason"),
    ({"source": "Notice\x1b[31m"}, "source"),
    ({"reason": "x" * 1001}, "reason"),
    ({"programmes": []}, "programmes"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_input_gets_field_errors_and_saves_nothing(
    personas: Personas, change: dict[str, Any], field: str
) -> None:
    officer = safety_officer(personas.office_a)
    response = Api(officer).post("/api/v1/safety/restrictions", api_body(officer, **change))
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert field in fields
    client = client_for(officer)
    page = client.post(reverse("safety:restriction-create"), form_data(officer, **change))
    assert page.status_code == 422
    assert field in page.context["form"].errors
    assert not Restriction.objects.exists()


def test_case_decisions_over_the_api(personas: Personas) -> None:
    officer = safety_officer(personas.office_a)
    record(officer, status="case_by_case")
    case = CaseFactory.create(office=personas.office_a, destination_country="AF")
    path = f"/api/v1/safety/cases/{case.pk}/decisions"
    assert Api(personas.caseworker_b).post(path, {"reason": "ok"}).status_code == 404
    assert Api(personas.caseworker_a).post(path, {"reason": "ok"}).status_code == 403
    assert Api(personas.manager_a).post(path, {"reason": ""}).status_code == 422
    response = Api(personas.manager_a).post(path, {"reason": "Safe district"})
    assert response.status_code == 201
    assert Api(personas.caseworker_a).get(path).json()[0]["reason"] == "Safe district"
    state = Api(personas.caseworker_a).get(f"/api/v1/safety/cases/{case.pk}/restriction")
    assert state.json()["status"] == "case_by_case"
    assert RestrictionDecision.objects.count() == 1
    page = reverse("safety:case-restriction", kwargs={"case_id": case.pk})
    assert client_for(personas.caseworker_b).get(page).status_code == 404
    assert client_for(personas.caseworker_a).post(page, {"reason": "x"}).status_code == 403
    assert client_for(personas.manager_a).post(page, {"reason": "Again"}).status_code == 302
    assert RestrictionDecision.objects.count() == 2
