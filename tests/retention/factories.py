"""Factories for the retention tests; each takes ``office=`` (the isolation test makes the
object in office A), and ``close_case`` closes a case on a given day."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, CaseTransition
from wayhome.cases.workflow import Status
from wayhome.retention.models import LegalHold, RecordType, RetentionRule, RetentionRun, Unit


def close_case(case: Case, on: datetime.date, status: str = Status.CLOSED) -> Case:
    """Moves ``case`` to a closed status with a transition dated ``on`` (noon, local time)."""
    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
    # The history before the closure (rows made for the test are dated now).
    CaseTransition.objects.filter(case=case, occurred_at__gte=moment).update(
        occurred_at=moment - datetime.timedelta(days=1)
    )
    transition = CaseTransition.objects.create(case=case, source=case.status, target=status)
    CaseTransition.objects.filter(pk=transition.pk).update(occurred_at=moment)
    Case.objects.filter(pk=case.pk).update(status=status, status_changed_at=moment)
    case.refresh_from_db()
    return case


class RetentionRuleFactory(factory.django.DjangoModelFactory[RetentionRule]):
    class Meta:
        model = RetentionRule

    office = factory.SubFactory(OfficeFactory)
    programme = ""
    record_type = RecordType.CLOSED_CASES
    amount = 5
    unit = Unit.YEARS


class LegalHoldFactory(factory.django.DjangoModelFactory[LegalHold]):
    class Meta:
        model = LegalHold

    office = factory.SubFactory(OfficeFactory)
    case = factory.LazyAttribute(lambda hold: CaseFactory.create(office=hold.office))
    reason = "Court order 12/2026: keep the file."
    placed_by = factory.LazyAttribute(
        lambda hold: UserFactory.create(roles=[(hold.office, Role.DPO)])
    )
    placed_at = factory.LazyFunction(timezone.now)


class RetentionRunFactory(factory.django.DjangoModelFactory[RetentionRun]):
    class Meta:
        model = RetentionRun

    office = factory.SubFactory(OfficeFactory)
    dry_run = True
    status = RetentionRun.Status.SUCCEEDED
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    as_of = factory.LazyFunction(timezone.localdate)


def officer(office: Any) -> Any:
    return UserFactory.create(roles=[(office, Role.DPO)])
