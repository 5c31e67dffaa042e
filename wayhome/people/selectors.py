"""Reads about people, always starting from what the reader may see (``person_policy``).

Search is exact, through the blind indexes: a name (any case, accents, spacing or word order) or
a date of birth (YYYY-MM-DD). Encrypted columns cannot be searched otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import AnyUser, OfficePolicy, offices_with
from wayhome.audit.services import audit_record
from wayhome.core import crypto
from wayhome.people.links import linked_person_ids
from wayhome.people.models import DuplicateDecision, IdentityDocument, MatchEnquiry, Person

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
    people = person_policy.filter(user).select_related("office").defer("photo", "contacts")
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


def document_get(user: AnyUser, person: Person, document_id: Any) -> IdentityDocument:
    """A document of ``person`` (already authorised by the caller), else 404."""
    document = IdentityDocument.objects.filter(person=person, pk=document_id).first()
    if document is None:
        raise Http404
    return document


def match_enquiry_list(user: AnyUser) -> QuerySet[MatchEnquiry]:
    """Enquiries received by an office where ``user`` may view people, and those sent from an
    office where they may register people."""
    received = offices_with(user, Perm.PERSON_VIEW)
    sent = offices_with(user, Perm.PERSON_CREATE)
    return (
        MatchEnquiry.objects.filter(Q(to_office_id__in=received) | Q(from_office_id__in=sent))
        .select_related("from_office", "to_office")
        .order_by("-created_at", "-id")
    )


def match_enquiry_get(user: AnyUser, enquiry_id: Any) -> MatchEnquiry:
    enquiry = match_enquiry_list(user).filter(pk=enquiry_id).first()
    if enquiry is None:
        raise Http404
    return enquiry


def duplicate_decision_list(person: Person) -> QuerySet[DuplicateDecision]:
    """The decisions in force that involve ``person``."""
    return (
        DuplicateDecision.objects.filter(
            Q(person_a=person) | Q(person_b=person), reversed_at__isnull=True
        )
        .select_related("person_a__office", "person_b__office")
        .defer("person_a__photo", "person_b__photo", "person_a__contacts", "person_b__contacts")
    )


def duplicate_decision_get(user: AnyUser, decision_id: Any) -> DuplicateDecision:
    """A decision whose two records ``user`` may change, else 404."""
    offices = offices_with(user, Perm.PERSON_CHANGE)
    decision = (
        DuplicateDecision.objects.filter(
            pk=decision_id, person_a__office_id__in=offices, person_b__office_id__in=offices
        )
        .select_related("person_a", "person_b")
        .first()
    )
    if decision is None:
        raise Http404
    return decision


def linked_people(user: AnyUser, person: Person) -> list[Person]:
    """The other records linked to ``person`` as the same person that ``user`` may see."""
    ids = linked_person_ids(person) - {person.pk}
    if not ids:
        return []
    return list(
        person_policy.filter(user)
        .filter(pk__in=ids)
        .select_related("office")
        .defer("photo", "contacts")
    )
