"""Cases filled with canaries: every encrypted field of every model that can hang off a case, a
member or a person, found from the model graph here (independently of
``wayhome.retention.erasure``), gets one row for the case with a unique value in every encrypted
field. A model added later is built the same way, or the coverage test names it."""

from __future__ import annotations

import datetime
import decimal
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.factories import UserFactory
from tests.people.factories import DocumentFactory, DuplicateDecisionFactory, PersonFactory
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.core.crypto import date_of_birth_index, document_number_index, name_index
from wayhome.core.fields import (
    EncryptedBinaryField,
    EncryptedDateField,
    EncryptedField,
    EncryptedJSONField,
    encrypted_fields,
)
from wayhome.people.models import DuplicateDecision, Person
from wayhome.retention.models import LegalHold

ROOTS: tuple[type[models.Model], ...] = (Case, CaseMember, Person)
_serial = itertools.count(1)


def models_reaching_a_case() -> set[type[models.Model]]:
    """Models with a chain of foreign keys or many-to-many fields to a case, a member or a
    person (the audit trail excepted: it holds no personal value by construction)."""
    found: set[type[models.Model]] = set(ROOTS)
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in found or model._meta.app_label == "audit":
                continue
            targets = [f.related_model for f in model._meta.concrete_fields if f.is_relation]
            targets += [f.related_model for f in model._meta.many_to_many]
            if any(t in found for t in targets):
                found.add(model)
                grew = True
    return found


@dataclass
class Canaries:
    prefix: str
    texts: set[str] = field(default_factory=set)
    dates: set[datetime.date] = field(default_factory=set)
    rows: dict[type[models.Model], set[Any]] = field(default_factory=dict)
    #: The blind indexes of the canaries, computed with the project's functions.
    indexes: set[str] = field(default_factory=set)
    people: set[Any] = field(default_factory=set)

    def text(self) -> str:
        value = f"{self.prefix}{next(_serial):05d}Q"
        self.texts.add(value)
        return value

    def date(self) -> datetime.date:
        value = datetime.date(1900, 1, 1) + datetime.timedelta(days=next(_serial))
        self.dates.add(value)
        return value

    def value_for(self, f: EncryptedField) -> Any:
        if isinstance(f, EncryptedDateField):
            return self.date()
        if isinstance(f, EncryptedJSONField):
            return {"canary": [self.text()]}
        if isinstance(f, EncryptedBinaryField):
            return self.text().encode()
        return self.text()

    def found_in(self, value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, datetime.date):
            return value in self.dates
        text = (
            bytes(value).decode("utf-8", "replace")
            if isinstance(value, bytes | memoryview)
            else str(value)
        )
        return self.prefix in text


class Builder:
    """Makes one row of a model for a case, filling required columns with plain values."""

    def __init__(self, case: Case, member: CaseMember, person: Person, user: User) -> None:
        self.reach = models_reaching_a_case()
        self.made: dict[type[models.Model], models.Model] = {
            Case: case,
            CaseMember: member,
            Person: person,
            Office: case.office,
            User: user,
        }

    def get(self, model: type[models.Model]) -> models.Model:
        if model not in self.made:
            existing = None if model in self.reach else model._default_manager.first()
            special = SPECIAL.get(model._meta.label_lower)
            self.made[model] = existing or (special(self) if special else self.build(model))
        return self.made[model]

    def build(self, model: type[models.Model]) -> models.Model:
        values: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            if f.primary_key or isinstance(f, EncryptedField):
                continue
            if f.is_relation:
                target = f.related_model
                if target in self.made or target in self.reach or not f.null:
                    values[f.name] = self.get(target)  # type: ignore[arg-type]
                continue
            if (
                f.has_default()
                or f.null
                or getattr(f, "auto_now", False)
                or getattr(f, "auto_now_add", False)
            ):
                continue
            values[f.name] = self.plain(f)
        for f in encrypted_fields(model):
            if not f.null:
                values[f.name] = (
                    "" if not isinstance(f, EncryptedDateField) else datetime.date(2000, 1, 1)
                )
        obj = model(**values)
        obj.save()
        for m2m in model._meta.many_to_many:
            if m2m.related_model in self.made:
                getattr(obj, m2m.name).add(self.made[m2m.related_model])  # type: ignore[index]
        return obj

    def plain(self, f: models.Field[Any, Any]) -> Any:
        if f.choices:
            return next(iter(f.flatchoices))[0]
        if isinstance(f, models.BooleanField):
            return False
        if isinstance(f, models.DateTimeField):
            return timezone.now()
        if isinstance(f, models.DateField):
            return timezone.localdate()
        if isinstance(f, models.DecimalField):
            return decimal.Decimal(1)
        if isinstance(f, models.IntegerField | models.FloatField):
            return 1
        if isinstance(f, models.UUIDField):
            return uuid.uuid4()
        if isinstance(f, models.JSONField):
            return {}
        if isinstance(f, models.BinaryField):
            return b"x"
        if isinstance(f, models.CharField | models.TextField):
            return uuid.uuid4().hex[: f.max_length or 32]
        raise NotImplementedError(f"{f.model._meta.label}.{f.name}: no plain value for this field")


