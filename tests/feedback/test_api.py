"""Feedback over the API: the public operations (send, status check: 201, 404 alike for a wrong
secret and an unknown code, 429 in the error shape, fuzzed: never a 5xx) and the staff ones
(list with filters, misconduct only for the ethics officer, triage, notes, answer, close, route,
statistics)."""

from __future__ import annotations

import datetime
import json
from typing import Any, get_args

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Personas
from tests.feedback.factories import SECRET, FeedbackFactory
from wayhome.accounts.models import User
from wayhome.api.services import token_issue
from wayhome.core.models import RateCount
from wayhome.feedback import schemas
from wayhome.feedback.models import (
    Channel,
    Feedback,
    FeedbackCategory,
    FeedbackStatus,
    Kind,
    MisconductType,
    Priority,
)

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/public/feedback"
STAFF = "/api/v1/feedback"


def post(path: str, body: Any, address: str = "198.51.100.7", **headers: str) -> Any:
    client = Client(REMOTE_ADDR=address, raise_request_exception=False)
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


def test_the_codes_match_the_models() -> None:
    assert set(get_args(schemas.KindCode)) == set(Kind.values)
    assert set(get_args(schemas.MisconductTypeCode)) == set(MisconductType.values)
    assert set(get_args(schemas.StatusCode)) == set(FeedbackStatus.values)
    assert set(get_args(schemas.CategoryCode)) == set(FeedbackCategory.values)
    assert set(get_args(schemas.PriorityCode)) == set(Priority.values)
    assert set(get_args(schemas.ChannelCode)) == set(Channel.values)


def test_send_and_check_a_report(personas: Personas) -> None:
    response = post(
        PUBLIC,
        {
            "office_code": "office-a",
            "kind": "complaint",
            "message": "No interpreter.",
            "language": "ar",
        },
    )
    assert response.status_code == 201, response.content
    codes = response.json()
    feedback = Feedback.objects.get(reference=codes["reference"])
    assert feedback.channel == Channel.API
    assert feedback.language == "ar"
    assert feedback.anonymous
    assert feedback.name == ""
    checked = post(PUBLIC + "/status", codes)
    assert checked.status_code == 200
    assert checked.json() == {
        "status": "received",
        "status_label": "Received",
        "received_on": timezone.localdate().isoformat(),
        "answered_on": None,
        "response": "",
    }


def test_a_public_report_with_bad_input_saves_nothing(personas: Personas) -> None:
    bad = [
        {"office_code": "nowhere", "kind": "complaint", "message": "x"},
        {"office_code": "office-a", "kind": "misconduct", "message": "x"},
        {"office_code": "office-a", "kind": "complaint", "message": "x", "name": "Amina"},
        {"office_code": "office-a", "kind": "complaint", "message": ""},
    ]
    for body in bad:
        response = post(PUBLIC, body)
        assert response.status_code == 422, body
        assert set(response.json()) == {"error"}
    assert not Feedback.objects.exists()


def test_a_wrong_secret_and_an_unknown_code_answer_alike(personas: Personas) -> None:
    feedback = FeedbackFactory.create(office=personas.office_a, response="The answer.")
    wrong = post(PUBLIC + "/status", {"reference": feedback.reference, "secret": "WRONG"})
    unknown = post(
        PUBLIC + "/status", {"reference": "FB-ZZZZ-ZZZZ", "secret": SECRET}, address="198.51.100.9"
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["message"] == "No report matches this code and secret."


def test_the_public_operations_are_rate_limited(personas: Personas, settings: Any) -> None:
    settings.PUBLIC_FORM_LIMIT = 1
    settings.STATUS_CHECK_LIMIT = 2
    body = {"office_code": "office-a", "kind": "feedback", "message": "Thank you."}
    assert post(PUBLIC, body).status_code == 201
    over = post(PUBLIC, body)
    assert over.status_code == 429
    assert over.json()["error"]["code"] == "too_many_requests"
    assert Feedback.objects.count() == 1
    feedback = Feedback.objects.get()
    for index in range(2):
        post(
            PUBLIC + "/status",
            {"reference": feedback.reference, "secret": "NO"},
            f"203.0.113.{index}",
        )
    right = FeedbackFactory.create(office=personas.office_a)
    # The right secret of a reference guessed at too often, from a fresh address: refused.
    guessed = post(
        PUBLIC + "/status", {"reference": feedback.reference, "secret": SECRET}, "203.0.113.77"
    )
    assert guessed.status_code == 429
    assert (
        post(
            PUBLIC + "/status", {"reference": right.reference, "secret": SECRET}, "203.0.113.78"
        ).status_code
        == 200
    )


texts = st.one_of(st.text(max_size=60), st.integers(), st.none(), st.booleans())


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "office_code": st.one_of(st.just("office-a"), texts),
                "kind": st.one_of(st.sampled_from(Kind.values), texts),
                "misconduct_type": st.one_of(st.sampled_from(MisconductType.values), texts),
                "message": texts,
                "anonymous": st.one_of(st.booleans(), texts),
                "name": texts,
                "contact": texts,
                "language": texts,
                "reference": texts,
                "secret": texts,
            },
        ),
        texts,
        st.lists(texts, max_size=3),
    ),
    path=st.sampled_from([PUBLIC, PUBLIC + "/status"]),
    address=st.integers(min_value=1, max_value=250),
)
def test_the_public_operations_never_fail_on_any_input(
    personas: Personas, body: Any, path: str, address: int
) -> None:
    response = post(path, body, address=f"192.0.2.{address}")
    assert response.status_code < 500, response.content
    assert response.status_code in {200, 201, 404, 422, 429}
    RateCount.objects.all().delete()


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "office",
                "kind",
                "misconduct_type",
                "message",
                "anonymous",
                "name",
                "contact",
                "website",
                "reference",
                "secret",
            ]
        ),
        st.text(max_size=40),
    ),
    page=st.sampled_from(["/portal/feedback/", "/portal/feedback/status/"]),
)
def test_the_public_pages_never_fail_on_any_input(
    personas: Personas, data: dict[str, str], page: str
) -> None:
    response = Client(raise_request_exception=False).post(page, data)
    assert response.status_code in {200, 400, 404, 429}
    RateCount.objects.all().delete()


