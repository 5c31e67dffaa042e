"""Closure after arrival with the Handbook's reasons, reopening by a manager with a reason, and
the reintegration side's other guards on the workflow."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.movements.factories import HandoverFactory, origin_office
from tests.reintegration.factories import approved, arrived, drafted
from tests.safety.factories import set_status
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case
from wayhome.cases.services import TransitionBlocked, case_transition
from wayhome.cases.workflow import Status
from wayhome.movements.services import handover_acknowledge
from wayhome.reintegration import access, services
from wayhome.reintegration.models import Closure, ClosureReason

pytestmark = pytest.mark.django_db


def unmet_codes(exc: TransitionBlocked) -> set[str]:
    return {u.code for u in exc.unmet}


@pytest.mark.parametrize("reason", ClosureReason.values)
@pytest.mark.parametrize(
    "status",
    [
        Status.ARRIVED,
        Status.REINTEGRATION_PLANNING,
        Status.REINTEGRATION_ASSISTANCE,
        Status.MONITORING,
    ],
)
def test_a_case_closes_after_arrival_with_each_reason(
    personas: Personas, status: str, reason: str
) -> None:
    case = set_status(arrived(personas.office_a), status)
    closure = services.case_close(
        actor=personas.caseworker_a, case=case, reason=reason, note="Spoke on the phone"
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert (closure.reason, closure.closed_from) == (reason, status)
    assert case.transitions.last().target == Status.CLOSED  # type: ignore[union-attr]


def test_an_unknown_reason_is_refused_and_nothing_changes(personas: Personas) -> None:
    case = arrived(personas.office_a)
    with pytest.raises(ValidationError):
        services.case_close(actor=None, case=case, reason="bored")
    case.refresh_from_db()
    assert case.status == Status.ARRIVED
    assert not Closure.objects.exists()


def test_closing_without_a_reason_through_the_plain_workflow_is_refused(
    personas: Personas,
) -> None:
    case = arrived(personas.office_a)
    with pytest.raises(TransitionBlocked) as refused:
        case_transition(actor=personas.caseworker_a, case=case, target=Status.CLOSED)
    assert unmet_codes(refused.value) == {"closure_reason"}


def test_closing_before_arrival_is_not_this_way(personas: Personas) -> None:
    case = set_status(arrived(personas.office_a), Status.DEPARTED)
    with pytest.raises(ValidationError) as refused:
        services.case_close(actor=None, case=case, reason=ClosureReason.COMPLETED)
    assert refused.value.code == "wrong_status"


def test_a_manager_reopens_with_a_reason_where_the_case_was(personas: Personas) -> None:
    case = set_status(arrived(personas.office_a), Status.REINTEGRATION_PLANNING)
    services.case_close(actor=None, case=case, reason=ClosureReason.ABRUPT_EXIT)
    with pytest.raises(PermissionDenied):
        services.case_reopen(actor=personas.caseworker_a, case=case, reason="Back in touch")
    with pytest.raises(TransitionBlocked) as refused:
        services.case_reopen(actor=personas.manager_a, case=case, reason="  ")
    assert unmet_codes(refused.value) == {"reopen_reason"}
    reopened = services.case_reopen(actor=personas.manager_a, case=case, reason="Back in touch")
    assert reopened.status == Status.REINTEGRATION_PLANNING
    closure = Closure.objects.get(case=case)
    assert closure.reopened_by == personas.manager_a
    assert closure.reopen_reason == "Back in touch"
    assert closure.reopened_at is not None
    # Closed again and reopened again: each closure is kept.
    services.case_close(actor=None, case=case, reason=ClosureReason.COMPLETED)
    services.case_reopen(actor=personas.manager_a, case=case, reason="A new need")
    assert Closure.objects.filter(case=case, reopened_at__isnull=False).count() == 2


def test_the_plain_workflow_reopens_only_where_it_was_and_only_for_a_manager(
    personas: Personas,
) -> None:
    case = set_status(arrived(personas.office_a), Status.MONITORING)
    services.case_close(actor=None, case=case, reason=ClosureReason.COMPLETED)
    with pytest.raises(TransitionBlocked) as refused:
        case_transition(
            actor=personas.manager_a, case=case, target=Status.ARRIVED, reason="Wrong step"
        )
    assert unmet_codes(refused.value) == {"reopen_target"}
    with pytest.raises((TransitionBlocked, PermissionDenied)):
        case_transition(
            actor=personas.caseworker_a, case=case, target=Status.MONITORING, reason="Try"
        )
    case_transition(
        actor=personas.manager_a, case=case, target=Status.MONITORING, reason="Follow-up visit"
    )
    assert Closure.objects.get(case=case).reopen_reason == "Follow-up visit"


def test_assistance_follows_an_approved_plan(personas: Personas) -> None:
    case = set_status(arrived(personas.office_a), Status.REINTEGRATION_PLANNING)
    drafted(case)
    with pytest.raises(TransitionBlocked) as refused:
        services.reintegration_move(
            actor=personas.caseworker_a, case=case, target=Status.REINTEGRATION_ASSISTANCE
        )
    assert unmet_codes(refused.value) == {"plan_approved"}
    other = set_status(arrived(personas.office_a), Status.REINTEGRATION_PLANNING)
    approved(other)
    moved = services.reintegration_move(
        actor=personas.caseworker_a, case=other, target=Status.REINTEGRATION_ASSISTANCE
    )
    assert moved.status == Status.REINTEGRATION_ASSISTANCE


def test_the_origin_office_that_took_the_case_over_works_its_reintegration(
    personas: Personas,
) -> None:
    origin = origin_office()
    officer = UserFactory.create(email="lagos@example.org", roles=[(origin, Role.REINTEGRATION)])
    handover = HandoverFactory.create(office=personas.office_a, to=origin)
    case = set_status(handover.case, Status.ARRIVED)
    assert not access.cases_worked(officer).filter(pk=case.pk).exists()  # not before taking over
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=officer, case=case)
    handover_acknowledge(actor=officer, handover=handover)
    assert access.cases_worked(officer).filter(pk=case.pk).exists()
    plan = services.plan_create(actor=officer, case=case)
    assert plan.office_id == origin.pk
    moved = services.reintegration_move(
        actor=officer, case=case, target=Status.REINTEGRATION_PLANNING
    )
    assert moved.status == Status.REINTEGRATION_PLANNING
    # Another origin office sees nothing.
    stranger = UserFactory.create(
        email="dakar@example.org", roles=[(origin_office(country="SN"), Role.REINTEGRATION)]
    )
    assert not access.cases_worked(stranger).filter(pk=case.pk).exists()
    assert isinstance(case, Case)