def _duplicate_decision(builder: Builder) -> models.Model:
    """Two people in order (a check constraint): the project's factory."""
    person = builder.made[Person]
    return DuplicateDecisionFactory.create(
        office=builder.made[Office], person=person, outcome=DuplicateDecision.Outcome.DISTINCT
    )


#: Models whose invariants the plain builder cannot guess: made by the project's factories.
SPECIAL: dict[str, Callable[[Builder], models.Model]] = {
    "people.duplicatedecision": _duplicate_decision,
}


def canary_case(
    office: Office, prefix: str, *, shared: Person | None = None
) -> tuple[Case, Canaries]:
    """A case of ``office`` whose principal, second member and every row hanging off them hold
    canaries starting with ``prefix`` (upper-case letters: they survive the name index's
    normalisation unchanged in kind). ``shared``: a person also on the case (kept elsewhere)."""
    canaries = Canaries(prefix)
    principal = PersonFactory.create(
        office=office,
        given_name=canaries.text(),
        family_name=canaries.text(),
        date_of_birth=canaries.date(),
    )
    child = PersonFactory.create(
        office=office, given_name=canaries.text(), family_name=canaries.text()
    )
    members = [(child, Relationship.CHILD)]
    if shared is not None:
        members.append((shared, Relationship.SIBLING))
    case = CaseFactory.create(office=office, principal=principal, members=members)
    number = canaries.text()
    DocumentFactory.create(person=principal, number=number)
    canaries.indexes = {
        name_index(principal.given_name, principal.family_name),
        name_index(child.given_name, child.family_name),
        date_of_birth_index(principal.date_of_birth),
        document_number_index(number),
    }
    canaries.people = {principal.pk, child.pk}
    member = CaseMember.objects.get(case=case, person=principal)
    user = UserFactory.create(roles=[(office, Role.CASEWORKER)])
    builder = Builder(case, member, principal, user)
    for model in sorted(models_reaching_a_case(), key=lambda m: m._meta.label):
        if encrypted_fields(model) and model not in builder.made:
            builder.get(model)
    # The canaries, in every encrypted field of every row built for the case (the shared
    # person's own rows are not filled: they are kept).
    rows: dict[type[models.Model], set[Any]] = {
        model: {obj.pk} for model, obj in builder.made.items() if encrypted_fields(model)
    }
    rows[Person] = {principal.pk, child.pk}
    for model, pks in rows.items():
        if model in (Office, User):
            continue
        for pk in pks:
            model._default_manager.filter(pk=pk).update(
                **{f.name: canaries.value_for(f) for f in encrypted_fields(model)}
            )
    canaries.rows = rows
    # A hold made for the model's sake is lifted: holds are tested on their own.
    LegalHold.objects.filter(case=case).update(lifted_at=timezone.now())
    return case, canaries
