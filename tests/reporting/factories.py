"""Factories of reporting's models. ``ReturnFactFactory`` writes a fact row directly, with the
attributes a test gives (each on a case of its own, opened through ``CaseFactory``), for tests of
what is computed *from* facts; tests of how facts are computed from cases use real cases."""

from __future__ import annotations

import datetime
from typing import Any, cast

import factory

from tests.cases.factories import CaseFactory
from tests.factories import OfficeFactory, UserFactory
from wayhome.reporting.models import MicrodataRelease, MonthlyReport, ReturnFact, StaleCase


class ReturnFactFactory(factory.django.DjangoModelFactory[ReturnFact]):
    class Meta:
        model = ReturnFact

    office = factory.SubFactory(OfficeFactory)
    host_country = factory.LazyAttribute(lambda fact: fact.office.country)
    origin_country = "NG"
    origin_area = "western_africa"
    programme = "AVRR"
    category = "stranded"
    status = "departed"
    principal = True
    sex = "female"
    age_group = "25-59"
    vulnerability = "none"
    registered_on = datetime.date(2026, 1, 5)
    applied_on = datetime.date(2026, 1, 20)
    departure_date = datetime.date(2026, 3, 10)
    days_to_departure = 49

    @classmethod
    def _create(cls, model_class: type[ReturnFact], *args: Any, **kwargs: Any) -> ReturnFact:
        if "case" not in kwargs:
            case = CaseFactory.create(office=kwargs["office"])
            kwargs["case"] = case
            kwargs.setdefault("member", case.members.get())
            # The fact is the test's, not computed from the case: no recomputation pending.
            StaleCase.objects.filter(case_id=case.pk).delete()
        return super()._create(model_class, *args, **kwargs)


class MicrodataReleaseFactory(factory.django.DjangoModelFactory[MicrodataRelease]):
    class Meta:
        model = MicrodataRelease
        skip_postgeneration_save = True

    requested_by = factory.SubFactory(UserFactory)
    purpose = "Evaluation of the reintegration programme"
    recipient = "An evaluator"
    status = MicrodataRelease.Status.RELEASED
    quasi_identifiers = factory.LazyFunction(lambda: ["sex", "age_group", "origin_country"])
    k = 5
    rows = 0
    content = b"pseudonym,sex\n"
    digest = "0" * 64

    @factory.post_generation
    def office(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        office = extracted or OfficeFactory.create()
        if create:
            cast(Any, self).offices.add(office)


class MonthlyReportFactory(factory.django.DjangoModelFactory[MonthlyReport]):
    class Meta:
        model = MonthlyReport

    office = factory.SubFactory(OfficeFactory)
    month = datetime.date(2026, 10, 1)
    pdf = b"%PDF-1.4\n%%EOF\n"
