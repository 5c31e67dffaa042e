"""Suspending a destination holds exactly its cases before departure, blocks the workflow, and
lifting releases each case back where it was; case by case needs a manager's decision."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.safety.factories import record, safety_officer, set_status
from wayhome.audit.chain import chain_verify
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseTransition
from wayhome.cases.services import TransitionBlocked, case_transition, transition_unmet
from wayhome.cases.workflow import Status
from wayhome.safety.models import RestrictionHold
from wayhome.safety.services import restriction_decision_record

pytestmark = pytest.mark.django_db


def codes(actor: Any, case: Case, target: str) -> set[str]:
    case.refresh_from_db()
    return {u.code for u in transition_unmet(actor=actor, case=case, target=target)}


def test_a_suspension_holds_exactly_the_pre_departure_cases_of_the_country(
    personas: Personas,
) -> None:
    office = personas.office_a
    officer = safety_officer(office)
    before = {}
    for status in (
        Status.REGISTERED,
        Status.COUNSELLING,
        Status.APPLICATION_SUBMITTED,
        Status.APPROVED,
        Status.TRAVEL_PREPARATION,
        Status.READY_TO_DEPART,
    ):
        case = set_status(CaseFactory.create(office=office, destination_country="AF"), status)
        before[case.pk] = status
    untouched = [
        set_status(CaseFactory.create(office=office, destination_country="AF"), Status.DEPARTED),
        set_status(CaseFactory.create(office=office, destination_country="AF"), Status.CLOSED),
        set_status(CaseFactory.create(office=office, destination_country="AF"), Status.ON_HOLD),
        CaseFactory.create(office=office, destination_country="IQ"),
        CaseFactory.create(office=personas.office_b, destination_country="AF", programme="VHR"),
    ]
    untouched_status = {c.pk: c.status for c in untouched}
    other_office = untouched[-1]
    events_before = AuditEvent.objects.filter(action="case.transition").count()

    version, result = record(officer, programmes=["AVRR"])

    assert set(result.held) == set(before)
    for pk, status in before.items():
        case = Case.objects.get(pk=pk)
        assert case.status == Status.ON_HOLD
        assert case.held_from == status
        transition = CaseTransition.objects.get(case=case)
        assert (transition.source, transition.target) == (status, Status.ON_HOLD)
        assert "Armed conflict" in transition.reason
    for pk, expected in untouched_status.items():
        assert Case.objects.get(pk=pk).status == expected
    assert Case.objects.get(pk=other_office.pk).status == Status.REGISTERED  # programme VHR
    assert RestrictionHold.objects.filter(restriction=version).count() == len(before)
    events = AuditEvent.objects.filter(action="case.transition")
    assert events.count() - events_before == len(before)
    assert {e.object_id for e in events.filter(details__restriction=str(version.pk))} == {
        str(pk) for pk in before
    }
    assert chain_verify()[1] is None

    # Lifting (a new version, open) releases each case to where it was, with a transition.
    _lifted, released = record(officer, previous=version, status="open", programmes=["AVRR"])
    assert set(released.released) == set(before)
    for pk, status in before.items():
        case = Case.objects.get(pk=pk)
        assert (case.status, case.held_from) == (status, "")
        last = CaseTransition.objects.filter(case=case).order_by("-id").first()
        assert last is not None
        assert (last.source, last.target) == (Status.ON_HOLD, status)
    assert events.count() - events_before == 2 * len(before)
    assert not RestrictionHold.objects.filter(released_at__isnull=True).exists()
    assert chain_verify()[1] is None


def test_a_suspension_blocks_submission_approval_departure_and_resuming(
    personas: Personas,
) -> None:
    officer = safety_officer(personas.office_a)
    record(officer)
    manager = personas.manager_a
    case = CaseFactory.create(office=personas.office_a, destination_country="AF")  # after it
    for source, target in (
        (Status.COUNSELLING, Status.APPLICATION_SUBMITTED),
        (Status.APPLICATION_SUBMITTED, Status.APPROVED),
        (Status.TRAVEL_PREPARATION, Status.READY_TO_DEPART),
        (Status.READY_TO_DEPART, Status.DEPARTED),
    ):
        set_status(case, source)
        assert "restriction_suspended" in codes(manager, case, target), target
    Case.objects.filter(pk=case.pk).update(status=Status.ON_HOLD, held_from=Status.COUNSELLING)
    assert "restriction_suspended" in codes(manager, case, Status.COUNSELLING)
    unmet = transition_unmet(actor=manager, case=case, target=Status.COUNSELLING)
    message = str(next(u.message for u in unmet if u.code == "restriction_suspended"))
    assert "Afghanistan" in message
    assert "Armed conflict" in message
    set_status(case, Status.READY_TO_DEPART)
    with pytest.raises(TransitionBlocked):
        case_transition(actor=personas.caseworker_a, case=case, target=Status.DEPARTED)
    # Another country is not affected.
    elsewhere = set_status(
        CaseFactory.create(office=personas.office_a, destination_country="IQ"),
        Status.READY_TO_DEPART,
    )
    assert "restriction_suspended" not in codes(manager, elsewhere, Status.DEPARTED)


def test_a_region_level_suspension_touches_only_that_region(personas: Personas) -> None:
    officer = safety_officer(personas.office_a)
    office = personas.office_a
    inside = CaseFactory.create(office=office, destination_country="IQ", destination_region="IQ-NI")
    outside = CaseFactory.create(
        office=office, destination_country="IQ", destination_region="IQ-BG"
    )
    no_region = CaseFactory.create(office=office, destination_country="IQ")
    _version, result = record(officer, country="IQ", region="IQ-NI")
    assert result.held == [inside.pk]
    for case in (outside, no_region):
        case.refresh_from_db()
        assert case.status == Status.REGISTERED
    set_status(outside, Status.APPLICATION_SUBMITTED)
    assert "restriction_suspended" not in codes(personas.manager_a, outside, Status.APPROVED)
    # A country-level suspension applies to every region.
    _country, result = record(officer, country="IQ")
    assert set(result.held) == {outside.pk, no_region.pk}


def test_lifting_keeps_cases_another_suspension_still_holds(personas: Personas) -> None:
    officer = safety_officer(personas.office_a)
    case = CaseFactory.create(
        office=personas.office_a, destination_country="IQ", destination_region="IQ-NI"
    )
    country, held = record(officer, country="IQ")
    region, _ = record(officer, country="IQ", region="IQ-NI")
    assert held.held == [case.pk]
    _lift, result = record(officer, previous=country, status="open")
    assert result.released == []
    assert result.kept == [case.pk]
    case.refresh_from_db()
    assert case.status == Status.ON_HOLD
    _lift2, result = record(officer, previous=region, status="open")
    assert result.released == [case.pk]
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_case_by_case_needs_the_managers_decision(personas: Personas) -> None:
    officer = safety_officer(personas.office_a)
    _version, result = record(officer, status="case_by_case", reason="Volatile security")
    case = set_status(
        CaseFactory.create(office=personas.office_a, destination_country="AF"),
        Status.APPLICATION_SUBMITTED,
    )
    assert result.held == []
    assert "restriction_case_by_case" in codes(personas.manager_a, case, Status.APPROVED)
    with pytest.raises(PermissionDenied):
        restriction_decision_record(actor=personas.caseworker_a, case=case, reason="Safe area")
    restriction_decision_record(actor=personas.manager_a, case=case, reason="Safe area")
    assert "restriction_case_by_case" not in codes(personas.manager_a, case, Status.APPROVED)
    assert AuditEvent.objects.filter(action="safety.decision_record").count() == 1
    # A new case-by-case version needs a new decision.
    latest = _version
    record(officer, previous=latest, status="case_by_case", reason="Worse")
    assert "restriction_case_by_case" in codes(personas.manager_a, case, Status.APPROVED)
