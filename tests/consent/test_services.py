"""Withdrawal, data-sharing consents, signed-form uploads and sessions, through the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import PDF, PNG, ConsentFactory, adult, declare, members_of
from tests.factories import OfficeFactory
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseTransition
from wayhome.cases.services import TransitionBlocked, case_transition
from wayhome.cases.workflow import PRE_DEPARTURE, Status
from wayhome.consent.models import (
    SIGNED_FORM_MAX_BYTES,
    DataSharingConsent,
    InformationSession,
    VoluntarinessDeclaration,
    Withdrawal,
)
from wayhome.consent.services import (
    case_withdraw,
    consent_revoke,
    declaration_form_attach,
    session_record,
)
from wayhome.consent.sharing import SharingNotAllowed, require_sharing_allowed, sharing_allowed

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def case_at(personas: Personas, status: str) -> Case:
    """A case forced to ``status`` (the path there is tested elsewhere)."""
    case = CaseFactory.create(office=personas.office_a, principal=adult(personas.office_a))
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


# --- withdrawal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted([*PRE_DEPARTURE, Status.ON_HOLD]))
def test_withdrawal_at_each_status_before_departure(personas: Personas, status: str) -> None:
    case = case_at(personas, status)
    if status == Status.ON_HOLD:
        Case.objects.filter(pk=case.pk).update(held_from=Status.COUNSELLING)
    withdrawal = case_withdraw(
        actor=personas.caseworker_a, case=case, reason="Wants to stay with relatives."
    )
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    assert withdrawal.reason == "Wants to stay with relatives."
    assert withdrawal.withdrawn_on == TODAY()
    move = CaseTransition.objects.get(case=case)
    assert (move.source, move.target) == (status, Status.WITHDRAWN)
    event = AuditEvent.objects.get(action="consent.withdraw")
    assert "relatives" not in str(event.details)


@pytest.mark.parametrize(
    "status",
    [Status.DEPARTED, Status.ARRIVED, Status.MONITORING, Status.CLOSED, Status.REJECTED],
)
def test_no_withdrawal_after_departure(personas: Personas, status: str) -> None:
    case = case_at(personas, status)
    with pytest.raises(TransitionBlocked) as caught:
        case_withdraw(actor=personas.caseworker_a, case=case, reason="Changed their mind.")
    assert [u.code for u in caught.value.unmet] == ["withdrawal_after_departure"]
    case.refresh_from_db()
    assert case.status == status
    assert not Withdrawal.objects.exists()


def test_a_withdrawal_needs_a_reason_and_a_past_date(personas: Personas) -> None:
    case = case_at(personas, Status.COUNSELLING)
    with pytest.raises(ValidationError) as caught:
        case_withdraw(actor=personas.caseworker_a, case=case, reason="   ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        case_withdraw(
            actor=personas.caseworker_a,
            case=case,
            reason="Family reasons.",
            withdrawn_on=TODAY() + datetime.timedelta(days=1),
        )
    assert "withdrawn_on" in caught.value.message_dict
    case.refresh_from_db()
    assert case.status == Status.COUNSELLING
    assert not Withdrawal.objects.exists()


def test_another_office_cannot_withdraw(personas: Personas) -> None:
    case = case_at(personas, Status.COUNSELLING)
    with pytest.raises(PermissionDenied):
        case_withdraw(actor=personas.caseworker_b, case=case, reason="x")


def test_a_withdrawn_case_can_go_nowhere(personas: Personas) -> None:
    case = case_at(personas, Status.APPROVED)
    case_withdraw(actor=personas.caseworker_a, case=case, reason="Found work.")
    for target in Status:
        for actor in (personas.caseworker_a, personas.manager_a):
            with pytest.raises(TransitionBlocked) as caught:
                case_transition(actor=actor, case=case, target=target, reason="retry")
            assert "transition_not_allowed" in {u.code for u in caught.value.unmet}
    with pytest.raises(TransitionBlocked):
        case_withdraw(actor=personas.caseworker_a, case=case, reason="again")
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN


def test_the_person_may_apply_again_later(personas: Personas) -> None:
    person = adult(personas.office_a)
    first = CaseFactory.create(office=personas.office_a, principal=person)
    case_withdraw(actor=personas.caseworker_a, case=first, reason="Not ready yet.")
    second = CaseFactory.create(office=personas.office_a, principal=person)
    assert second.pk != first.pk
    assert second.status == Status.REGISTERED
    assert members_of(second)[0].person_id == person.pk


def test_a_withdrawal_through_any_path_is_recorded_once(personas: Personas) -> None:
    """The case page and the API move cases with case_transition: the withdrawal is recorded
    there too, with the move, and audited once."""
    case = CaseFactory.create(office=personas.office_a)
    case_transition(
        actor=personas.caseworker_a, case=case, target=Status.WITHDRAWN, reason="Family reasons"
    )
    withdrawal = Withdrawal.objects.get(case=case)
    assert withdrawal.reason == "Family reasons"
    assert withdrawal.recorded_by == personas.caseworker_a
    assert AuditEvent.objects.filter(action="consent.withdraw").count() == 1
    dated = CaseFactory.create(office=personas.office_b)
    earlier = timezone.localdate() - datetime.timedelta(days=2)
    case_withdraw(actor=personas.caseworker_b, case=dated, reason="Stays", withdrawn_on=earlier)
    assert Withdrawal.objects.get(case=dated).withdrawn_on == earlier
    assert AuditEvent.objects.filter(action="consent.withdraw").count() == 2


# --- data-sharing consents ----------------------------------------------------------------------


def test_sharing_allowed_only_under_an_active_consent_for_that_purpose_and_recipient(
    personas: Personas,
) -> None:
    origin = OfficeFactory.create(code="ng-lagos", kind="origin", country="NG")
    other_origin = OfficeFactory.create(code="ng-abuja", kind="origin", country="NG")
    consent = ConsentFactory.create(
        office=personas.office_a,
        purpose="reintegration_assistance",
        recipient_kind="origin_office",
        recipient_office=origin,
        recipient_name="",
    )
    person = consent.person
    allowed: dict[str, Any] = {
        "purpose": "reintegration_assistance",
        "recipient_kind": "origin_office",
    }
    assert sharing_allowed(person, **allowed, recipient_office=origin)
    require_sharing_allowed(person, **allowed, recipient_office=origin)
    assert not sharing_allowed(person, **allowed, recipient_office=other_origin)
    assert not sharing_allowed(person, **allowed)
    assert not sharing_allowed(
        person, purpose="research", recipient_kind="origin_office", recipient_office=origin
    )
    assert not sharing_allowed(
        person, purpose="reintegration_assistance", recipient_kind="partner", recipient_name="X"
    )
    someone_else = adult(personas.office_a)
    assert not sharing_allowed(someone_else, **allowed, recipient_office=origin)
    with pytest.raises(SharingNotAllowed) as caught:
        require_sharing_allowed(someone_else, **allowed, recipient_office=origin)
    assert "reintegration_assistance" in str(caught.value)
    assert isinstance(caught.value, PermissionDenied)


def test_a_named_partner_matches_by_name_ignoring_case_and_spacing(personas: Personas) -> None:
    consent = ConsentFactory.create(office=personas.office_a, recipient_name="Hope  Partners")
    person = consent.person
    kind: dict[str, Any] = {"purpose": "reintegration_assistance", "recipient_kind": "partner"}
    assert sharing_allowed(person, **kind, recipient_name="hope partners")
    assert not sharing_allowed(person, **kind, recipient_name="Hope Partners Ltd")
    assert not sharing_allowed(person, **kind, recipient_name="")
    assert not sharing_allowed(
        person,
        purpose="reintegration_assistance",
        recipient_kind="government_authority",
        recipient_name="Hope Partners",
    )


def test_a_revoked_consent_no_longer_allows_sharing(personas: Personas) -> None:
    consent = ConsentFactory.create(office=personas.office_a)
    query: dict[str, Any] = {
        "purpose": consent.purpose,
        "recipient_kind": consent.recipient_kind,
        "recipient_name": consent.recipient_name,
    }
    assert sharing_allowed(consent.person, **query)
    revoked = consent_revoke(actor=personas.caseworker_a, consent=consent)
    assert revoked.revoked_on == TODAY()
    assert revoked.revoked_by_id == personas.caseworker_a.pk
    assert not sharing_allowed(consent.person, **query)
    with pytest.raises(SharingNotAllowed):
        require_sharing_allowed(consent.person, **query)
    assert AuditEvent.objects.filter(action="consent.sharing_revoke").count() == 1
    with pytest.raises(ValidationError):
        consent_revoke(actor=personas.caseworker_a, consent=consent)
    with pytest.raises(PermissionDenied):
        consent_revoke(
            actor=personas.caseworker_b, consent=ConsentFactory.create(office=personas.office_a)
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"recipient_kind": "origin_office", "recipient_name": ""}, "recipient_office"),
        ({"recipient_kind": "partner", "recipient_name": "  "}, "recipient_name"),
        ({"purpose": "gossip"}, "purpose"),
        ({"given_on": datetime.date(2999, 1, 1)}, "given_on"),
    ],
)
def test_bad_consents_are_refused_with_field_errors(
    personas: Personas, data: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ConsentFactory.create(office=personas.office_a, **data)
    assert field in caught.value.message_dict
    assert not DataSharingConsent.objects.exists()


# --- signed forms -------------------------------------------------------------------------------


def test_a_signed_form_is_stored_encrypted(personas: Personas) -> None:
    case = case_at(personas, Status.COUNSELLING)
    member = members_of(case)[0]
    marker = b"SIGNED-BY-THE-MIGRANT-" * 20
    form = PDF + marker
    declaration = declare(personas.caseworker_a, member, signed_form=form)
    declaration.refresh_from_db()
    assert bytes(declaration.signed_form) == form
    assert declaration.signed_form_type == "application/pdf"
    table = VoluntarinessDeclaration._meta.db_table
    pk = VoluntarinessDeclaration._meta.pk.get_db_prep_value(declaration.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT signed_form FROM {table} WHERE id = %s", [pk])  # noqa: S608
        (stored,) = cursor.fetchone()
    raw = bytes(stored)
    assert len(raw) > len(form)
    assert marker[:20] not in raw
    assert b"%PDF" not in raw


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (b"MZ\x90\x00 an executable", "application/pdf", "file_type"),
        (b"GIF89a....", "image/gif", "file_type"),
        (PNG, "application/pdf", "file_type"),
        (PDF + b"0" * SIGNED_FORM_MAX_BYTES, "application/pdf", "too_large"),
        (b"", "application/pdf", "empty"),
    ],
)
def test_bad_uploads_are_refused_with_a_field_error(
    personas: Personas, data: bytes, content_type: str, code: str
) -> None:
    case = case_at(personas, Status.COUNSELLING)
    member = members_of(case)[0]
    declaration = declare(personas.caseworker_a, member, signed_form=None)
    with pytest.raises(ValidationError) as caught:
        declaration_form_attach(
            actor=personas.caseworker_a,
            declaration=declaration,
            data=data,
            content_type=content_type,
        )
    assert "signed_form" in caught.value.message_dict
    assert caught.value.error_dict["signed_form"][0].code == code
    declaration.refresh_from_db()
    assert declaration.signed_form is None
    assert not declaration.has_signed_form
    # The same check when the form comes with the declaration: nothing is saved.
    with pytest.raises(ValidationError):
        declare(
            personas.caseworker_a, member, signed_form=data or b"x", signed_form_type=content_type
        )
    assert VoluntarinessDeclaration.objects.count() == 1


def test_a_png_form_is_accepted_and_replaces_the_earlier(personas: Personas) -> None:
    case = case_at(personas, Status.COUNSELLING)
    declaration = declare(personas.caseworker_a, members_of(case)[0])
    attached = declaration_form_attach(
        actor=personas.caseworker_a, declaration=declaration, data=PNG, content_type="image/png"
    )
    assert attached.signed_form_type == "image/png"
    event = AuditEvent.objects.get(action="consent.form_attach")
    assert event.details["replaced"] is True


# --- sessions -----------------------------------------------------------------------------------


def test_a_session_is_checked_field_by_field_and_nothing_is_saved(personas: Personas) -> None:
    case = case_at(personas, Status.COUNSELLING)
    other_case = case_at(personas, Status.COUNSELLING)
    with pytest.raises(ValidationError) as caught:
        session_record(
            actor=personas.caseworker_a,
            case=case,
            held_on=TODAY() + datetime.timedelta(days=1),
            language="xx",
            topics=["astrology"],
            attendees=members_of(other_case),
            interpreter=False,
            interpreter_name="Someone",
        )
    assert set(caught.value.message_dict) == {
        "held_on",
        "language",
        "topics",
        "attendees",
        "interpreter_name",
    }
    assert not InformationSession.objects.exists()


def test_nothing_is_recorded_on_a_closed_case(personas: Personas) -> None:
    case = case_at(personas, Status.WITHDRAWN)
    with pytest.raises(ValidationError) as caught:
        declare(personas.caseworker_a, members_of(case)[0])
    assert caught.value.code == "case_closed"
