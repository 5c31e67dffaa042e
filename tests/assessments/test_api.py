"""Vulnerability over the API: recording, rescreening, bad input with field errors."""

from __future__ import annotations

import datetime
import json
from typing import Any, get_args

import pytest
from django.test import Client
from django.utils import timezone

from tests.assessments.factories import AssessmentFactory
from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.consent.factories import adult, members_of
from wayhome.accounts.models import User
from wayhome.api.services import token_issue
from wayhome.assessments import api as assessments_api
from wayhome.assessments.models import (
    FACTOR_LEVEL,
    Assessment,
    Flag,
    Kind,
    Mark,
    Screening,
    Step,
)
from wayhome.cases.models import CaseMember

pytestmark = pytest.mark.django_db


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


def a_member(personas: Personas) -> CaseMember:
    case = CaseFactory.create(office=personas.office_a, principal=adult(personas.office_a))
    return members_of(case)[0]


def base(member: CaseMember) -> str:
    return f"/api/v1/assessments/cases/{member.case_id}/members/{member.pk}"


def fields_of(answer: Any) -> set[str]:
    assert answer.status_code == 422, answer.content
    return {d["field"].split(".")[0] for d in answer.json()["error"]["details"]}


def test_the_vocabularies_match_the_models() -> None:
    assert set(get_args(assessments_api.FlagCode)) == set(Flag.values)
    assert set(get_args(assessments_api.FactorCode)) == set(FACTOR_LEVEL)
    assert set(get_args(assessments_api.MarkCode)) == set(Mark.values)
    assert set(get_args(assessments_api.KindCode)) == set(Kind.values)
    assert set(get_args(assessments_api.StepCode)) == set(Step.values)


def test_screen_rescreen_and_read_the_missing_safeguards(personas: Personas) -> None:
    member = a_member(personas)
    api = Api(personas.caseworker_a)
    today = timezone.localdate().isoformat()
    first = api.post(
        f"{base(member)}/screenings",
        {"screened_on": today, "factors": {"age": "risk"}, "flags": ["mental_health_needs"]},
    )
    assert first.status_code == 201, first.content
    state = api.get(base(member)).json()
    assert state["flags"] == ["mental_health_needs"]
    assert [u["code"] for u in state["unmet"]] == ["medical_assessment_missing", "fitness_missing"]
    assert state["unmet"][0]["subject"] == "Principal applicant (1)"
    again = api.post(f"{base(member)}/screenings", {"screened_on": today, "flags": []})
    assert again.status_code == 201
    assert api.get(base(member)).json()["unmet"] == []
    assert len(api.get(f"{base(member)}/screenings").json()) == 2

    medical = api.post(
        f"{base(member)}/assessments",
        {"kind": "medical", "assessed_on": today, "escort": "none", "receiving_provider": "C"},
    )
    assert medical.status_code == 201, medical.content
    # A caseworker lacks the health permission: the answer hides what they just wrote.
    assert medical.json()["restricted"] is True
    consent = api.post(
        f"{base(member)}/consents",
        {"step": "return", "consents": True, "right_to_decline_explained": True, "given_on": today},
    )
    assert consent.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"screened_on": "2999-01-01"}, "screened_on"),
        ({"flags": ["not_a_flag"]}, "flags"),
        ({"factors": {"not_a_factor": "risk"}}, "factors"),
        ({"factors": {"age": "maybe"}}, "factors"),
        ({"notes": "hidden\x00text"}, "notes"),
        ({"notes": "x" * 5001}, "notes"),
    ],
)
def test_bad_screenings_get_field_errors_and_save_nothing(
    personas: Personas, body: dict[str, Any], field: str
) -> None:
    member = a_member(personas)
    payload = {"screened_on": timezone.localdate().isoformat(), **body}
    answer = Api(personas.caseworker_a).post(f"{base(member)}/screenings", payload)
    assert field in fields_of(answer)
    assert not Screening.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assessed_on": "2999-01-01"}, "assessed_on"),
        ({"kind": "astrology"}, "kind"),
        ({"details": "x" * 5001}, "details"),
        ({"receiving_provider": "line\nbreak"}, "receiving_provider"),
        ({"escort": ""}, "escort"),
    ],
)
def test_bad_assessments_get_field_errors_and_save_nothing(
    personas: Personas, body: dict[str, Any], field: str
) -> None:
    member = a_member(personas)
    payload = {
        "kind": "medical",
        "assessed_on": timezone.localdate().isoformat(),
        "escort": "medical",
        "receiving_provider": "Central Hospital",
        **body,
    }
    answer = Api(personas.caseworker_a).post(f"{base(member)}/assessments", payload)
    assert field in fields_of(answer)
    assert not Assessment.objects.exists()


def test_a_fitness_check_cannot_expire_before_it_was_made(personas: Personas) -> None:
    member = a_member(personas)
    today = timezone.localdate()
    answer = Api(personas.caseworker_a).post(
        f"{base(member)}/assessments",
        {
            "kind": "fitness",
            "assessed_on": today.isoformat(),
            "fit_to_travel": True,
            "valid_until": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert fields_of(answer) == {"valid_until"}


def test_recording_needs_change_case(personas: Personas) -> None:
    member = a_member(personas)
    answer = Api(personas.auditor_a).post(
        f"{base(member)}/screenings", {"screened_on": timezone.localdate().isoformat()}
    )
    assert answer.status_code in (403, 404)
    assert not Screening.objects.exists()


def test_an_assessment_of_another_member_answers_404(personas: Personas) -> None:
    member, other = a_member(personas), a_member(personas)
    assessment = AssessmentFactory.create(member=other)
    api = Api(personas.manager_a)
    assert api.get(f"{base(other)}/assessments/{assessment.pk}").status_code == 200
    assert api.get(f"{base(member)}/assessments/{assessment.pk}").status_code == 404
    page = f"/assessments/cases/{member.case_id}/members/{member.pk}/assessments/{assessment.pk}/"
    assert client_for(personas.manager_a).get(page).status_code == 404
