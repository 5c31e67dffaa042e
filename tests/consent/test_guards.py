"""The voluntariness guard on submitting an application: each condition refused, all passing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import (
    adult,
    attend_session,
    child,
    declare,
    guardian_agrees,
    members_of,
)
from tests.factories import UserFactory
from tests.people.factories import PersonFactory
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.cases.services import TransitionBlocked, case_transition
from wayhome.cases.workflow import Status, Unmet, guards
from wayhome.consent.models import LegalRepresentative, VoluntarinessDeclaration
from wayhome.consent.rules import is_child
from wayhome.consent.services import capacity_record, declaration_review
from wayhome.eligibility.services import eligibility_decide
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db


def family(personas: Personas) -> tuple[Case, CaseMember, CaseMember, CaseMember]:
    """Two adults and a child, in counselling."""
    office = personas.office_a
    principal = adult(office, given_name="Yusuf")
    case = CaseFactory.create(
        office=office,
        principal=principal,
        members=[
            (adult(office, given_name="Mariam"), Relationship.SPOUSE),
            (child(office, given_name="Omar"), Relationship.CHILD),
        ],
    )
    case = case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    principal_m, spouse, kid = members_of(case)
    return case, principal_m, spouse, kid


def cover_everyone(personas: Personas, case: Case, members: list[CaseMember]) -> None:
    actor = personas.caseworker_a
    principal_m, spouse, kid = members
    attend_session(actor, case, [principal_m, spouse, kid])
    declare(actor, principal_m)
    declare(actor, spouse)
    guardian_agrees(actor, kid)


def refused(personas: Personas, case: Case) -> list[Unmet]:
    with pytest.raises(TransitionBlocked) as caught:
        case_transition(actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED)
    case.refresh_from_db()
    assert case.status == Status.COUNSELLING
    return caught.value.unmet


def codes(unmet: list[Unmet]) -> set[tuple[str, str]]:
    return {(u.code, u.subject) for u in unmet}


SPOUSE = "Spouse or partner (2)"
PRINCIPAL = "Principal applicant (1)"
CHILD = "Child (3)"


def test_the_guard_is_registered_for_submission() -> None:
    assert "voluntariness" in guards.names_for(Status.APPLICATION_SUBMITTED)


def test_when_every_traveller_is_covered_the_application_is_submitted(
    personas: Personas,
) -> None:
    case, *members = family(personas)
    cover_everyone(personas, case, members)
    submitted = case_transition(
        actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED
    )
    assert submitted.status == Status.APPLICATION_SUBMITTED


def test_a_declaration_replaced_after_submission_stops_the_approval(personas: Personas) -> None:
    """Found by tests/cases/test_state_machine.py: voluntariness must still hold at approval."""
    assert "voluntariness" in guards.names_for(Status.APPROVED)
    case, *members = family(personas)
    cover_everyone(personas, case, members)
    case = case_transition(
        actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED
    )
    eligibility_decide(actor=personas.caseworker_a, case=case)
    declare(personas.caseworker_a, members[0], informed_decision=False)
    with pytest.raises(TransitionBlocked) as caught:
        case_transition(actor=personas.manager_a, case=case, target=Status.APPROVED)
    assert codes(caught.value.unmet) == {("informed_decision_not_attested", PRINCIPAL)}
    declare(personas.caseworker_a, members[0])
    approved = case_transition(actor=personas.manager_a, case=case, target=Status.APPROVED)
    assert approved.status == Status.APPROVED


def test_nothing_recorded_lists_every_traveller(personas: Personas) -> None:
    case, *_members = family(personas)
    unmet = refused(personas, case)
    assert codes(unmet) == {
        ("information_session_missing", PRINCIPAL),
        ("declaration_missing", PRINCIPAL),
        ("information_session_missing", SPOUSE),
        ("declaration_missing", SPOUSE),
        ("guardian_consent_missing", CHILD),
    }
    # Unmet lists reach API answers and logs: labels, never names.
    for item in unmet:
        text = f"{item.message} {item.subject}"
        assert not any(name in text for name in ("Yusuf", "Mariam", "Omar"))
        assert str(item.message)


def test_an_adult_without_an_information_session(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    actor = personas.caseworker_a
    attend_session(actor, case, [principal_m, kid])
    declare(actor, principal_m)
    declare(actor, spouse)
    guardian_agrees(actor, kid)
    assert codes(refused(personas, case)) == {("information_session_missing", SPOUSE)}


def test_an_adult_without_a_declaration(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    actor = personas.caseworker_a
    attend_session(actor, case, [principal_m, spouse])
    declare(actor, principal_m)
    guardian_agrees(actor, kid)
    assert codes(refused(personas, case)) == {("declaration_missing", SPOUSE)}


@pytest.mark.parametrize(
    ("attested", "code"),
    [
        ({"freedom_of_choice": False}, "freedom_of_choice_not_attested"),
        ({"informed_decision": False}, "informed_decision_not_attested"),
    ],
)
def test_a_declaration_attesting_one_condition_only(
    personas: Personas, attested: dict[str, bool], code: str
) -> None:
    case, principal_m, spouse, kid = family(personas)
    actor = personas.caseworker_a
    cover_everyone(personas, case, [principal_m, spouse, kid])
    declare(actor, spouse, **attested)  # the latest declaration is the one that counts
    assert codes(refused(personas, case)) == {(code, SPOUSE)}


def test_a_declaration_without_the_signed_form(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    cover_everyone(personas, case, [principal_m, spouse, kid])
    declare(personas.caseworker_a, spouse, signed_form=None)
    assert codes(refused(personas, case)) == {("signed_form_missing", SPOUSE)}


def test_a_declaration_made_before_any_session(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    cover_everyone(personas, case, [principal_m, spouse, kid])
    declare(
        personas.caseworker_a,
        spouse,
        declared_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    assert codes(refused(personas, case)) == {("declaration_before_session", SPOUSE)}


def test_in_detention_a_second_staff_member_must_review(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    cover_everyone(personas, case, [principal_m, spouse, kid])
    declaration = declare(personas.caseworker_a, spouse, in_detention=True)
    assert codes(refused(personas, case)) == {("detention_review_missing", SPOUSE)}

    declaration_review(actor=personas.manager_a, declaration=declaration, note="Seen in person.")
    submitted = case_transition(
        actor=personas.caseworker_a, case=case, target=Status.APPLICATION_SUBMITTED
    )
    assert submitted.status == Status.APPLICATION_SUBMITTED


def test_the_recorder_cannot_review_their_own_declaration(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    cover_everyone(personas, case, [principal_m, spouse, kid])
    declaration = declare(personas.caseworker_a, spouse, in_detention=True)
    with pytest.raises(ValidationError) as caught:
        declaration_review(actor=personas.caseworker_a, declaration=declaration)
    assert caught.value.code == "same_person"
    declaration.refresh_from_db()
    assert declaration.detention_review_by_id is None
    # Even written straight into the table, a review by the recorder does not count.
    VoluntarinessDeclaration.objects.filter(pk=declaration.pk).update(
        detention_review_by=personas.caseworker_a, detention_reviewed_at=timezone.now()
    )
    assert codes(refused(personas, case)) == {("detention_review_missing", SPOUSE)}


def test_a_reviewer_needs_change_or_approve_in_the_office(personas: Personas) -> None:
    from django.core.exceptions import PermissionDenied

    _case, _principal, spouse, _kid = family(personas)
    declaration = declare(personas.caseworker_a, spouse, in_detention=True)
    for outsider in (personas.caseworker_b, personas.auditor_a):
        with pytest.raises(PermissionDenied):
            declaration_review(actor=outsider, declaration=declaration)
    other_caseworker = UserFactory.create(roles=[(personas.office_a, Role.CASEWORKER)])
    reviewed = declaration_review(actor=other_caseworker, declaration=declaration)
    assert reviewed.detention_review_by_id == other_caseworker.pk


def test_a_child_without_a_guardians_consent(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    actor = personas.caseworker_a
    attend_session(actor, case, [principal_m, spouse])
    declare(actor, principal_m)
    declare(actor, spouse)
    assert codes(refused(personas, case)) == {("guardian_consent_missing", CHILD)}
    # A representative of kind "other" does not give consent that counts.
    guardian_agrees(actor, kid, kind=LegalRepresentative.Kind.OTHER)
    assert codes(refused(personas, case)) == {("guardian_consent_missing", CHILD)}
    guardian_agrees(actor, kid, kind=LegalRepresentative.Kind.LEGAL_REPRESENTATIVE)
    case_transition(actor=actor, case=case, target=Status.APPLICATION_SUBMITTED)


def test_a_guardian_who_refuses_blocks_the_submission(personas: Personas) -> None:
    from wayhome.consent.services import representative_decision_record

    case, principal_m, spouse, kid = family(personas)
    cover_everyone(personas, case, [principal_m, spouse, kid])
    other_parent = guardian_agrees(personas.caseworker_a, kid).representative
    second = LegalRepresentative.objects.create(
        member=kid, name="Second guardian", kind=LegalRepresentative.Kind.GUARDIAN
    )
    representative_decision_record(
        actor=personas.caseworker_a,
        member=kid,
        representative=second,
        decision="refuses",
        decided_on=timezone.localdate(),
    )
    assert other_parent.pk != second.pk
    assert codes(refused(personas, case)) == {("representative_refuses", CHILD)}


def test_lacking_capacity_needs_a_representatives_decision_instead(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    actor = personas.caseworker_a
    attend_session(actor, case, [principal_m])
    declare(actor, principal_m)
    guardian_agrees(actor, kid)
    capacity_record(
        actor=actor,
        member=spouse,
        has_capacity=False,
        assessed_on=timezone.localdate(),
        assessor="Dr. A, psychiatrist",
    )
    assert codes(refused(personas, case)) == {("representative_decision_missing", SPOUSE)}
    guardian_agrees(actor, spouse, kind=LegalRepresentative.Kind.LEGAL_REPRESENTATIVE)
    # No session, no declaration of the spouse's own: the representative decides.
    submitted = case_transition(actor=actor, case=case, target=Status.APPLICATION_SUBMITTED)
    assert submitted.status == Status.APPLICATION_SUBMITTED


def test_members_not_travelling_are_not_checked(personas: Personas) -> None:
    case, principal_m, spouse, kid = family(personas)
    actor = personas.caseworker_a
    CaseMember.objects.filter(pk__in=[spouse.pk, kid.pk]).update(travelling=False)
    attend_session(actor, case, [principal_m])
    declare(actor, principal_m)
    case_transition(actor=actor, case=case, target=Status.APPLICATION_SUBMITTED)


def _member(relationship: str, **person: Any) -> CaseMember:
    return CaseMember(relationship=relationship, person=Person(**person))


def test_who_counts_as_a_child() -> None:
    today = datetime.date(2026, 6, 15)
    exact = Person.DobPrecision.EXACT
    # Exact date: the age decides, whatever the relationship.
    assert is_child(_member("spouse", date_of_birth=datetime.date(2008, 6, 16)), today)
    assert not is_child(_member("child", date_of_birth=datetime.date(2008, 6, 15)), today)
    assert not is_child(
        _member("child", date_of_birth=datetime.date(2001, 1, 1), dob_precision=exact), today
    )
    # Year only, estimated or unknown: an adult unless recorded as a child.
    for precision in (Person.DobPrecision.YEAR, Person.DobPrecision.ESTIMATED):
        born = datetime.date(2015, 1, 1)
        assert not is_child(_member("spouse", date_of_birth=born, dob_precision=precision), today)
        assert is_child(
            _member("child", date_of_birth=datetime.date(1990, 1, 1), dob_precision=precision),
            today,
        )
    assert not is_child(_member("principal", date_of_birth=None), today)
    assert is_child(_member("child", date_of_birth=None), today)


def test_a_year_only_adult_must_declare_for_themselves(personas: Personas) -> None:
    office = personas.office_a
    principal = PersonFactory.create(
        office=office, date_of_birth=datetime.date(2010, 1, 1), dob_precision="year"
    )
    case = CaseFactory.create(office=office, principal=principal)
    case = case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    assert codes(refused(personas, case)) == {
        ("information_session_missing", PRINCIPAL),
        ("declaration_missing", PRINCIPAL),
    }
