"""Reads about people, always starting from what the reader may see (``person_policy``).

Search is exact, through the blind indexes: a name (any case, accents, spacing or word order) or
a date of birth (YYYY-MM-DD). Encrypted columns cannot be searched otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import AnyUser, OfficePolicy
from wayhome.audit.services import audit_record
from wayhome.core import crypto
from wayhome.people.models import Person

person_policy = OfficePolicy(Person, view=Perm.PERSON_VIEW)


def search_kind(query: str) -> str:
    """What a search text is looked up as: "date_of_birth", "name", or "" (nothing)."""
    query = query.strip()
    if not query:
        return ""
    try:
        date.fromisoformat(query)
    except ValueError:
        return "name"
    return "date_of_birth"


def person_list(user: AnyUser, *, query: str = "") -> QuerySet[Person]:
    """The people ``user`` may see, newest first; with ``query``, those matching it exactly."""
    people = person_policy.filter(user).select_related("office")
    kind = search_kind(query)
    if kind == "date_of_birth":
        people = people.filter(
            dob_index=crypto.date_of_birth_index(date.fromisoformat(query.strip()))
        )
    elif kind == "name":
        index = crypto.name_index(query)
        people = people.filter(name_index=index) if index else people.none()
    return people.order_by("-created_at", "-id")


def person_get(user: AnyUser, person_id: Any, *, perm: Perm | None = None) -> Person:
    """The person if ``user`` may see them (and holds ``perm`` in their office); else 404.

    Does not audit: use ``person_access`` wherever the record is shown to someone.
    """
    return person_policy.get_or_404(
        user, person_id, perm=perm, queryset=Person.objects.select_related("office")
    )


def person_access(user: AnyUser, person_id: Any, *, perm: Perm | None = None) -> Person:
    """``person_get`` for showing the record: writes the "person.view" event (committed with the
    request's transaction, or on its own)."""
    person = person_get(user, person_id, perm=perm)
    audit_record(actor=user, action="person.view", obj=person)
    return person
