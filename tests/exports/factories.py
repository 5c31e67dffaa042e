"""Factories for the export tests.

``ExportFactory`` takes ``office=`` (the isolation test makes it in office A) and makes its
owner, a programme manager of that office, and a finished CSV file. ``bulk_cases`` makes many
cases fast (bulk inserts, no audit) for the memory and query-count tests.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, CaseMember, MigrantCategory, Programme, Relationship
from wayhome.core.blobs import blob_put
from wayhome.exports.models import Export
from wayhome.people.models import Person

SAMPLE = "\ufeffreference\r\nX-2026-00001\r\n".encode()


class ExportFactory(factory.django.DjangoModelFactory[Export]):
    """A finished CSV export of cases, owned by a manager of ``office``."""

    class Meta:
        model = Export

    office = factory.SubFactory(OfficeFactory)
    owner = factory.LazyAttribute(
        lambda export: UserFactory.create(roles=[(export.office, Role.MANAGER)])
    )
    kind = "cases"
    format = Export.Format.CSV
    filters = factory.LazyFunction(dict)
    status = Export.Status.DONE
    total = 1
    done = 1
    blob = factory.LazyFunction(lambda: blob_put(SAMPLE, kind="exports"))
    size = len(SAMPLE)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=24))


def bulk_cases(office: Office, count: int, *, start: int = 0, **fields: Any) -> list[Case]:
    """``count`` cases of ``office``, each with its principal as its one member."""
    people = Person.objects.bulk_create(
        [
            Person(
                office=office,
                given_name=f"Given{start + i}",
                family_name=f"Family{start + i}",
                date_of_birth=datetime.date(1980, 1, 1) + datetime.timedelta(days=i % 5000),
                sex=Person.Sex.MALE if i % 2 else Person.Sex.FEMALE,
            )
            for i in range(count)
        ]
    )
    values = {
        "programme": Programme.AVRR,
        "category": MigrantCategory.STRANDED,
        "destination_country": "NG",
        "status_changed_at": timezone.now(),
        **fields,
    }
    cases = Case.objects.bulk_create(
        [
            Case(
                office=office,
                principal=person,
                reference=f"{office.code}-B-{start + i:07d}",
                **values,
            )
            for i, person in enumerate(people)
        ]
    )
    CaseMember.objects.bulk_create(
        [
            CaseMember(case=case, person=case.principal, relationship=Relationship.PRINCIPAL)
            for case in cases
        ]
    )
    return cases