# --- staff --------------------------------------------------------------------------------------


def test_the_list_shows_misconduct_to_the_ethics_officer_only(
    personas: Personas, ethics_a: User, django_assert_max_num_queries: Any
) -> None:
    misconduct = FeedbackFactory.create(office=personas.office_a, kind=Kind.MISCONDUCT)
    complaints = FeedbackFactory.create_batch(5, office=personas.office_a, kind=Kind.COMPLAINT)
    manager = Api(personas.manager_a)
    with django_assert_max_num_queries(12):
        listed = manager.get(STAFF).json()
    assert {item["id"] for item in listed["items"]} == {str(c.pk) for c in complaints}
    assert "message" not in listed["items"][0]
    assert manager.get(STAFF, {"kind": "misconduct"}).json()["items"] == []
    ethics = Api(ethics_a)
    assert [item["id"] for item in ethics.get(STAFF).json()["items"]] == [str(misconduct.pk)]
    assert ethics.get(STAFF, {"kind": "complaint"}).json()["items"] == []
    assert manager.get(f"{STAFF}/statistics").json()["total"] == 5
    assert ethics.get(f"{STAFF}/statistics").json()["total"] == 1


def test_triage_note_answer_close_and_route_over_the_api(
    personas: Personas, ethics_a: User
) -> None:
    feedback = FeedbackFactory.create(office=personas.office_a, kind=Kind.COMPLAINT)
    api = Api(personas.caseworker_a)
    base = f"{STAFF}/{feedback.pk}"
    read = api.get(base).json()
    assert read["message"] == feedback.message
    assert read["version"] == 1
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    triaged = api.post(
        base + "/triage",
        {
            "version": 1,
            "category": "counselling",
            "priority": "low",
            "due_on": due,
            "assigned_to_id": str(personas.manager_a.pk),
        },
    )
    assert triaged.status_code == 200, triaged.content
    assert triaged.json()["status"] == "triaged"
    assert triaged.json()["assigned_to_id"] == str(personas.manager_a.pk)
    refused = api.post(
        base + "/triage",
        {
            "version": 2,
            "category": "counselling",
            "priority": "low",
            "due_on": due,
            "assigned_to_id": str(ethics_a.pk),
        },
    )
    assert refused.status_code == 422
    stale = api.post(base + "/respond", {"version": 1, "response": "Old."})
    assert stale.status_code == 409
    note = api.post(base + "/notes", {"text": "Called them back."})
    assert note.status_code == 201
    answered = api.post(base + "/respond", {"version": 2, "response": "We will call you."})
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered"
    assert [n["text"] for n in answered.json()["notes"]] == ["Called them back."]
    closed = api.post(base + "/close", {"version": 3})
    assert closed.json()["status"] == "closed"
    assert api.post(base + "/close", {"version": 4}).status_code == 422
    other = FeedbackFactory.create(office=personas.office_a, kind=Kind.FEEDBACK)
    moved = api.post(
        f"{STAFF}/{other.pk}/route",
        {
            "version": 1,
            "kind": "misconduct",
            "misconduct_type": "fraud_corruption",
            "reason": "A bribe was asked.",
        },
    )
    assert moved.status_code == 200, moved.content
    assert api.get(f"{STAFF}/{other.pk}").status_code == 404
    back = Api(ethics_a).post(
        f"{STAFF}/{other.pk}/route", {"version": 2, "kind": "feedback", "reason": "Not a bribe."}
    )
    assert back.status_code == 200
    assert api.get(f"{STAFF}/{other.pk}").status_code == 200


def test_another_office_gets_404(personas: Personas) -> None:
    feedback = FeedbackFactory.create(office=personas.office_a)
    api = Api(personas.caseworker_b)
    assert api.get(f"{STAFF}/{feedback.pk}").status_code == 404
    assert api.post(f"{STAFF}/{feedback.pk}/notes", {"text": "x"}).status_code == 404
    assert api.get(STAFF).json()["items"] == []
