"""Factories for the data protection tests. ``AccessAlertFactory`` takes ``office=`` (the
isolation test makes it in office A): an open records alert about a caseworker of that office,
visible to that office's data protection officers."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from tests.factories import OfficeFactory, UserFactory
from tests.people.factories import PersonFactory
from wayhome.accounts.permissions import Role
from wayhome.protection.models import AccessAlert, DataRequest


class AccessAlertFactory(factory.django.DjangoModelFactory[AccessAlert]):
    class Meta:
        model = AccessAlert

    office = factory.SubFactory(OfficeFactory)  # not a field: the alert's one office (below)
    user = factory.LazyAttribute(
        lambda alert: UserFactory.create(roles=[(alert.office, Role.CASEWORKER)])
    )
    kind = AccessAlert.Kind.RECORDS
    count = 50
    threshold = 50
    window_minutes = 10
    first_at = factory.LazyFunction(timezone.now)
    last_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class: type[AccessAlert], *args: Any, **kwargs: Any) -> AccessAlert:
        office = kwargs.pop("office")
        alert = super()._create(model_class, *args, **kwargs)
        alert.offices.add(office)
        return alert


class DataRequestFactory(factory.django.DjangoModelFactory[DataRequest]):
    """An open access request of a person of ``office`` (the isolation test makes it in A)."""

    class Meta:
        model = DataRequest

    office = factory.SubFactory(OfficeFactory)
    person = factory.LazyAttribute(lambda request: PersonFactory.create(office=request.office))
    kind = DataRequest.Kind.ACCESS
    received_on = factory.LazyFunction(timezone.localdate)
    due_on = factory.LazyAttribute(lambda request: request.received_on + datetime.timedelta(30))
