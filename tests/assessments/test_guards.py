"""The mandatory safeguards triggered by flags: each blocks alone (everything else holds), and
passes once met."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.assessments.factories import assess, consent_steps, screen
from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import adult, child, cover_travellers, members_of
from tests.movements.factories import travel_arranged
from wayhome.assessments.models import Flag, Kind, Recommendation, Screening, Step
from wayhome.assessments.services import step_consent_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.services import TransitionBlocked, case_transition
from wayhome.cases.workflow import Status, Unmet, guards
from wayhome.eligibility.services import eligibility_decide

pytestmark = pytest.mark.django_db

PRINCIPAL = "Principal applicant (1)"


def submitted(personas: Personas, *, minor: bool = False) -> tuple[Case, CaseMember]:
    """A one-traveller case, submitted, eligible and covered by consent: only the safeguards of
    this app can block its approval."""
    office = personas.office_a
    principal = child(office) if minor else adult(office)
    case = CaseFactory.create(office=office, principal=principal)
    case = case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    cover_travellers(personas.caseworker_a, case)
    case = case_transition(
        actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED
    )
    eligibility_decide(actor=personas.caseworker_a, case=case)
    return case, members_of(case)[0]


def approve(personas: Personas, case: Case) -> Case:
    return case_transition(actor=personas.manager_a, case=case, target=Status.APPROVED)


def blocked(
    personas: Personas, case: Case, target: Status = Status.APPROVED
) -> set[tuple[str, str]]:
    actor = personas.manager_a if target == Status.APPROVED else personas.caseworker_a
    with pytest.raises(TransitionBlocked) as caught:
        case_transition(actor=actor, case=case, target=target)
    unmet: list[Unmet] = caught.value.unmet
    return {(u.code, u.subject) for u in unmet}


def test_the_guards_are_registered() -> None:
    assert "vulnerability_safeguards" in guards.names_for(Status.APPROVED)
    assert "fit_to_travel" in guards.names_for(Status.READY_TO_DEPART)
    assert "vulnerability_safeguards" in guards.names_for(Status.READY_TO_DEPART)


def test_an_unflagged_traveller_is_approved(personas: Personas) -> None:
    case, member = submitted(personas)
    screen(personas.caseworker_a, member, [Flag.ELDERLY])
    assert approve(personas, case).status == Status.APPROVED


def test_an_unaccompanied_child_needs_a_bid_recommending_return(personas: Personas) -> None:
    case, member = submitted(personas, minor=True)
    actor = personas.caseworker_a
    screen(actor, member, [Flag.UNACCOMPANIED_OR_SEPARATED_CHILD])
    assert blocked(personas, case) == {("bid_missing", PRINCIPAL)}
    for other in (Recommendation.DO_NOT_RETURN, Recommendation.DEFER):
        assess(actor, member, Kind.BID, recommendation=other, reception_arrangement="")
        assert {code for code, _subject in blocked(personas, case)} == {"bid_not_return"}
    assess(actor, member, Kind.BID)
    assert approve(personas, case).status == Status.APPROVED


def test_a_bid_recommending_do_not_return_blocks(personas: Personas) -> None:
    case, member = submitted(personas, minor=True)
    actor = personas.caseworker_a
    screen(actor, member, [Flag.UNACCOMPANIED_OR_SEPARATED_CHILD])
    assess(actor, member, Kind.BID)
    assess(actor, member, Kind.BID, recommendation=Recommendation.DO_NOT_RETURN)
    assert {code for code, _subject in blocked(personas, case)} == {"bid_not_return"}
    case.refresh_from_db()
    assert case.status == Status.APPLICATION_SUBMITTED


def test_a_trafficking_victim_needs_the_specialised_assessment_and_consent(
    personas: Personas,
) -> None:
    case, member = submitted(personas)
    actor = personas.caseworker_a
    screen(actor, member, [Flag.VICTIM_OF_TRAFFICKING])
    assert blocked(personas, case) == {
        ("trafficking_assessment_missing", PRINCIPAL),
        ("trafficking_consent_missing", PRINCIPAL),
    }
    consent_steps(actor, member)
    assert blocked(personas, case) == {("trafficking_assessment_missing", PRINCIPAL)}
    assess(actor, member, Kind.TRAFFICKING)
    assert approve(personas, case).status == Status.APPROVED


def test_a_trafficking_victim_who_declines_a_step_is_not_approved(personas: Personas) -> None:
    case, member = submitted(personas)
    actor = personas.caseworker_a
    screen(actor, member, [Flag.VICTIM_OF_TRAFFICKING])
    assess(actor, member, Kind.TRAFFICKING)
    consent_steps(actor, member)
    step_consent_record(
        actor=actor,
        member=member,
        step=Step.RETURN,
        consents=False,
        right_to_decline_explained=True,
        given_on=timezone.localdate(),
    )
    assert blocked(personas, case) == {("trafficking_assistance_declined", PRINCIPAL)}


def test_health_needs_need_a_medical_assessment_before_approval(personas: Personas) -> None:
    case, member = submitted(personas)
    screen(personas.caseworker_a, member, [Flag.MENTAL_HEALTH_NEEDS])
    assert blocked(personas, case) == {("medical_assessment_missing", PRINCIPAL)}
    assess(personas.caseworker_a, member, Kind.MEDICAL)
    assert approve(personas, case).status == Status.APPROVED


def test_health_needs_need_a_valid_fitness_check_before_ready_to_depart(
    personas: Personas,
) -> None:
    case, member = submitted(personas)
    actor = personas.caseworker_a
    screen(actor, member, [Flag.PHYSICAL_HEALTH_NEEDS])
    assess(actor, member, Kind.MEDICAL)
    case = approve(personas, case)
    case = case_transition(actor=actor, case=case, target=Status.TRAVEL_PREPARATION)
    travel_arranged(case)  # the travel checklist met: only the fitness check is left
    ready = Status.READY_TO_DEPART
    assert blocked(personas, case, ready) == {("fitness_missing", PRINCIPAL)}
    assess(actor, member, Kind.FITNESS, fit_to_travel=False)
    assert blocked(personas, case, ready) == {("not_fit_to_travel", PRINCIPAL)}
    today = timezone.localdate()
    assess(
        actor,
        member,
        Kind.FITNESS,
        assessed_on=today - datetime.timedelta(days=10),
        valid_until=today - datetime.timedelta(days=1),
    )
    assert blocked(personas, case, ready) == {("fitness_expired", PRINCIPAL)}
    # Valid today and on the departure day (in two days).
    assess(actor, member, Kind.FITNESS, valid_until=today + datetime.timedelta(days=3))
    assert case_transition(actor=actor, case=case, target=ready).status == ready


def test_a_rescreening_without_the_flag_lifts_the_safeguard(personas: Personas) -> None:
    case, member = submitted(personas)
    actor = personas.caseworker_a
    screen(actor, member, [Flag.VICTIM_OF_TRAFFICKING])
    assert blocked(personas, case)
    screen(actor, member, [])
    assert Screening.objects.filter(member=member).count() == 2
    assert approve(personas, case).status == Status.APPROVED


def test_a_flag_added_after_approval_stops_the_departure(personas: Personas) -> None:
    case, member = submitted(personas)
    actor = personas.caseworker_a
    case = approve(personas, case)
    case = case_transition(actor=actor, case=case, target=Status.TRAVEL_PREPARATION)
    travel_arranged(case)
    screen(actor, member, [Flag.VICTIM_OF_TRAFFICKING])
    consent_steps(actor, member)
    ready = Status.READY_TO_DEPART
    assert blocked(personas, case, ready) == {("trafficking_assessment_missing", PRINCIPAL)}
    assess(actor, member, Kind.TRAFFICKING)
    assert case_transition(actor=actor, case=case, target=ready).status == ready
