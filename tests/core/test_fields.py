"""Encrypted model fields (wayhome.core.fields), on the Person model, on the configured database."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import connection
from django.db.models import BinaryField, ExpressionWrapper, F, Value
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from config.env import new_key
from tests.factories import OfficeFactory
from tests.people.factories import PersonFactory
from wayhome.core import crypto
from wayhome.core.fields import EncryptedDateField, EncryptedTextField, encrypted_fields
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db


def stored(person: Person, field: str) -> bytes:
    """The bytes in the column, as the database holds them."""
    raw = ExpressionWrapper(F(field), output_field=BinaryField())
    value = Person.objects.annotate(raw=raw).values_list("raw", flat=True).get(pk=person.pk)
    return bytes(value)


def put(person: Person, field: str, value: Any) -> None:
    """Writes ``value`` into the column as is (bytes, or another column's expression)."""
    if isinstance(value, bytes):
        value = Value(value, output_field=BinaryField())
    Person.objects.filter(pk=person.pk).update(**{field: value})


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(min_size=1, max_size=150).filter(lambda s: s.strip()),
    written=st.text(max_size=300),
    born=st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(2020, 12, 31)),
)
def test_values_roundtrip_through_the_database(
    text: str, written: str, born: datetime.date
) -> None:
    office = OfficeFactory.create(code="roundtrip")
    person = Person(
        office=office,
        given_name=text,
        family_name="X",
        name_as_written=written,
        date_of_birth=born,
        name_index="x",
    )
    person.save()
    loaded = Person.objects.get(pk=person.pk)
    assert (loaded.given_name, loaded.name_as_written, loaded.date_of_birth) == (
        text,
        written,
        born,
    )
    assert text.encode() not in stored(person, "given_name") or len(text) < 3


def test_the_column_holds_only_ciphertext_bound_to_its_field() -> None:
    person = PersonFactory.create(given_name="Zainab", date_of_birth=datetime.date(1987, 3, 14))
    raw = stored(person, "given_name")
    assert b"Zainab" not in raw
    assert crypto.decrypt(raw, "people.person.given_name") == b"Zainab"
    assert b"1987" not in stored(person, "date_of_birth")


def test_a_flipped_bit_in_the_stored_value_fails_loudly() -> None:
    person = PersonFactory.create(family_name="Okafor")
    raw = bytearray(stored(person, "family_name"))
    raw[-5] ^= 0x10
    put(person, "family_name", bytes(raw))
    with pytest.raises(crypto.DecryptionError, match=r"people\.person\.family_name") as info:
        Person.objects.get(pk=person.pk)
    assert "Okafor" not in str(info.value)


def test_a_value_copied_into_another_column_does_not_decrypt() -> None:
    person = PersonFactory.create(given_name="Amina", family_name="Yusuf")
    put(person, "given_name", F("family_name"))
    with pytest.raises(crypto.DecryptionError, match=r"people\.person\.given_name"):
        Person.objects.get(pk=person.pk)


def test_a_value_copied_into_another_person_still_decrypts_only_in_its_field() -> None:
    # The binding is to the model and field (not the row): moving a name between two people's
    # same column is a change of data an attacker with write access could make anyway.
    first = PersonFactory.create(family_name="Yusuf")
    second = PersonFactory.create(family_name="Okafor", office=first.office)
    put(second, "family_name", stored(first, "family_name"))
    assert Person.objects.get(pk=second.pk).family_name == "Yusuf"


def test_a_value_under_an_unknown_key_fails(settings: Any) -> None:
    person = PersonFactory.create()
    settings.ENCRYPTION_KEYS = f"other:{new_key()}"
    with pytest.raises(crypto.DecryptionError, match="not configured"):
        Person.objects.get(pk=person.pk)


@pytest.mark.parametrize(
    "lookup",
    [
        {"family_name": "Yusuf"},
        {"family_name__iexact": "Yusuf"},
        {"family_name__icontains": "Yu"},
        {"date_of_birth__year": 1990},
        {"date_of_birth__gte": datetime.date(1990, 1, 1)},
        {"given_name__in": ["Amina"]},
    ],
)
def test_encrypted_columns_refuse_lookups(lookup: dict[str, Any]) -> None:
    with pytest.raises(FieldError, match="encrypted"):
        list(Person.objects.filter(**lookup))


def test_isnull_is_the_one_lookup_allowed() -> None:
    PersonFactory.create(date_of_birth=None)
    PersonFactory.create(date_of_birth=datetime.date(2001, 1, 1))
    assert Person.objects.filter(date_of_birth__isnull=True).count() == 1
    assert Person.objects.filter(date_of_birth__isnull=False).count() == 1


def test_null_stays_null_and_empty_text_is_encrypted() -> None:
    person = PersonFactory.create(date_of_birth=None, name_as_written="")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM people_person WHERE date_of_birth IS NULL")
        assert cursor.fetchone()[0] == 1
    assert crypto.key_id_of(stored(person, "name_as_written"))
    assert Person.objects.get(pk=person.pk).name_as_written == ""


def test_fields_deconstruct_for_migrations() -> None:
    field = EncryptedTextField(max_length=20, blank=True, context="people.person.alias")
    _name, path, args, kwargs = field.deconstruct()
    assert path == "wayhome.core.fields.EncryptedTextField"
    rebuilt = EncryptedTextField(*args, **kwargs)
    assert (rebuilt.max_length, rebuilt.blank, rebuilt.context) == (20, True, "people.person.alias")
    _, date_path, _, date_kwargs = EncryptedDateField(null=True).deconstruct()
    assert date_path == "wayhome.core.fields.EncryptedDateField"
    assert date_kwargs == {"null": True}


def test_the_column_type_is_binary() -> None:
    field = Person._meta.get_field("given_name")
    assert field.db_type(connection) == {"postgresql": "bytea", "sqlite": "BLOB"}[connection.vendor]
    assert {f.name for f in encrypted_fields(Person)} == {
        "given_name",
        "family_name",
        "name_as_written",
        "date_of_birth",
        "other_names",
        "gender_identity",
        "contacts",
        "photo",
    }


def test_max_length_and_dates_are_validated() -> None:
    person = Person(
        office=OfficeFactory.create(),
        given_name="x" * 151,
        family_name="Y",
        date_of_birth="not a date",
    )
    with pytest.raises(ValidationError) as info:
        person.full_clean(exclude=["name_index"])
    assert {"given_name", "date_of_birth"} <= set(info.value.message_dict)
