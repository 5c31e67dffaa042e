"""Consent over the API: happy paths, 422 field errors, 409 on a refused withdrawal, 404s."""

from __future__ import annotations

import base64
import json
from typing import Any, get_args

import pytest
from django.test import Client
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import (
    PDF,
    PNG,
    ConsentFactory,
    MemberFactory,
    RepresentativeFactory,
    adult,
    members_of,
)
from tests.factories import UserFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case
from wayhome.cases.services import TransitionBlocked, case_transition
from wayhome.cases.workflow import Status
from wayhome.consent import api as consent_api
from wayhome.consent.models import (
    CapacityAssessment,
    DataSharingConsent,
    InformationSession,
    LegalRepresentative,
    RepresentativeDecision,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.client.post(
            path,
            json.dumps(body),
            content_type="application/json",
            headers={**self.headers, **headers},
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


# --- capacity and legal representation ----------------------------------------------------------


def member_url(case: Case, member: Any) -> str:
    return f"{BASE}/{case.pk}/members/{member.pk}"


def test_lacking_capacity_then_a_guardian_agrees_clears_what_is_unmet(
    personas: Personas,
) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    url = member_url(case, member)
    api = Api(personas.caseworker_a)
    assessed = api.post(
        f"{url}/capacity",
        {
            "has_capacity": False,
            "assessed_on": today(),
            "assessor": "Dr. Rana Aziz, psychiatrist",
            "notes": "Severe dementia.\nSeen with her daughter.",
        },
    )
    assert assessed.status_code == 201, assessed.content
    assert assessed.json()["lacks_capacity"] is True
    assert [u["code"] for u in assessed.json()["unmet"]] == ["representative_decision_missing"]
    assert CapacityAssessment.objects.get(member=member).notes.count("\n") == 1
    with pytest.raises(TransitionBlocked):
        case_transition(actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED)

    added = api.post(
        f"{url}/representatives",
        {
            "name": "Amal Haddad",
            "kind": "guardian",
            "relationship": "daughter",
            "contact": "+49 30 1234567",
        },
    )
    assert added.status_code == 201, added.content
    representative = added.json()
    assert representative["kind"] == "guardian"
    assert representative["latest_decision"] is None
    assert "Amal" not in added.content.decode()  # the name is read in the list only
    assert "1234567" not in added.content.decode()

    views = AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).count()
    listed = api.get(f"{url}/representatives")
    assert listed.status_code == 200
    assert [(r["id"], r["name"], r["relationship"]) for r in listed.json()] == [
        (representative["id"], "Amal Haddad", "daughter")
    ]
    assert "contact" not in listed.json()[0]
    event = AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).last()
    assert event is not None
    assert event.details == {"api": True, "read": "representatives"}
    assert "Amal" not in json.dumps(event.details)
    assert AuditEvent.objects.filter(action="case.view").count() == views + 1

    decided = api.post(
        f"{url}/representatives/{representative['id']}/decision",
        {
            "decision": "agrees",
            "decided_on": today(),
            "signed_form_base64": base64.b64encode(PNG).decode(),
            "signed_form_type": "image/png",
        },
    )
    assert decided.status_code == 201, decided.content
    assert decided.json()["lacks_capacity"] is True
    assert decided.json()["unmet"] == []
    assert "Amal" not in decided.content.decode()
    latest = api.get(f"{url}/representatives").json()[0]["latest_decision"]
    assert latest == {"decision": "agrees", "decided_on": today(), "has_signed_form": True}
    voluntariness = api.get(f"{BASE}/{case.pk}/voluntariness").json()
    assert voluntariness[0]["unmet"] == []
    moved = case_transition(
        actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED
    )
    assert moved.status == Status.APPLICATION_SUBMITTED


