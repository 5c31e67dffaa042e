"""Cases over the REST API: every endpoint, the 409 and 422 shapes, isolation and audit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import cover_travellers
from tests.people.factories import PersonFactory
from wayhome.accounts.models import User
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseMember, CaseTransition
from wayhome.cases.services import case_transition
from wayhome.cases.workflow import Status
from wayhome.eligibility.services import eligibility_decide
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        call = getattr(self.client, method)
        return call(path, data, content_type="application/json", headers=self.headers)


def new_case(personas: Personas, **overrides: Any) -> dict[str, Any]:
    principal = overrides.pop("principal", None) or PersonFactory.create(office=personas.office_a)
    body = {
        "office_id": str(personas.office_a.pk),
        "principal_id": str(principal.pk),
        "members": [],
        "programme": "AVRR",
        "category": "stranded",
        "destination_country": "IQ",
        "destination_region": "IQ-BG",
        "destination_place": "Karrada",
        "funding_source": "AMIF",
        "notes": "",
    }
    body.update(overrides)
    return body


def fields_of(response: Any) -> set[str]:
    error = response.json()["error"]
    return {item["field"] for item in error["details"]}


def test_list_filters_and_isolation(personas: Personas) -> None:
    mine = CaseFactory.create(office=personas.office_a, destination_country="IQ")
    other = CaseFactory.create(office=personas.office_a)
    case_transition(actor=personas.caseworker_a, case=other, target=Status.COUNSELLING)
    theirs = CaseFactory.create(office=personas.office_b)
    api = Api(personas.caseworker_a)
    listed = api.get(BASE).json()
    assert listed["count"] == 2
    assert str(theirs.pk) not in json.dumps(listed)
    assert [i["id"] for i in api.get(BASE, {"status": "counselling"}).json()["items"]] == [
        str(other.pk)
    ]
    assert [i["id"] for i in api.get(BASE, {"destination_country": "IQ"}).json()["items"]] == [
        str(mine.pk)
    ]
    assert api.get(BASE, {"status": "nonsense"}).status_code == 422
    assert api.get(BASE, {"office_id": str(personas.office_b.pk)}).json()["count"] == 0
    assert AuditEvent.objects.filter(action="case.list").count() >= 1


def test_search_by_reference_and_by_name(personas: Personas) -> None:
    child = PersonFactory.create(office=personas.office_a, given_name="Sara", family_name="Yusuf")
    case = CaseFactory.create(office=personas.office_a, members=[(child, "child")])
    CaseFactory.create(office=personas.office_a)
    twin = PersonFactory.create(office=personas.office_b, given_name="Sara", family_name="Yusuf")
    hidden = CaseFactory.create(office=personas.office_b, principal=twin)
    api = Api(personas.caseworker_a)
    found = api.send("post", f"{BASE}/search", {"q": "YUSUF sara"}).json()
    assert [item["id"] for item in found["items"]] == [str(case.pk)]
    assert str(hidden.pk) not in json.dumps(found)
    by_reference = api.send("post", f"{BASE}/search", {"q": case.reference}).json()
    assert [item["id"] for item in by_reference["items"]] == [str(case.pk)]
    search = AuditEvent.objects.filter(action="case.search").first()
    assert search is not None
    assert "yusuf" not in json.dumps(search.details).lower()
    assert api.send("post", f"{BASE}/search", {"q": ""}).status_code == 422


def test_create_with_family_and_arabic_round_trip(personas: Personas) -> None:
    principal = PersonFactory.create(
        office=personas.office_a,
        given_name="Ahmed",
        family_name="Haddad",
        name_as_written="أحمد حداد",
    )
    child = PersonFactory.create(office=personas.office_a)
    api = Api(personas.caseworker_a)
    body = new_case(
        personas,
        principal=principal,
        members=[{"person_id": str(child.pk), "relationship": "child"}],
        destination_place="الكرادة، بغداد",
        notes="يحتاج مترجماً",
        assigned_to_id=str(personas.caseworker_a.pk),
    )
    response = api.send("post", BASE, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["destination_place"] == "الكرادة، بغداد"
    assert data["notes"] == "يحتاج مترجماً"
    assert data["status"] == "registered"
    assert {(m["person_id"], m["relationship"]) for m in data["members"]} == {
        (str(principal.pk), "principal"),
        (str(child.pk), "child"),
    }
    read = api.get(f"{BASE}/{data['id']}").json()
    assert read["destination_place"] == "الكرادة، بغداد"
    assert Person.objects.get(pk=principal.pk).name_as_written == "أحمد حداد"
    assert AuditEvent.objects.filter(action="case.view", object_id=data["id"]).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"destination_country": "XX"}, "destination_country"),
        ({"destination_region": "NG-LA"}, "destination_region"),
        ({"category": "tourist"}, "category"),
        ({"programme": "XYZ"}, "programme"),
        ({"notes": "x" * 5001}, "notes"),
        ({"funding_source": "bad\x00text"}, "funding_source"),
        ({"destination_place": "a\x07b"}, "destination_place"),
        ({"members": [{"person_id": "", "relationship": "child"}]}, "members.0.person_id"),
        ({"assigned_to_id": "00000000-0000-0000-0000-000000000000"}, "assigned_to_id"),
    ],
)
def test_bad_input_gets_field_errors_and_nothing_is_saved(
    personas: Personas, overrides: dict[str, Any], field: str
) -> None:
    response = Api(personas.caseworker_a).send("post", BASE, new_case(personas, **overrides))
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert field in fields_of(response)
    assert not Case.objects.exists()
    assert not CaseMember.objects.exists()


def test_people_of_another_office_or_on_an_open_case_are_refused(personas: Personas) -> None:
    api = Api(personas.caseworker_a)
    stranger = PersonFactory.create(office=personas.office_b)
    assert fields_of(api.send("post", BASE, new_case(personas, principal=stranger))) == {
        "principal_id"
    }
    member = {"person_id": str(stranger.pk), "relationship": "child"}
    refused = api.send("post", BASE, new_case(personas, members=[member]))
    assert fields_of(refused) == {"members.0.person_id"}
    busy = CaseFactory.create(office=personas.office_a).principal
    taken = api.send("post", BASE, new_case(personas, principal=busy))
    assert taken.status_code == 422
    assert fields_of(taken) == {"members"}
    assert Case.objects.count() == 1


def test_malformed_json_and_another_offices_create_are_refused(personas: Personas) -> None:
    api = Api(personas.caseworker_a)
    response = api.send("post", BASE, '{"office_id": ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    foreign = new_case(personas, office_id=str(personas.office_b.pk))
    assert api.send("post", BASE, foreign).status_code == 404
    assert not Case.objects.exists()


def test_get_and_patch_with_version(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    api = Api(personas.caseworker_a)
    url = f"{BASE}/{case.pk}"
    assert Api(personas.caseworker_b).get(url).status_code == 404
    read = api.get(url).json()
    changed = api.send("patch", url, {"version": read["version"], "funding_source": "AMIF"})
    assert changed.status_code == 200
    assert changed.json()["funding_source"] == "AMIF"
    stale = api.send("patch", url, {"version": read["version"], "funding_source": "other"})
    assert stale.status_code == 409
    bad = api.send("patch", url, {"version": changed.json()["version"], "destination_region": "XX"})
    assert bad.status_code == 422
    assert "destination_region" in fields_of(bad)
    case.refresh_from_db()
    assert case.funding_source == "AMIF"
    assert case.destination_region == ""
    assert Api(personas.caseworker_b).send("patch", url, {"version": 2}).status_code == 404


def test_transitions_timeline_and_missing(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    api = Api(personas.caseworker_a)
    url = f"{BASE}/{case.pk}/transitions"
    moved = api.send("post", url, {"to": "counselling", "reason": "first meeting"})
    assert moved.status_code == 201, moved.content
    assert moved.json()["from"] == "registered"
    assert moved.json()["to"] == "counselling"
    timeline = api.get(url).json()
    assert [(s["from"], s["to"], s["reason"]) for s in timeline] == [
        ("registered", "counselling", "first meeting")
    ]
    missing = api.get(f"{BASE}/{case.pk}/missing").json()
    assert missing[0]["to"] == "application_submitted"
    assert {item["to"] for item in missing} >= {"withdrawn", "on_hold", "rejected"}
    withdrawn = next(item for item in missing if item["to"] == "withdrawn")
    assert [u["code"] for u in withdrawn["unmet"]] == ["reason_required"]
    assert Api(personas.caseworker_b).get(url).status_code == 404
    assert Api(personas.caseworker_b).get(f"{BASE}/{case.pk}/missing").status_code == 404


def test_a_refused_move_answers_409_with_every_unmet_condition(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    cover_travellers(personas.caseworker_a, case)
    case_transition(actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED)
    response = Api(personas.caseworker_a).send(
        "post", f"{BASE}/{case.pk}/transitions", {"to": "approved"}
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "transition_blocked"
    codes = {item["code"] for item in error["details"]}
    assert {"approver_role", "self_approval"} <= codes
    assert all(item["message"] for item in error["details"])
    assert Case.objects.get(pk=case.pk).status == Status.APPLICATION_SUBMITTED
    unknown = Api(personas.caseworker_a).send(
        "post", f"{BASE}/{case.pk}/transitions", {"to": "teleported"}
    )
    assert unknown.status_code == 422
    assert "eligibility_missing" in codes
    eligibility_decide(actor=personas.caseworker_a, case=case)
    approved = Api(personas.manager_a).send(
        "post", f"{BASE}/{case.pk}/transitions", {"to": "approved", "reason": ""}
    )
    assert approved.status_code == 201, approved.content
    assert CaseTransition.objects.filter(case=case).count() == 3
    assert AuditEvent.objects.filter(action="case.transition").count() == 3
    denied = Api(personas.caseworker_b).send(
        "post", f"{BASE}/{case.pk}/transitions", {"to": "travel_preparation"}
    )
    assert denied.status_code == 404


def test_the_list_needs_no_more_queries_for_more_cases(personas: Personas) -> None:
    api = Api(personas.caseworker_a)

    def queries() -> int:
        api.get(BASE)
        with CaptureQueriesContext(connection) as captured:
            assert api.get(BASE).status_code == 200
        return len(captured)

    CaseFactory.create(office=personas.office_a)
    few = queries()
    for _ in range(5):
        CaseFactory.create(office=personas.office_a)
    assert queries() == few


# --- adding a member ----------------------------------------------------------------------------


def test_add_a_family_member_to_a_case(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    child = PersonFactory.create(office=personas.office_a)
    api = Api(personas.caseworker_a)
    answer = api.send(
        "post", f"{BASE}/{case.pk}/members", {"person_id": str(child.pk), "relationship": "child"}
    )
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["id"] == str(case.pk)
    assert {(m["person_id"], m["relationship"], m["travelling"]) for m in data["members"]} == {
        (str(case.principal_id), "principal", True),
        (str(child.pk), "child", True),
    }
    assert CaseMember.objects.filter(case=case, person=child, relationship="child").exists()
    event = AuditEvent.objects.get(action="case.member_add")
    assert event.object_id == str(case.pk)
    assert event.details == {"relationship": "child"}
    case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    spouse = PersonFactory.create(office=personas.office_a)
    during_counselling = api.send(
        "post", f"{BASE}/{case.pk}/members", {"person_id": str(spouse.pk), "relationship": "spouse"}
    )
    assert during_counselling.status_code == 201, during_counselling.content
    assert len(during_counselling.json()["members"]) == 3


@pytest.mark.parametrize(
    ("who", "relationship", "field", "code"),
    [
        ("nobody", "child", "person_id", "unknown"),
        ("of_office_b", "child", "person_id", "unknown"),
        ("on_another_open_case", "child", "person_id", "already_on_open_case"),
        ("on_this_case", "child", "person_id", "already_on_open_case"),
        ("new", "principal", "relationship", "invalid"),
        ("new", "cousin", "relationship", "enum"),
        ("malformed", "child", "person_id", "uuid_parsing"),
    ],
)
def test_adding_a_member_refuses_bad_input_with_field_errors(
    personas: Personas, who: str, relationship: str, field: str, code: str
) -> None:
    case = CaseFactory.create(office=personas.office_a)
    people = {
        "nobody": lambda: "00000000-0000-0000-0000-000000000000",
        "of_office_b": lambda: str(PersonFactory.create(office=personas.office_b).pk),
        "on_another_open_case": lambda: str(
            CaseFactory.create(office=personas.office_a).principal_id
        ),
        "on_this_case": lambda: str(case.principal_id),
        "new": lambda: str(PersonFactory.create(office=personas.office_a).pk),
        "malformed": lambda: "not-a-uuid",
    }
    person_id = people[who]()
    members = CaseMember.objects.count()
    answer = Api(personas.caseworker_a).send(
        "post", f"{BASE}/{case.pk}/members", {"person_id": person_id, "relationship": relationship}
    )
    assert answer.status_code == 422, answer.content
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert [(d["field"], d["type"]) for d in error["details"]] == [(field, code)]
    assert CaseMember.objects.count() == members
    assert not AuditEvent.objects.filter(action="case.member_add").exists()


def test_adding_a_member_after_submission_answers_409(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    Case.objects.filter(pk=case.pk).update(status=Status.APPLICATION_SUBMITTED)
    person = PersonFactory.create(office=personas.office_a)
    answer = Api(personas.caseworker_a).send(
        "post", f"{BASE}/{case.pk}/members", {"person_id": str(person.pk), "relationship": "child"}
    )
    assert answer.status_code == 409, answer.content
    error = answer.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"] == "Members can be added only before the application is submitted."
    assert CaseMember.objects.filter(case=case).count() == 1


def test_adding_a_member_to_a_case_one_may_not_change_answers_404(personas: Personas) -> None:
    from tests.factories import UserFactory
    from wayhome.accounts.permissions import Role

    case = CaseFactory.create(office=personas.office_a)
    mine = PersonFactory.create(office=personas.office_a)
    theirs = PersonFactory.create(office=personas.office_b)
    viewer = UserFactory.create(roles=[(personas.office_a, Role.OPERATIONS)])  # case.view only
    url = f"{BASE}/{case.pk}/members"
    for user, person in (
        (personas.caseworker_b, theirs),
        (personas.caseworker_b, mine),
        (viewer, mine),
    ):
        body = {"person_id": str(person.pk), "relationship": "spouse"}
        answer = Api(user).send("post", url, body)
        assert answer.status_code == 404, answer.content
        assert answer.json()["error"]["code"] == "not_found"
    missing = Api(personas.caseworker_a).send(
        "post",
        f"{BASE}/00000000-0000-0000-0000-000000000000/members",
        {"person_id": str(mine.pk), "relationship": "spouse"},
    )
    assert missing.status_code == 404
    assert CaseMember.objects.filter(case=case).count() == 1
