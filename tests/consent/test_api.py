"""Consent over the API: happy paths, 422 field errors, 409 on a refused withdrawal, 404s."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import PDF, ConsentFactory, adult, members_of
from wayhome.accounts.models import User
from wayhome.api.services import token_issue
from wayhome.cases.models import Case
from wayhome.cases.services import case_transition
from wayhome.cases.workflow import Status
from wayhome.consent.models import DataSharingConsent, InformationSession

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


def today() -> str:
    return timezone.localdate().isoformat()


def a_case(personas: Personas) -> Case:
    case = CaseFactory.create(office=personas.office_a, principal=adult(personas.office_a))
    return case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)


def test_a_session_a_declaration_then_submission(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    api = Api(personas.caseworker_a)
    answer = api.post(
        f"{BASE}/{case.pk}/sessions",
        {
            "held_on": today(),
            "language": "ti",
            "topics": ["return_process", "rights_and_withdrawal"],
            "attendee_ids": [str(member.pk)],
        },
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["attendee_ids"] == [str(member.pk)]
    listed = api.get(f"{BASE}/{case.pk}/sessions").json()
    assert [s["id"] for s in listed] == [answer.json()["id"]]

    url = f"{BASE}/{case.pk}/members/{member.pk}/declaration"
    before = api.get(url).json()
    assert before["declaration"] is None
    assert {u["code"] for u in before["unmet"]} == {"declaration_missing"}
    assert before["label"] == "Principal applicant (1)"
    answer = api.post(
        url,
        {
            "freedom_of_choice": True,
            "informed_decision": True,
            "declared_on": today(),
            "signed_form_base64": base64.b64encode(PDF).decode(),
            "signed_form_type": "application/pdf",
        },
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["declaration"]["counts"] is True
    assert body["unmet"] == []
    assert "signed_form" not in body["declaration"]
    summary = api.get(f"{BASE}/{case.pk}/voluntariness").json()
    assert summary[0]["unmet"] == []
    case_transition(actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED)


def test_field_errors_are_422_and_nothing_is_saved(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    api = Api(personas.caseworker_a)
    answer = api.post(
        f"{BASE}/{case.pk}/sessions",
        {"held_on": "2999-01-01", "language": "qq", "topics": [], "attendee_ids": []},
    )
    assert answer.status_code == 422
    fields = {d["field"] for d in answer.json()["error"]["details"]}
    assert {"held_on", "language", "topics", "attendees"} <= fields
    assert not InformationSession.objects.exists()
    answer = api.post(
        f"{BASE}/{case.pk}/members/{member.pk}/declaration",
        {
            "freedom_of_choice": True,
            "informed_decision": True,
            "declared_on": today(),
            "signed_form_base64": base64.b64encode(b"GIF89a").decode(),
            "signed_form_type": "image/png",
        },
    )
    assert answer.status_code == 422
    assert [d["field"] for d in answer.json()["error"]["details"]] == ["signed_form"]
    answer = api.post(
        f"{BASE}/{case.pk}/members/{member.pk}/declaration",
        {
            "freedom_of_choice": True,
            "informed_decision": True,
            "declared_on": today(),
            "signed_form_base64": "not base64!",
            "signed_form_type": "application/pdf",
        },
    )
    assert answer.status_code == 422
    assert member.declarations.count() == 0


def test_detention_review_over_the_api(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    url = f"{BASE}/{case.pk}/members/{member.pk}/declaration"
    Api(personas.caseworker_a).post(
        url,
        {
            "freedom_of_choice": True,
            "informed_decision": True,
            "declared_on": today(),
            "in_detention": True,
            "signed_form_base64": base64.b64encode(PDF).decode(),
            "signed_form_type": "application/pdf",
        },
    )
    own = Api(personas.caseworker_a).post(f"{url}/review", {"note": "fine"})
    assert own.status_code == 422
    answer = Api(personas.manager_a).post(f"{url}/review", {"note": "Seen alone."})
    assert answer.status_code == 200
    assert answer.json()["declaration"]["counts"] is True


def test_withdrawal_then_409_after(personas: Personas) -> None:
    case = a_case(personas)
    api = Api(personas.caseworker_a)
    answer = api.post(f"{BASE}/{case.pk}/withdrawal", {"reason": "Decided to stay."})
    assert answer.status_code == 201, answer.content
    assert answer.json()["case_status"] == "withdrawn"
    again = api.post(f"{BASE}/{case.pk}/withdrawal", {"reason": "Again."})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "transition_blocked"
    assert again.json()["error"]["details"][0]["code"] == "withdrawal_after_departure"
    departed = a_case(personas)
    Case.objects.filter(pk=departed.pk).update(status=Status.DEPARTED)
    blocked = api.post(f"{BASE}/{departed.pk}/withdrawal", {"reason": "Too late."})
    assert blocked.status_code == 409


def test_consents_of_the_case_people(personas: Personas) -> None:
    case = a_case(personas)
    person_id = str(members_of(case)[0].person_id)
    api = Api(personas.caseworker_a)
    stranger = ConsentFactory.create(office=personas.office_a)
    answer = api.post(
        f"{BASE}/{case.pk}/consents",
        {
            "person_id": person_id,
            "purpose": "reintegration_assistance",
            "recipient_kind": "origin_office",
            "recipient_office_id": str(personas.office_b.pk),
            "given_on": today(),
        },
    )
    assert answer.status_code == 201, answer.content
    consent_id = answer.json()["id"]
    listed = api.get(f"{BASE}/{case.pk}/consents").json()
    assert [c["id"] for c in listed] == [consent_id]  # not the stranger's
    missing = api.post(
        f"{BASE}/{case.pk}/consents",
        {
            "person_id": person_id,
            "purpose": "research",
            "recipient_kind": "partner",
            "given_on": today(),
        },
    )
    assert missing.status_code == 422
    assert [d["field"] for d in missing.json()["error"]["details"]] == ["recipient_name"]
    not_on_case = api.post(f"{BASE}/{case.pk}/consents/{stranger.pk}/revoke", {})
    assert not_on_case.status_code == 404
    revoked = api.post(f"{BASE}/{case.pk}/consents/{consent_id}/revoke", {})
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    twice = api.post(f"{BASE}/{case.pk}/consents/{consent_id}/revoke", {})
    assert twice.status_code == 409
    assert DataSharingConsent.objects.get(pk=consent_id).revoked_on is not None


def test_another_office_gets_404_everywhere(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    api = Api(personas.caseworker_b)
    for path in (
        f"{BASE}/{case.pk}/sessions",
        f"{BASE}/{case.pk}/members/{member.pk}/declaration",
        f"{BASE}/{case.pk}/consents",
        f"{BASE}/{case.pk}/voluntariness",
    ):
        assert api.get(path).status_code == 404, path
    assert api.post(f"{BASE}/{case.pk}/withdrawal", {"reason": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.COUNSELLING