def test_a_refusal_replaces_an_agreement(personas: Personas) -> None:
    case = a_case(personas)
    member = MemberFactory.create(case=case, person=adult(personas.office_a))
    representative = RepresentativeFactory.create(member=member)
    url = f"{member_url(case, member)}/representatives/{representative.pk}/decision"
    api = Api(personas.caseworker_a)
    api.post(
        f"{member_url(case, member)}/capacity",
        {"has_capacity": False, "assessed_on": today(), "assessor": "Dr. Aziz"},
    )
    assert api.post(url, {"decision": "agrees", "decided_on": today()}).status_code == 201
    refused = api.post(url, {"decision": "refuses", "decided_on": today()})
    assert refused.status_code == 201
    assert [u["code"] for u in refused.json()["unmet"]] == ["representative_refuses"]
    listed = api.get(f"{member_url(case, member)}/representatives").json()
    assert listed[0]["latest_decision"]["decision"] == "refuses"
    assert listed[0]["latest_decision"]["has_signed_form"] is False


def test_the_codes_are_the_models_choices() -> None:
    assert set(get_args(consent_api.RepresentativeKindCode)) == set(LegalRepresentative.Kind.values)
    assert set(get_args(consent_api.DecisionCode)) == set(RepresentativeDecision.Decision.values)


BAD_INPUT = [
    ("capacity", {"assessed_on": "2999-01-01"}, "assessed_on", "future_date"),
    ("capacity", {"assessed_on": "yesterday"}, "assessed_on", None),
    ("capacity", {"assessor": "Dr.\x00Aziz"}, "assessor", "control_characters"),
    ("capacity", {"assessor": "Dr. Aziz\nnurse"}, "assessor", "control_characters"),
    ("capacity", {"assessor": "   "}, "assessor", "blank"),
    ("capacity", {"assessor": "x" * 201}, "assessor", None),
    ("capacity", {"notes": "fine\x1b[31m"}, "notes", "control_characters"),
    ("capacity", {"has_capacity": "perhaps"}, "has_capacity", None),
    ("representatives", {"kind": "uncle"}, "kind", None),
    ("representatives", {"name": "Amal\u0085Haddad"}, "name", "control_characters"),
    ("representatives", {"name": ""}, "name", "blank"),
    ("representatives", {"relationship": "x" * 101}, "relationship", None),
    ("representatives", {"contact": "tel\x07"}, "contact", "control_characters"),
    ("decision", {"decided_on": "2999-01-01"}, "decided_on", "future_date"),
    ("decision", {"decision": "maybe"}, "decision", None),
    ("decision", {"signed_form_base64": "not base64!"}, "signed_form_base64", None),
    (
        "decision",
        {
            "signed_form_base64": base64.b64encode(b"GIF89a").decode(),
            "signed_form_type": "image/png",
        },
        "signed_form",
        "file_type",
    ),
    (
        "decision",
        {"signed_form_base64": base64.b64encode(PDF).decode(), "signed_form_type": "text/plain"},
        "signed_form_type",
        None,
    ),
]


@pytest.mark.parametrize(
    ("endpoint", "change", "field", "code"),
    BAD_INPUT,
    ids=[f"{endpoint}-{field}-{i}" for i, (endpoint, _c, field, _t) in enumerate(BAD_INPUT)],
)
def test_bad_capacity_and_representation_input_is_422_and_saves_nothing(
    personas: Personas, endpoint: str, change: dict[str, Any], field: str, code: str | None
) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    representative = RepresentativeFactory.create(member=member)
    valid: dict[str, tuple[str, dict[str, Any]]] = {
        "capacity": (
            "capacity",
            {"has_capacity": False, "assessed_on": today(), "assessor": "Dr. Aziz"},
        ),
        "representatives": ("representatives", {"name": "Omar Haddad", "kind": "guardian"}),
        "decision": (
            f"representatives/{representative.pk}/decision",
            {"decision": "agrees", "decided_on": today()},
        ),
    }
    path, body = valid[endpoint]
    answer = Api(personas.caseworker_a).post(
        f"{member_url(case, member)}/{path}", {**body, **change}
    )
    assert answer.status_code == 422, answer.content
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert [d["field"] for d in error["details"]] == [field]
    if code is not None:
        assert error["details"][0]["type"] == code
    assert "Haddad" not in answer.content.decode()  # the value sent is not repeated
    assert not CapacityAssessment.objects.exists()
    assert LegalRepresentative.objects.count() == 1
    assert not RepresentativeDecision.objects.exists()


