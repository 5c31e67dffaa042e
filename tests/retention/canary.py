"""Cases filled with canaries: every encrypted field of every model that can hang off a case, a
member or a person, found from the model graph by ``tests.model_rows`` (independently of
``wayhome.retention.erasure``), gets one row for the case with a unique value in every encrypted
field. A model added later is built the same way, or the coverage test names it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.factories import UserFactory
from tests.model_rows import Builder, Canaries, models_reaching_a_case
from tests.people.factories import DocumentFactory, PersonFactory
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.core.crypto import date_of_birth_index, document_number_index, name_index
from wayhome.core.fields import encrypted_fields
from wayhome.people.models import Person
from wayhome.retention.models import LegalHold

__all__ = ["Canaries", "canary_case", "models_reaching_a_case"]


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
