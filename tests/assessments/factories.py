"""Vulnerability records for tests, made through the services (audit and validation as in life).

``AssessmentFactory`` serves the isolation test for the ``assessment_id`` routes (``office=``,
``member=``). The helpers below flag a traveller and record what a safeguard asks for.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from tests.consent.factories import MemberFactory
from tests.factories import OfficeFactory
from wayhome.assessments.models import (
    Assessment,
    Escort,
    Kind,
    Recommendation,
    RiskLevel,
    Screening,
    Step,
    StepConsent,
)
from wayhome.assessments.services import (
    assessment_record,
    screening_record,
    step_consent_record,
)
from wayhome.cases.models import CaseMember

CANARY = "CANARY-7f3a9-sensitive"

#: What each kind needs to be recorded (a BID recommending return).
KIND_VALUES: dict[str, dict[str, Any]] = {
    Kind.BID: {
        "recommendation": Recommendation.RETURN,
        "panel": "Social worker, legal guardian, child-protection officer",
        "guardian": "Court-appointed guardian",
        "family_assessment": "Mother and aunt able to care, home visited",
        "reception_arrangement": "Met at the airport by the aunt and a social worker",
        "supervised_travel": True,
    },
    Kind.TRAFFICKING: {"retrafficking_risk": RiskLevel.MEDIUM, "details": "Findings"},
    Kind.MEDICAL: {"escort": Escort.MEDICAL, "receiving_provider": "Central Hospital"},
    Kind.FITNESS: {"fit_to_travel": True},
}


def assess(actor: Any, member: CaseMember, kind: str, **kwargs: Any) -> Assessment:
    values = {**KIND_VALUES[kind], **kwargs}
    values.setdefault("assessed_on", timezone.localdate())
    if kind == Kind.FITNESS:
        values.setdefault("valid_until", timezone.localdate() + datetime.timedelta(days=5))
    return assessment_record(actor=actor, member=member, kind=kind, **values)


def screen(actor: Any, member: CaseMember, flags: list[str], **kwargs: Any) -> Screening:
    kwargs.setdefault("screened_on", timezone.localdate())
    kwargs.setdefault("factors", {"age": "risk", "family_support": "protective"})
    return screening_record(actor=actor, member=member, flags=flags, **kwargs)


def consent_steps(actor: Any, member: CaseMember, steps: tuple[str, ...] = ()) -> None:
    for step in steps or (Step.ASSESSMENT, Step.RETURN):
        step_consent_record(
            actor=actor,
            member=member,
            step=step,
            consents=True,
            right_to_decline_explained=True,
            given_on=timezone.localdate(),
        )


class AssessmentFactory(factory.django.DjangoModelFactory[Assessment]):
    """A trafficking assessment of ``member=`` (else of a new member of a case of ``office=``)."""

    class Meta:
        model = Assessment

    member = None
    kind = Kind.TRAFFICKING

    @classmethod
    def _create(cls, model_class: type[Assessment], *args: Any, **kwargs: Any) -> Assessment:
        office = kwargs.pop("office", None)
        member = kwargs.pop("member", None) or MemberFactory.create(
            office=office or OfficeFactory.create()
        )
        return assess(kwargs.pop("actor", None), member, kwargs.pop("kind"), **kwargs)


class ScreeningFactory(factory.django.DjangoModelFactory[Screening]):
    class Meta:
        model = Screening

    member = None

    @classmethod
    def _create(cls, model_class: type[Screening], *args: Any, **kwargs: Any) -> Screening:
        office = kwargs.pop("office", None)
        member = kwargs.pop("member", None) or MemberFactory.create(
            office=office or OfficeFactory.create()
        )
        return screen(None, member, kwargs.pop("flags", ["elderly"]), **kwargs)


class StepConsentFactory(factory.django.DjangoModelFactory[StepConsent]):
    class Meta:
        model = StepConsent

    member = None

    @classmethod
    def _create(cls, model_class: type[StepConsent], *args: Any, **kwargs: Any) -> StepConsent:
        office = kwargs.pop("office", None)
        member = kwargs.pop("member", None) or MemberFactory.create(
            office=office or OfficeFactory.create()
        )
        return step_consent_record(
            actor=None,
            member=member,
            step=kwargs.pop("step", Step.ASSESSMENT),
            consents=kwargs.pop("consents", True),
            right_to_decline_explained=True,
            given_on=timezone.localdate(),
        )
