"""Rows of every model that hangs off a case, a member or a person, built from the model graph:
``Builder`` makes one row of a model with plain values in its required columns, linked to the
case, member and person it was given (and to the rows it made before); ``Canaries`` hands out
unique values to put in encrypted fields and recognises them afterwards. Used by the retention
tests (nothing survives erasure) and the subject-access tests (everything of the person, nothing
of anyone else): a model added later is built the same way, without editing either test."""

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

from tests.people.factories import DuplicateDecisionFactory
from wayhome.accounts.models import Office, User
from wayhome.cases.models import Case, CaseMember
from wayhome.core.fields import (
    EncryptedBinaryField,
    EncryptedDateField,
    EncryptedField,
    EncryptedJSONField,
    encrypted_fields,
)
from wayhome.people.models import DuplicateDecision, Person

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
            if (f.primary_key and not f.is_relation) or isinstance(f, EncryptedField):
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