def test_a_representative_of_another_member_or_case_answers_404(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    spouse = MemberFactory.create(case=case, person=adult(personas.office_a))
    of_spouse = RepresentativeFactory.create(member=spouse)
    of_other_case = RepresentativeFactory.create(office=personas.office_a)
    api = Api(personas.caseworker_a)
    body = {"decision": "agrees", "decided_on": today()}
    for representative in (of_spouse, of_other_case):
        url = f"{member_url(case, member)}/representatives/{representative.pk}/decision"
        answer = api.post(url, body)
        assert answer.status_code == 404, answer.content
        assert answer.json()["error"]["code"] == "not_found"
    # the right member and case: recorded
    right = f"{member_url(case, spouse)}/representatives/{of_spouse.pk}/decision"
    assert api.post(right, body).status_code == 201
    # a representative given with another case's id in the path
    other = of_other_case.member
    wrong_case = f"{member_url(case, other)}/representatives/{of_other_case.pk}/decision"
    assert api.post(wrong_case, body).status_code == 404
    assert RepresentativeDecision.objects.count() == 1


def test_capacity_and_representatives_of_another_office_answer_404(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    representative = RepresentativeFactory.create(member=member)
    url = member_url(case, member)
    capacity = {"has_capacity": False, "assessed_on": today(), "assessor": "Dr. Aziz"}
    decision = {"decision": "agrees", "decided_on": today()}
    for user in (personas.caseworker_b, personas.auditor_a):  # another office; no case.view
        api = Api(user)
        assert api.get(f"{url}/representatives").status_code == 404
        assert api.post(f"{url}/capacity", capacity).status_code == 404
        assert api.post(f"{url}/representatives", {"name": "X", "kind": "other"}).status_code == 404
        assert (
            api.post(f"{url}/representatives/{representative.pk}/decision", decision).status_code
            == 404
        )
    assert not CapacityAssessment.objects.exists()
    assert LegalRepresentative.objects.count() == 1
    assert not RepresentativeDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="case.view").exists()


def test_view_only_reads_the_representatives_but_records_nothing(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    representative = RepresentativeFactory.create(member=member)
    viewer = UserFactory.create(roles=[(personas.office_a, Role.OPERATIONS)])  # case.view only
    api = Api(viewer)
    url = member_url(case, member)
    assert [r["id"] for r in api.get(f"{url}/representatives").json()] == [str(representative.pk)]
    capacity = {"has_capacity": False, "assessed_on": today(), "assessor": "Dr. Aziz"}
    assert api.post(f"{url}/capacity", capacity).status_code == 404
    assert api.post(f"{url}/representatives", {"name": "X", "kind": "other"}).status_code == 404
    decision = {"decision": "agrees", "decided_on": today()}
    assert (
        api.post(f"{url}/representatives/{representative.pk}/decision", decision).status_code == 404
    )
    assert not CapacityAssessment.objects.exists()
    assert not RepresentativeDecision.objects.exists()


def test_a_closed_case_refuses_capacity_and_representation(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    Case.objects.filter(pk=case.pk).update(status=Status.DEPARTED)
    capacity = {"has_capacity": True, "assessed_on": today(), "assessor": "Dr. Aziz"}
    answer = Api(personas.caseworker_a).post(f"{member_url(case, member)}/capacity", capacity)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["type"] == "case_closed"
    assert not CapacityAssessment.objects.exists()


def test_a_retried_representative_add_is_answered_not_redone(personas: Personas) -> None:
    case = a_case(personas)
    member = members_of(case)[0]
    api = Api(personas.caseworker_a)
    url = f"{member_url(case, member)}/representatives"
    body = {"name": "Amal Haddad", "kind": "legal_representative"}
    first = api.post(url, body, **{"Idempotency-Key": "rep-1"})
    again = api.post(url, body, **{"Idempotency-Key": "rep-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert LegalRepresentative.objects.count() == 1
