"""Opening cases and moving them through the workflow."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import cover_travellers
from tests.factories import OfficeFactory, UserFactory
from tests.people.factories import PersonFactory
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseTransition, Relationship
from wayhome.cases.services import TransitionBlocked, case_create, case_transition
from wayhome.cases.workflow import Status
from wayhome.eligibility.services import eligibility_decide

pytestmark = pytest.mark.django_db


def test_a_case_gets_a_reference_and_the_family_travels_together(personas: Personas) -> None:
    office = personas.office_a
    principal = PersonFactory.create(office=office)
    spouse, child = PersonFactory.create(office=office), PersonFactory.create(office=office)
    case = case_create(
        actor=personas.caseworker_a,
        office=office,
        principal=principal,
        members=[(spouse, Relationship.SPOUSE), (child, Relationship.CHILD)],
        programme="AVRR",
        category="stranded",
        destination_country="IQ",
        destination_region="IQ-BG",
    )
    assert re.fullmatch(r"OFFICE-A-\d{4}-00001", case.reference)
    relationships = sorted(case.members.values_list("relationship", flat=True))
    assert relationships == ["child", "principal", "spouse"]
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).count() == 1
    second = CaseFactory.create(office=office)
    assert second.reference.endswith("-00002")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"destination_country": "XX"}, "destination_country"),
        ({"destination_country": "NG", "destination_region": "IQ-BG"}, "destination_region"),
        ({"destination_country": "NG", "destination_region": "NG-99"}, "destination_region"),
        ({"destination_country": "NG", "category": "tourist"}, "category"),
    ],
)
def test_bad_case_data_is_refused_and_nothing_is_saved(
    personas: Personas, data: dict[str, str], field: str
) -> None:
    principal = PersonFactory.create(office=personas.office_a)
    fields: dict[str, Any] = {"programme": "AVR", "category": "stranded"} | data
    with pytest.raises(ValidationError) as refused:
        case_create(
            actor=personas.caseworker_a, office=personas.office_a, principal=principal, **fields
        )
    assert field in refused.value.message_dict
    assert not Case.objects.exists()


def test_nobody_is_on_two_open_cases_and_people_stay_in_their_office(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    CaseFactory.create(office=personas.office_a, principal=person)
    with pytest.raises(ValidationError):
        CaseFactory.create(office=personas.office_a, principal=person)
    stranger = PersonFactory.create(office=personas.office_b)
    with pytest.raises(ValidationError):
        CaseFactory.create(office=personas.office_a, principal=stranger)
    with pytest.raises(PermissionDenied):
        CaseFactory.create(office=personas.office_b, actor=personas.caseworker_a)
    assert Case.objects.count() == 1


def test_every_transition_is_recorded_and_audited_once(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    case = case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    assert case.status == Status.COUNSELLING
    move = CaseTransition.objects.get(case=case)
    assert (move.source, move.target, move.actor) == (
        "registered",
        "counselling",
        personas.caseworker_a,
    )
    assert AuditEvent.objects.filter(action="case.transition", object_id=str(case.pk)).count() == 1


def test_a_move_not_in_the_table_is_refused_in_words(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    with pytest.raises(TransitionBlocked) as blocked:
        case_transition(actor=personas.caseworker_a, case=case, target=Status.DEPARTED)
    assert [u.code for u in blocked.value.unmet] == ["transition_not_allowed"]
    assert "cannot move" in str(blocked.value.unmet[0].message)
    assert not CaseTransition.objects.exists()


def test_withdrawal_needs_a_reason_and_is_final(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    with pytest.raises(TransitionBlocked) as blocked:
        case_transition(actor=personas.caseworker_a, case=case, target=Status.WITHDRAWN)
    assert [u.code for u in blocked.value.unmet] == ["reason_required"]
    case = case_transition(
        actor=personas.caseworker_a, case=case, target=Status.WITHDRAWN, reason="Wants to stay"
    )
    for target in Status:
        with pytest.raises(TransitionBlocked):
            case_transition(actor=personas.caseworker_a, case=case, target=target, reason="again")
    # The person may apply again later, on a new case.
    CaseFactory.create(office=personas.office_a, principal=case.principal)


def test_a_case_on_hold_resumes_where_it_was(personas: Personas) -> None:
    case = CaseFactory.create(office=personas.office_a)
    case = case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    case = case_transition(
        actor=personas.caseworker_a, case=case, target=Status.ON_HOLD, reason="Hospital"
    )
    with pytest.raises(TransitionBlocked) as blocked:
        case_transition(actor=personas.caseworker_a, case=case, target=Status.REGISTERED)
    assert [u.code for u in blocked.value.unmet] == ["resume_elsewhere"]
    case = case_transition(actor=personas.caseworker_a, case=case, target=Status.COUNSELLING)
    assert case.status == Status.COUNSELLING


def test_approval_needs_a_manager_who_did_not_submit(personas: Personas) -> None:
    office = personas.office_a
    other_manager = UserFactory.create(roles=[(office, Role.MANAGER)])
    case = CaseFactory.create(office=office)
    case = case_transition(actor=personas.manager_a, case=case, target=Status.COUNSELLING)
    cover_travellers(personas.caseworker_a, case)
    case = case_transition(actor=personas.manager_a, case=case, target=Status.APPLICATION_SUBMITTED)
    with pytest.raises(TransitionBlocked) as by_caseworker:
        case_transition(actor=personas.caseworker_a, case=case, target=Status.APPROVED)
    assert "approver_role" in [u.code for u in by_caseworker.value.unmet]
    with pytest.raises(TransitionBlocked) as by_submitter:
        case_transition(actor=personas.manager_a, case=case, target=Status.APPROVED)
    assert "self_approval" in [u.code for u in by_submitter.value.unmet]
    codes = {u.code for u in by_submitter.value.unmet}
    assert "approver_role" not in codes
    eligibility_decide(actor=personas.caseworker_a, case=case)
    approved = case_transition(actor=other_manager, case=case, target=Status.APPROVED)
    assert approved.status == Status.APPROVED


@pytest.mark.postgres_only  # SQLite runs one writer at a time: tests/core/test_sequences.py there
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_case_creations_get_fifty_references() -> None:
    office = OfficeFactory.create(code="de-ber")
    people = [PersonFactory.create(office=office) for _ in range(50)]
    start = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def open_case(person: object) -> None:
        try:
            start.wait()
            CaseFactory.create(office=office, principal=person)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_case, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == 50
    assert len(set(references)) == 50
