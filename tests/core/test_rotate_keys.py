"""``manage.py rotate_keys``: every value moves to the active key, in restartable batches."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.core.test_fields import put, stored
from tests.factories import OfficeFactory
from tests.people.factories import PersonFactory
from wayhome.core import crypto
from wayhome.core.management.commands import rotate_keys
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db

OLD = "old:" + base64.urlsafe_b64encode(b"o" * 32).decode()
NEW = "new:" + base64.urlsafe_b64encode(b"n" * 32).decode()
ENCRYPTED = ("given_name", "family_name", "name_as_written", "date_of_birth")


def make_people(count: int, **kwargs: Any) -> dict[Any, tuple[Any, ...]]:
    office = OfficeFactory.create()
    people = [
        PersonFactory.create(office=office, name_as_written=f"Written {n}", **kwargs)
        for n in range(count)
    ]
    return {p.pk: (p.given_name, p.family_name, p.name_as_written, p.date_of_birth) for p in people}


def key_ids() -> dict[str, int]:
    counts: dict[str, int] = {}
    for person in Person.objects.all():
        for field in ENCRYPTED:
            raw = stored(person, field) if getattr(person, field) is not None else None
            if raw is not None:
                kid = crypto.key_id_of(raw)
                counts[kid] = counts.get(kid, 0) + 1
    return counts


def rotate(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_keys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_after_rotation_every_value_decrypts_with_the_old_key_removed(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = OLD
    before = make_people(7)
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    out, err = rotate("--batch-size", "3")
    assert "people.Person: 7 rows, 49 values, 49 re-encrypted under key new" in out
    assert "people.Person" in err  # the progress bar, on stderr
    settings.ENCRYPTION_KEYS = NEW
    after = {
        p.pk: (p.given_name, p.family_name, p.name_as_written, p.date_of_birth)
        for p in Person.objects.all()
    }
    assert after == before
    assert key_ids() == {"new": 28}


def test_without_rotation_removing_the_old_key_fails(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = OLD
    make_people(1)
    settings.ENCRYPTION_KEYS = NEW
    with pytest.raises(crypto.DecryptionError):
        list(Person.objects.all())


def test_dry_run_counts_and_changes_nothing(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = OLD
    make_people(3, date_of_birth=None)
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    out, _ = rotate("--dry-run")
    assert "people.Person: 3 rows, 18 values, 18 to re-encrypt under key new" in out
    assert key_ids() == {"old": 9}


def test_an_interrupted_rotation_keeps_its_batches_and_resumes(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ENCRYPTION_KEYS = OLD
    before = make_people(5)
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    real = rotate_keys._rotate_batch
    calls = []

    def interrupted(model: Any, *args: Any, **kwargs: Any) -> Any:
        if model is Person:  # other models (cases...) have nothing to rotate here
            calls.append(1)
            if len(calls) > 1:
                raise KeyboardInterrupt
        return real(model, *args, **kwargs)

    monkeypatch.setattr(rotate_keys, "_rotate_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rotate("--batch-size", "2")
    assert key_ids() == {"new": 8, "old": 12}  # the first batch (2 people) is done

    monkeypatch.setattr(rotate_keys, "_rotate_batch", real)
    out, _ = rotate("--batch-size", "2")
    assert "5 rows, 35 values, 21 re-encrypted" in out  # the first batch was skipped
    out, _ = rotate("--batch-size", "2")
    assert "0 re-encrypted" in out
    settings.ENCRYPTION_KEYS = NEW
    assert {
        p.pk: (p.given_name, p.family_name, p.name_as_written, p.date_of_birth)
        for p in Person.objects.all()
    } == before


def test_rotation_does_not_count_as_an_edit(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = OLD
    make_people(1)
    person = Person.objects.get()
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    rotate()
    rotated = Person.objects.get()
    assert (rotated.version, rotated.updated_at) == (person.version, person.updated_at)
    assert rotated.name_index == person.name_index


def test_a_damaged_value_stops_rotation_naming_the_row_not_the_value(settings: Any) -> None:
    settings.ENCRYPTION_KEYS = OLD
    make_people(1, family_name="Okafor")
    person = Person.objects.get()
    raw = bytearray(stored(person, "family_name"))
    raw[-1] ^= 1
    put(person, "family_name", bytes(raw))
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    with pytest.raises(CommandError, match=str(person.pk)) as info:
        rotate()
    assert "Okafor" not in str(info.value)


def test_the_command_finds_models_through_the_app_registry() -> None:
    found = {
        model._meta.label: [f.name for f in fields]
        for model, fields in rotate_keys.encrypted_models()
    }
    assert found["people.Person"][: len(ENCRYPTED)] == list(ENCRYPTED)
    assert "contacts" in found["people.Person"]
    assert found["cases.Case"] == ["destination_place", "notes"]
    assert "people.IdentityDocument" in found


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(CommandError, match="batch-size"):
        rotate("--batch-size", "0")
