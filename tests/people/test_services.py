"""Registering and changing people: validation, permissions, audit without personal values."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import Personas
from tests.people.factories import PersonFactory
from wayhome.audit.models import AuditEvent
from wayhome.core import crypto
from wayhome.people.models import Person
from wayhome.people.services import person_create, person_update

pytestmark = pytest.mark.django_db


def test_create_saves_indexes_and_audits_field_names_only(personas: Personas) -> None:
    person = person_create(
        actor=personas.caseworker_a,
        office=personas.office_a,
        given_name="  Amina ",
        family_name="Yusuf",
        date_of_birth=datetime.date(1990, 5, 17),
        sex=Person.Sex.FEMALE,
        nationality="ng",
    )
    assert (person.given_name, person.nationality, person.version) == ("Amina", "NG", 1)
    assert person.name_index == crypto.name_index("amina yusuf")
    assert person.dob_index == crypto.date_of_birth_index(datetime.date(1990, 5, 17))
    event = AuditEvent.objects.get(action="person.create")
    assert (event.object_id, event.office_id, event.actor_id) == (
        str(person.pk),
        personas.office_a.pk,
        personas.caseworker_a.pk,
    )
    assert event.details == {
        "fields": ["date_of_birth", "family_name", "given_name", "nationality", "sex"]
    }
    assert "Amina" not in json.dumps(event.details)
    assert "1990" not in json.dumps(event.details)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"given_name": "", "family_name": "Y"}, "given_name"),
        ({"given_name": "A", "family_name": "Y", "nationality": "XX"}, "nationality"),
        ({"given_name": "A", "family_name": "Y", "sex": "robot"}, "sex"),
        (
            {"given_name": "A", "family_name": "Y", "date_of_birth": datetime.date(2999, 1, 1)},
            "date_of_birth",
        ),
        ({"given_name": "A" * 151, "family_name": "Y"}, "given_name"),
    ],
)
def test_invalid_data_saves_nothing(personas: Personas, data: dict, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        person_create(actor=personas.caseworker_a, office=personas.office_a, **data)
    assert field in info.value.message_dict
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="person.create").exists()


def test_unknown_fields_are_refused(personas: Personas) -> None:
    with pytest.raises(TypeError, match="name_index"):
        person_create(
            actor=None, office=personas.office_a, given_name="A", family_name="B", name_index="x"
        )


def test_create_needs_the_permission_in_that_office(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        person_create(
            actor=personas.caseworker_b, office=personas.office_a, given_name="A", family_name="B"
        )
    with pytest.raises(PermissionDenied):
        person_create(
            actor=personas.auditor_a, office=personas.office_a, given_name="A", family_name="B"
        )
    assert not Person.objects.exists()


def test_update_changes_values_indexes_version_and_audits_names_of_fields(
    personas: Personas,
) -> None:
    person = PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    updated = person_update(
        actor=personas.caseworker_a,
        person=person,
        version=1,
        family_name="Okafor",
        given_name="Amina",
    )
    assert (updated.family_name, updated.version) == ("Okafor", 2)
    assert updated.name_index == crypto.name_index("Amina Okafor")
    event = AuditEvent.objects.get(action="person.change")
    assert event.details == {"fields": ["family_name"]}
    assert Person.objects.get().family_name == "Okafor"


def test_update_without_changes_writes_nothing(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a, given_name="Amina")
    person_update(actor=personas.caseworker_a, person=person, given_name="Amina")
    assert Person.objects.get().version == 1
    assert not AuditEvent.objects.filter(action="person.change").exists()


def test_a_stale_update_is_refused(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a, family_name="Yusuf")
    person_update(actor=personas.caseworker_a, person=person, version=1, family_name="Okafor")
    with pytest.raises(ValidationError, match="Someone else changed"):
        person_update(actor=personas.caseworker_a, person=person, version=1, family_name="Bello")
    assert Person.objects.get().family_name == "Okafor"


def test_an_invalid_update_keeps_the_record(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a, family_name="Yusuf", nationality="NG")
    with pytest.raises(ValidationError):
        person_update(
            actor=personas.caseworker_a, person=person, family_name="Okafor", nationality="ZZ"
        )
    stored = Person.objects.get()
    assert (stored.family_name, stored.nationality, stored.version) == ("Yusuf", "NG", 1)


def test_update_needs_the_change_permission_in_the_office(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a, family_name="Yusuf")
    for actor in (personas.caseworker_b, personas.auditor_a, personas.partner):
        with pytest.raises(PermissionDenied):
            person_update(actor=actor, person=person, family_name="Okafor")
    assert Person.objects.get().family_name == "Yusuf"
