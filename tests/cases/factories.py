"""Cases for tests, opened through ``case_create`` (reference, members and audit as in life)."""

from __future__ import annotations

from typing import Any

import factory

from tests.factories import OfficeFactory
from tests.people.factories import PersonFactory
from wayhome.cases.models import Case, MigrantCategory, Programme
from wayhome.cases.services import case_create


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case

    office = factory.SubFactory(OfficeFactory)
    programme = Programme.AVRR
    category = MigrantCategory.STRANDED
    destination_country = "NG"

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        office = kwargs.pop("office")
        actor = kwargs.pop("actor", None)
        principal = kwargs.pop("principal", None) or PersonFactory.create(office=office)
        members = kwargs.pop("members", ())
        return case_create(
            actor=actor, office=office, principal=principal, members=members, **kwargs
        )
