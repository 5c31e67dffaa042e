"""Consent records for tests, made through the services (audit and validation as in life).

``MemberFactory`` (a ``CaseMember``), ``RepresentativeFactory`` (a ``LegalRepresentative``),
``DecisionFactory`` (a ``RepresentativeDecision`` with its signed form) and ``ConsentFactory`` (a
``DataSharingConsent``) serve the isolation test for the ``member_id``, ``representative_id``,
``decision_id`` and ``consent_id`` routes. The helpers below cover a
traveller fully, so that a test can take away one condition at a time.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.factories import OfficeFactory
from tests.people.factories import PersonFactory
from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.cases.services import case_member_add
from wayhome.consent.models import (
    DataSharingConsent,
    LegalRepresentative,
    RepresentativeDecision,
    Topic,
    VoluntarinessDeclaration,
)
from wayhome.consent.services import (
    consent_give,
    declaration_record,
    representative_add,
    representative_decision_record,
    session_record,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ADULT_DOB = datetime.date(1985, 4, 2)
CHILD_DOB = datetime.date(timezone.localdate().year - 8, 1, 1)


def adult(office: Any, **kwargs: Any) -> Any:
    return PersonFactory.create(office=office, date_of_birth=ADULT_DOB, **kwargs)


def child(office: Any, **kwargs: Any) -> Any:
    return PersonFactory.create(office=office, date_of_birth=CHILD_DOB, **kwargs)


class MemberFactory(factory.django.DjangoModelFactory[CaseMember]):
    """A member added to a case (``case=``, else a new case of ``office=``)."""

    class Meta:
        model = CaseMember

    case = None
    relationship = Relationship.SPOUSE

    @classmethod
    def _create(cls, model_class: type[CaseMember], *args: Any, **kwargs: Any) -> CaseMember:
        case: Case | None = kwargs.pop("case", None)
        office = kwargs.pop("office", None)
        if case is None:
            case = CaseFactory.create(office=office or OfficeFactory.create())
        person = kwargs.pop("person", None) or adult(case.office)
        return case_member_add(
            actor=None, case=case, person=person, relationship=kwargs.pop("relationship")
        )


class RepresentativeFactory(factory.django.DjangoModelFactory[LegalRepresentative]):
    """A guardian of ``member=`` (else of a new member of a case of ``office=``)."""

    class Meta:
        model = LegalRepresentative

    member = None
    name = "Amal Haddad"
    kind = LegalRepresentative.Kind.GUARDIAN
    relationship = "mother"

    @classmethod
    def _create(
        cls, model_class: type[LegalRepresentative], *args: Any, **kwargs: Any
    ) -> LegalRepresentative:
        office = kwargs.pop("office", None)
        member = kwargs.pop("member", None) or MemberFactory.create(
            office=office or OfficeFactory.create()
        )
        return representative_add(actor=kwargs.pop("actor", None), member=member, **kwargs)


class DecisionFactory(factory.django.DjangoModelFactory[RepresentativeDecision]):
    """A guardian's agreement, with a signed PDF, for ``member=`` (else a new member of a case
    of ``office=``)."""

    class Meta:
        model = RepresentativeDecision

    member = None

    @classmethod
    def _create(
        cls, model_class: type[RepresentativeDecision], *args: Any, **kwargs: Any
    ) -> RepresentativeDecision:
        office = kwargs.pop("office", None)
        member = kwargs.pop("member", None) or MemberFactory.create(
            office=office or OfficeFactory.create()
        )
        return representative_decision_record(
            actor=None,
            member=member,
            representative=RepresentativeFactory.create(member=member),
            decision=kwargs.pop("decision", RepresentativeDecision.Decision.AGREES),
            decided_on=kwargs.pop("decided_on", timezone.localdate()),
            signed_form=kwargs.pop("signed_form", PDF),
            signed_form_type=kwargs.pop("signed_form_type", "application/pdf"),
        )


class ConsentFactory(factory.django.DjangoModelFactory[DataSharingConsent]):
    """A data-sharing consent of ``person=`` (else a new person of ``office=``)."""

    class Meta:
        model = DataSharingConsent

    person = None
    purpose = DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE
    recipient_kind = DataSharingConsent.RecipientKind.PARTNER
    recipient_name = "Hope Partners"

    @classmethod
    def _create(
        cls, model_class: type[DataSharingConsent], *args: Any, **kwargs: Any
    ) -> DataSharingConsent:
        office = kwargs.pop("office", None)
        person = kwargs.pop("person", None) or PersonFactory.create(
            office=office or OfficeFactory.create()
        )
        kwargs.setdefault("given_on", timezone.localdate())
        return consent_give(actor=kwargs.pop("actor", None), person=person, **kwargs)


DataSharingConsentFactory = ConsentFactory


def members_of(case: Case) -> list[CaseMember]:
    return list(case.members.select_related("person").order_by("created_at", "id"))


def attend_session(actor: Any, case: Case, members: list[CaseMember], **kwargs: Any) -> Any:
    kwargs.setdefault("held_on", timezone.localdate() - datetime.timedelta(days=2))
    kwargs.setdefault("language", "ar")
    kwargs.setdefault("topics", [Topic.RETURN_PROCESS, Topic.RIGHTS_AND_WITHDRAWAL])
    return session_record(actor=actor, case=case, attendees=members, **kwargs)


def declare(actor: Any, member: CaseMember, **kwargs: Any) -> VoluntarinessDeclaration:
    kwargs.setdefault("freedom_of_choice", True)
    kwargs.setdefault("informed_decision", True)
    kwargs.setdefault("declared_on", timezone.localdate())
    kwargs.setdefault("signed_form", PDF)
    kwargs.setdefault("signed_form_type", "application/pdf")
    return declaration_record(actor=actor, member=member, **kwargs)


def guardian_agrees(
    actor: Any, member: CaseMember, *, kind: str = LegalRepresentative.Kind.GUARDIAN
) -> RepresentativeDecision:
    representative = representative_add(
        actor=actor, member=member, name="Amal Haddad", kind=kind, relationship="mother"
    )
    return representative_decision_record(
        actor=actor,
        member=member,
        representative=representative,
        decision=RepresentativeDecision.Decision.AGREES,
        decided_on=timezone.localdate(),
    )


def cover_travellers(actor: Any, case: Case) -> None:
    """Everything the voluntariness guard asks for, for every traveller of ``case``: a session
    for all, a declaration for each adult, a guardian's consent for each child."""
    from wayhome.consent.rules import is_child

    members = [m for m in members_of(case) if m.travelling]
    attend_session(actor, case, members)
    for member in members:
        if is_child(member):
            guardian_agrees(actor, member)
        else:
            declare(actor, member)
