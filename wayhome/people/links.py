"""Who else a person is: the records decided to be the same person.

``linked_person_ids`` is what eligibility ("assisted before") and reports call to see a person
across their registrations: the transitive closure of the active "same person" decisions
(``DuplicateDecision``). A reversed decision no longer links.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Q

from wayhome.people.models import DuplicateDecision, Person


def linked_ids(person_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The given ids and every id linked to them, transitively (one query per step)."""
    found = set(person_ids)
    frontier = set(found)
    while frontier:
        pairs = DuplicateDecision.objects.filter(
            Q(person_a_id__in=frontier) | Q(person_b_id__in=frontier),
            outcome=DuplicateDecision.Outcome.SAME,
            reversed_at__isnull=True,
        ).values_list("person_a_id", "person_b_id")
        new = {pid for pair in pairs for pid in pair} - found
        found |= new
        frontier = new
    return found


def linked_person_ids(person: Person) -> set[uuid.UUID]:
    """The person's id and the ids of every record linked to it as the same person."""
    return linked_ids([person.pk])
