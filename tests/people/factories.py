"""People for tests, registered through ``person_create`` so that the blind indexes are right."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from tests.factories import OfficeFactory
from wayhome.people.models import Person
from wayhome.people.services import person_create


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    office = factory.SubFactory(OfficeFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker(
        "date_between", start_date=datetime.date(1950, 1, 1), end_date=datetime.date(2015, 12, 31)
    )
    sex = Person.Sex.FEMALE
    nationality = "NG"

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        office = kwargs.pop("office")
        actor = kwargs.pop("actor", None)
        return person_create(actor=actor, office=office, **kwargs)
