"""Reintegration records for tests, made through the services (validation and audit as in life).

``arrived(office)`` is a case whose travellers arrived five days ago (an ``Arrival`` record, status
``arrived``); ``with_cap`` sets the office's AVRR cap (EUR 2,000 a person, 5,000 a household);
``drafted`` makes a draft plan with lines; ``submitted`` submits it; ``partner_of`` registers a
partner with an agreement in force; ``consent_for`` records a person's consent to share with it.
The ``*Factory`` classes serve the isolation test for the ``plan_id``, ``budget_line_id``,
``delivery_id``, ``referral_id``, ``partner_id`` and ``counselling_id`` routes (``office=``, and
``case=`` the route's case where it has one).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.consent.factories import ConsentFactory, adult, child
from tests.factories import OfficeFactory
from tests.safety.factories import set_status
from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.cases.services import case_member_add
from wayhome.cases.workflow import Status
from wayhome.consent.models import DataSharingConsent
from wayhome.movements.models import Arrival, ConfirmedBy
from wayhome.reintegration import services
from wayhome.reintegration.models import (
    BudgetLine,
    Category,
    Counselling,
    CounsellingMode,
    CounsellingStage,
    Delivery,
    DeliveryMode,
    Dimension,
    Partner,
    PartnerKind,
    PaymentMethod,
    Plan,
    ProgrammeCap,
    Referral,
)

TODAY = timezone.localdate


def arrived(office: Office, *, with_child: bool = False, days_ago: int = 5) -> Case:
    case = CaseFactory.create(office=office, principal=adult(office))
    if with_child:
        case_member_add(
            actor=None, case=case, person=child(office), relationship=Relationship.CHILD
        )
    case = set_status(case, Status.ARRIVED)
    Arrival.objects.create(
        case=case,
        arrived_on=TODAY() - datetime.timedelta(days=days_ago),
        confirmed_by=ConfirmedBy.ORIGIN_OFFICE,
        reception_details="Met at the airport",
        office=office,
    )
    return case


def with_cap(
    office: Office,
    *,
    currency: str = "EUR",
    per_person: str = "2000",
    per_household: str = "5000",
    programme: str = "AVRR",
) -> ProgrammeCap:
    return services.cap_set(
        actor=None,
        office=office,
        programme=programme,
        currency=currency,
        per_person=Decimal(per_person),
        per_household=Decimal(per_household),
    )


def line(plan: Plan, amount: str = "500", currency: str = "EUR", **kwargs: Any) -> BudgetLine:
    actor = kwargs.pop("actor", None)
    values: dict[str, Any] = {
        "dimension": Dimension.ECONOMIC,
        "category": Category.BUSINESS,
        "description": "Tailoring workshop equipment",
        "amount": Decimal(amount),
        "currency": currency,
        "delivery_mode": DeliveryMode.CASH,
    }
    values.update(kwargs)
    return services.line_add(actor=actor, plan=plan, **values)


def drafted(
    case: Case,
    *amounts: tuple[str, str],
    actor: Any = None,
    member: CaseMember | None = None,
) -> Plan:
    """A draft plan of ``case`` (household unless ``member``) with a line per (amount, currency)."""
    plan = services.plan_create(
        actor=actor, case=case, member=member, needs="Wants to reopen a tailoring shop"
    )
    for amount, currency in amounts or (("500", "EUR"),):
        services.line_add(
            actor=actor,
            plan=plan,
            dimension=Dimension.ECONOMIC,
            category=Category.BUSINESS,
            description="Tailoring workshop equipment",
            amount=Decimal(amount),
            currency=currency,
            delivery_mode=DeliveryMode.CASH,
        )
    plan.refresh_from_db()
    return plan


def submitted(plan: Plan, actor: Any = None) -> Plan:
    return services.plan_submit(actor=actor, plan=plan)


def approved(case: Case, *amounts: tuple[str, str], rates: dict[str, str] | None = None) -> Plan:
    """A plan of ``case`` approved (by the system: no drafter check), the office capped first."""
    if not ProgrammeCap.objects.filter(office=case.office, programme=case.programme).exists():
        with_cap(case.office)
    plan = submitted(drafted(case, *amounts))
    services.plan_approve(actor=None, plan=plan, rates=rates or {})
    plan.refresh_from_db()
    return plan


def partner_of(office: Office, name: str = "Lagos Skills Centre", **kwargs: Any) -> Partner:
    values: dict[str, Any] = {
        "name": name,
        "kind": PartnerKind.NGO,
        "countries": ["NG"],
        "services": [Category.BUSINESS, Category.VOCATIONAL],
        "agreement_reference": "DSA-2026-01",
        "agreement_signed_on": TODAY() - datetime.timedelta(days=60),
        "agreement_expires_on": TODAY() + datetime.timedelta(days=300),
    }
    values.update(kwargs)
    return services.partner_create(actor=None, office=office, **values)


def consent_for(member: CaseMember, partner: Partner, **kwargs: Any) -> DataSharingConsent:
    return ConsentFactory.create(
        person=member.person,
        purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
        recipient_kind=DataSharingConsent.RecipientKind.PARTNER,
        recipient_name=partner.name,
        **kwargs,
    )


def refer(case: Case, partner: Partner, *, fields: tuple[str, ...] = ("given_name",)) -> Referral:
    principal = case.members.order_by("created_at", "id").first()
    assert principal is not None
    if not DataSharingConsent.objects.filter(
        person=principal.person, recipient_name=partner.name, revoked_on__isnull=True
    ).exists():
        consent_for(principal, partner)
    return services.referral_send(
        actor=None,
        case=case,
        partner=partner,
        members=[principal],
        fields=fields,
        category=Category.VOCATIONAL,
        note="Tailoring course, starts in January",
    )


# --- factories for the isolation test ------------------------------------------------------------


def _arrived_of(kwargs: dict[str, Any]) -> Case:
    """The case given (brought to "arrived" if it is not there yet), else a new arrived case."""
    case = kwargs.pop("case", None)
    office = kwargs.pop("office", None)
    if case is None:
        return arrived(office or OfficeFactory.create())
    if not Arrival.objects.filter(case=case).exists():
        case = set_status(case, Status.ARRIVED)
        Arrival.objects.create(
            case=case,
            arrived_on=TODAY() - datetime.timedelta(days=5),
            confirmed_by=ConfirmedBy.ORIGIN_OFFICE,
            reception_details="Met at the airport",
            office=case.office,
        )
    return case


class PlanFactory(factory.django.DjangoModelFactory[Plan]):
    class Meta:
        model = Plan

    case = None  # the isolation test passes the route's case here

    @classmethod
    def _create(cls, model_class: type[Plan], *args: Any, **kwargs: Any) -> Any:
        return drafted(_arrived_of(kwargs))


class BudgetLineFactory(factory.django.DjangoModelFactory[BudgetLine]):
    class Meta:
        model = BudgetLine

    plan = None  # the route's plan, where it has one
    case = None  # the isolation test passes the route's case here

    @classmethod
    def _create(cls, model_class: type[BudgetLine], *args: Any, **kwargs: Any) -> Any:
        plan = kwargs.pop("plan", None) or drafted(_arrived_of(kwargs))
        return plan.lines.order_by("created_at").first()


class DeliveryFactory(factory.django.DjangoModelFactory[Delivery]):
    class Meta:
        model = Delivery

    case = None  # the isolation test passes the route's case here

    @classmethod
    def _create(cls, model_class: type[Delivery], *args: Any, **kwargs: Any) -> Any:
        plan = approved(_arrived_of(kwargs))
        budget_line = plan.lines.get()
        return services.delivery_record(
            actor=None,
            line=budget_line,
            delivered_on=TODAY(),
            amount=Decimal("100"),
            method=PaymentMethod.CASH,
            delivered_by="Field officer",
        )


class PartnerFactory(factory.django.DjangoModelFactory[Partner]):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner organisation {n}")

    @classmethod
    def _create(cls, model_class: type[Partner], *args: Any, **kwargs: Any) -> Any:
        office = kwargs.pop("office", None) or OfficeFactory.create()
        return partner_of(office, name=kwargs.pop("name"))


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    case = None  # the isolation test passes the route's case here

    @classmethod
    def _create(cls, model_class: type[Referral], *args: Any, **kwargs: Any) -> Any:
        case = _arrived_of(kwargs)
        return refer(case, partner_of(case.office, name=f"Partner of {case.reference}"))


class CounsellingFactory(factory.django.DjangoModelFactory[Counselling]):
    class Meta:
        model = Counselling

    case = None  # the isolation test passes the route's case here

    @classmethod
    def _create(cls, model_class: type[Counselling], *args: Any, **kwargs: Any) -> Any:
        return services.counselling_record(
            actor=None,
            case=_arrived_of(kwargs),
            stage=CounsellingStage.AFTER_ARRIVAL,
            held_on=TODAY(),
            mode=CounsellingMode.IN_PERSON,
            notes="Talked about the shop",
        )
