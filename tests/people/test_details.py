"""The fuller person record: other names, nationalities, languages, contacts, documents."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import Personas
from tests.people.factories import PersonFactory
from wayhome.core import crypto
from wayhome.people.models import IdentityDocument, Person
from wayhome.people.services import person_update

pytestmark = pytest.mark.django_db


def test_details_round_trip_in_any_script(personas: Personas) -> None:
    person = PersonFactory.create(
        office=personas.office_a,
        given_name="Лейла",
        family_name="Хасанова",
        other_names=["Leila  Hasanova", "ليلى"],
        gender_identity="woman",
        other_nationalities=["ru", "UA"],
        languages=["ru", "ar"],
        contacts=[{"kind": "phone", "value": "+7 900 000 00 00"}],
    )
    stored = Person.objects.get(pk=person.pk)
    assert stored.given_name == "Лейла"
    assert stored.other_names == ["Leila Hasanova", "ليلى"]
    assert stored.other_nationalities == ["RU", "UA"]
    assert stored.languages == ["ru", "ar"]
    assert stored.contacts == [{"kind": "phone", "value": "+7 900 000 00 00"}]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("other_nationalities", ["XX"]),
        ("other_nationalities", "NG"),
        ("languages", ["klingon"]),
        ("date_of_birth", datetime.date(2999, 1, 1)),
    ],
)
def test_bad_details_are_refused_and_nothing_changes(
    personas: Personas, field: str, value: object
) -> None:
    person = PersonFactory.create(office=personas.office_a)
    with pytest.raises(ValidationError) as refused:
        person_update(actor=personas.caseworker_a, person=person, **{field: value})  # type: ignore[arg-type]
    assert field in refused.value.message_dict
    assert Person.objects.get(pk=person.pk).version == 1


def test_a_document_number_is_encrypted_and_found_by_its_blind_index(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    document = IdentityDocument.objects.create(
        person=person,
        kind=IdentityDocument.Kind.PASSPORT,
        number="A 1234567",
        number_index=crypto.document_number_index("A 1234567"),
        issuing_country="NG",
    )
    found = IdentityDocument.objects.get(number_index=crypto.document_number_index("a1234567"))
    assert found.pk == document.pk
    assert found.number == "A 1234567"
