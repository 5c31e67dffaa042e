"""Writes about people. Each runs in one transaction with its audit event.

Audit details name the fields that changed, never their values.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.core import crypto
from wayhome.people.models import Person

#: The fields a caller may set; everything else (office, indexes, version) is the service's.
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "name_as_written",
    "date_of_birth",
    "dob_precision",
    "sex",
    "nationality",
    "other_names",
    "gender_identity",
    "other_nationalities",
    "languages",
    "contacts",
)
_STRIPPED = ("given_name", "family_name", "name_as_written", "nationality")


def _allowed(actor: Any, perm: Perm, office_id: Any) -> None:
    """``actor`` None is the system (commands, imports); a user needs ``perm`` in the office."""
    if actor is not None and not has_perm(actor, perm, office_id):
        raise PermissionDenied


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {', '.join(sorted(unknown))}")
    cleaned = dict(data)
    for name in _STRIPPED:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = " ".join(cleaned[name].split())
    if isinstance(cleaned.get("nationality"), str):
        cleaned["nationality"] = cleaned["nationality"].upper()
    if isinstance(cleaned.get("other_nationalities"), list):
        cleaned["other_nationalities"] = [
            code.strip().upper() if isinstance(code, str) else code
            for code in cleaned["other_nationalities"]
        ]
    if isinstance(cleaned.get("other_names"), list):
        cleaned["other_names"] = [
            " ".join(name.split()) if isinstance(name, str) else name
            for name in cleaned["other_names"]
        ]
    return cleaned


def _refresh_indexes(person: Person) -> None:
    person.name_index = crypto.name_index(person.given_name, person.family_name)
    person.dob_index = crypto.date_of_birth_index(person.date_of_birth)


def person_create(*, actor: Any, office: Office, **data: Any) -> Person:
    """Registers a person in ``office``. ``ValidationError`` for bad data; nothing is saved."""
    _allowed(actor, Perm.PERSON_CREATE, office.pk)
    cleaned = _clean_data(data)
    person = Person(office=office, **cleaned)
    _refresh_indexes(person)
    person.full_clean()
    with transaction.atomic(durable=True):
        person.save(force_insert=True)
        audit_record(
            actor=actor,
            action="person.create",
            obj=person,
            details={
                "fields": sorted(name for name in data if getattr(person, name) not in ("", None))
            },
        )
    return person


def person_update(*, actor: Any, person: Person, version: int | None = None, **data: Any) -> Person:
    """Changes a person's details. With ``version``, a stale edit (someone saved in between) is
    refused. Returns the saved person; unchanged data saves and audits nothing."""
    cleaned = _clean_data(data)
    with transaction.atomic(durable=True):
        current = Person.objects.select_for_update().get(pk=person.pk)
        _allowed(actor, Perm.PERSON_CHANGE, current.office_id)
        if version is not None and current.version != version:
            raise ValidationError(
                _(
                    "Someone else changed this person's details while you were editing. "
                    "Reload the page to see their changes, then make yours again."
                ),
                code="stale",
            )
        changed = sorted(name for name, value in cleaned.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, cleaned[name])
        _refresh_indexes(current)
        current.full_clean()
        current.version += 1
        current.save()
        audit_record(actor=actor, action="person.change", obj=current, details={"fields": changed})
    return current
