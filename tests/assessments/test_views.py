"""The vulnerability pages: screening, rescreening, assessments and consent through the forms;
bad input shown on its field and nothing saved; the case page's panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.assessments.factories import screen
from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.consent.factories import adult, members_of
from tests.factories import UserFactory
from wayhome.accounts.permissions import Role
from wayhome.assessments.models import Assessment, Flag, Screening, StepConsent
from wayhome.cases.models import CaseMember

pytestmark = pytest.mark.django_db


def a_member(personas: Personas) -> CaseMember:
    case = CaseFactory.create(office=personas.office_a, principal=adult(personas.office_a))
    return members_of(case)[0]


def url(member: CaseMember, rest: str = "") -> str:
    return f"/assessments/cases/{member.case_id}/members/{member.pk}/{rest}"


def today() -> str:
    return timezone.localdate().isoformat()


def test_screening_then_rescreening_keeps_the_history(personas: Personas) -> None:
    member = a_member(personas)
    client = client_for(personas.caseworker_a)
    page = client.get(url(member))
    assert page.status_code == 200
    assert b"Not screened yet." in page.content
    posted = client.post(
        url(member),
        {
            "screened_on": today(),
            "factor_age": "risk",
            "factor_family_support": "protective",
            "flags": [Flag.VICTIM_OF_TRAFFICKING, Flag.SINGLE_PARENT],
            "notes": "Two children in the host country.",
        },
    )
    assert posted.status_code == 302
    screening = Screening.objects.get()
    assert screening.flags == [Flag.VICTIM_OF_TRAFFICKING, Flag.SINGLE_PARENT]
    assert screening.factors["age"] == "risk"
    assert screening.factors["legal_status"] == "not_assessed"
    page = client.get(url(member))
    assert b"Victim of trafficking" in page.content
    assert b"A victim of trafficking: a specialised assessment" in page.content
    assert client.post(url(member), {"screened_on": today()}).status_code == 302
    assert Screening.objects.filter(member=member).count() == 2
    assert b"Earlier screenings" in client.get(url(member)).content


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"screened_on": "2999-01-01"}, "screened_on"),
        ({"flags": ["not_a_flag"]}, "flags"),
        ({"factor_age": "maybe"}, "factor_age"),
        ({"notes": "bell\x07"}, "notes"),
        ({"notes": "x" * 5001}, "notes"),
    ],
)
def test_bad_screenings_are_shown_on_their_field(
    personas: Personas, data: dict[str, Any], field: str
) -> None:
    member = a_member(personas)
    answer = client_for(personas.caseworker_a).post(url(member), {"screened_on": today(), **data})
    assert answer.status_code == 400
    assert f'id="id_screening_{field}_error"'.encode() in answer.content
    assert not Screening.objects.exists()


def test_a_bid_through_the_form(personas: Personas) -> None:
    member = a_member(personas)
    client = client_for(personas.caseworker_a)
    form = client.get(url(member, "assessments/new/?kind=bid"))
    assert form.status_code == 200
    assert b'name="recommendation"' in form.content
    assert b'name="escort"' not in form.content
    switched = client.get(url(member, "assessments/new/?kind=medical"), HTTP_HX_REQUEST="true")
    assert switched.status_code == 200
    assert switched.content.lstrip().startswith(b'<section class="card" id="assessment-form"')
    assert b'name="escort"' in switched.content
    assert b"<html" not in switched.content
    data = {
        "kind": "bid",
        "assessed_on": today(),
        "recommendation": "return",
        "panel": "Panel of three",
        "guardian": "Appointed guardian",
        "family_assessment": "Aunt able to care",
        "reception_arrangement": "Aunt at the airport",
    }
    missing = client.post(url(member, "assessments/new/"), data)
    assert missing.status_code == 400
    assert b'id="id_assessment_supervised_travel_error"' in missing.content
    assert not Assessment.objects.exists()
    done = client.post(url(member, "assessments/new/"), {**data, "supervised_travel": "on"})
    assert done.status_code == 302
    assert Assessment.objects.get().satisfies


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"assessed_on": "2999-01-01"}, "assessed_on"),
        ({"escort": "rocket"}, "escort"),
        ({"receiving_provider": "line\nbreak"}, "receiving_provider"),
        ({"details": "x" * 5001}, "details"),
    ],
)
def test_bad_assessments_are_shown_on_their_field(
    personas: Personas, data: dict[str, Any], field: str
) -> None:
    member = a_member(personas)
    body = {
        "kind": "medical",
        "assessed_on": today(),
        "escort": "medical",
        "receiving_provider": "Hospital",
        **data,
    }
    answer = client_for(personas.caseworker_a).post(url(member, "assessments/new/"), body)
    assert answer.status_code == 400
    assert f'id="id_assessment_{field}_error"'.encode() in answer.content
    assert not Assessment.objects.exists()


def test_consent_at_a_step_through_the_form(personas: Personas) -> None:
    member = a_member(personas)
    screen(personas.caseworker_a, member, [Flag.VICTIM_OF_TRAFFICKING])
    client = client_for(personas.caseworker_a)
    future = client.post(
        url(member, "consents/"), {"step": "return", "consents": "yes", "given_on": "2999-01-01"}
    )
    assert future.status_code == 400
    assert b'id="id_consent_given_on_error"' in future.content
    assert not StepConsent.objects.exists()
    done = client.post(
        url(member, "consents/"),
        {
            "step": "return",
            "consents": "yes",
            "right_to_decline_explained": "on",
            "given_on": today(),
        },
    )
    assert done.status_code == 302
    assert StepConsent.objects.get().counts


def test_recording_needs_change_case(personas: Personas) -> None:
    member = a_member(personas)
    dpo_like = client_for(personas.auditor_a)
    assert dpo_like.post(url(member), {"screened_on": today()}).status_code == 404
    viewer = UserFactory.create(roles=[(personas.office_a, Role.OPERATIONS)])
    client = client_for(viewer)
    assert client.get(url(member)).status_code == 200
    assert client.post(url(member), {"screened_on": today()}).status_code == 403
    assert client.get(url(member, "assessments/new/?kind=bid")).status_code == 403
    assert not Screening.objects.exists()


def test_the_case_page_shows_flags_and_missing_safeguards(personas: Personas) -> None:
    member = a_member(personas)
    screen(personas.caseworker_a, member, [Flag.UNACCOMPANIED_OR_SEPARATED_CHILD])
    page = client_for(personas.caseworker_a).get(f"/cases/{member.case_id}/")
    assert page.status_code == 200
    assert b'id="vulnerability-panel"' in page.content
    assert b"Unaccompanied or separated child" in page.content
    assert b"a best-interests determination must recommend return" in page.content
