"""Who else a person is: the records decided to be the same person.

``linked_person_ids`` is what eligibility ("assisted before") and reports call to see a person
across their registrations. Until duplicate decisions are recorded (issue 3, duplicate detection),
a person is only themself.
"""

from __future__ import annotations

import uuid

from wayhome.people.models import Person


def linked_person_ids(person: Person) -> set[uuid.UUID]:
    return {person.pk}
