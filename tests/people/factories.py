"""People for tests, registered through ``person_create`` so that the blind indexes are right."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.permissions import Role
from wayhome.people.duplicates import candidate_reference
from wayhome.people.models import DuplicateDecision, IdentityDocument, MatchEnquiry, Person
from wayhome.people.services import (
    document_add,
    duplicate_decide,
    match_enquiry_create,
    person_create,
)


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


class DocumentFactory(factory.django.DjangoModelFactory[IdentityDocument]):
    """An identity document of ``person`` (or of a new person of ``office``), via the service."""

    class Meta:
        model = IdentityDocument

    person = None
    kind = IdentityDocument.Kind.PASSPORT
    number = factory.Sequence(lambda n: f"P{n:07d}")
    issuing_country = "NG"

    @classmethod
    def _create(
        cls, model_class: type[IdentityDocument], *args: Any, **kwargs: Any
    ) -> IdentityDocument:
        office = kwargs.pop("office", None)
        person = kwargs.pop("person", None) or PersonFactory.create(
            office=office or OfficeFactory.create()
        )
        return document_add(actor=kwargs.pop("actor", None), person=person, **kwargs)


class MatchEnquiryFactory(factory.django.DjangoModelFactory[MatchEnquiry]):
    """An enquiry to ``office`` (about one of its people) from another office."""

    class Meta:
        model = MatchEnquiry

    message = "Please call us."

    @classmethod
    def _create(cls, model_class: type[MatchEnquiry], *args: Any, **kwargs: Any) -> MatchEnquiry:
        office = kwargs.pop("office", None) or OfficeFactory.create()
        from_office = kwargs.pop("from_office", None) or OfficeFactory.create()
        candidate = kwargs.pop("candidate", None) or PersonFactory.create(office=office)
        asker = kwargs.pop("actor", None) or UserFactory.create(
            roles=[(from_office, Role.CASEWORKER)]
        )
        return match_enquiry_create(
            actor=asker,
            from_office=from_office,
            reference=candidate_reference(candidate.pk, asker),
            **kwargs,
        )


class DuplicateDecisionFactory(factory.django.DjangoModelFactory[DuplicateDecision]):
    """A decision on two people of ``office`` (same person unless ``outcome`` says otherwise)."""

    class Meta:
        model = DuplicateDecision

    outcome = DuplicateDecision.Outcome.SAME

    @classmethod
    def _create(
        cls, model_class: type[DuplicateDecision], *args: Any, **kwargs: Any
    ) -> DuplicateDecision:
        office = kwargs.pop("office", None) or OfficeFactory.create()
        person = kwargs.pop("person", None) or PersonFactory.create(office=office)
        other = kwargs.pop("other", None) or PersonFactory.create(office=office)
        return duplicate_decide(
            actor=kwargs.pop("actor", None), person=person, other=other, **kwargs
        )
