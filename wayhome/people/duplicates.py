"""Duplicate detection wired to the database, on top of the engine in ``matching``.

Each person's blocking keys (``matching.bucket_keys``) are stored as blind indexes in
``MatchKey``. A check computes the keys of the identifying data, finds the persons sharing the
most keys in every office (one query on the index), loads and decrypts only those, scores them
with ``matching.score`` and keeps those at or above ``settings.DUPLICATE_THRESHOLD``. The user
sees a candidate's record only where they may (PERSON_VIEW in its office); otherwise only the
office that holds it, with an opaque reference to ask that office (``MatchEnquiry``).
"""

from __future__ import annotations

import base64
import datetime
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import AnyUser, offices_with
from wayhome.audit.services import audit_record
from wayhome.core import crypto
from wayhome.people import matching
from wayhome.people.history import Assisted, assisted_by_person
from wayhome.people.links import linked_ids
from wayhome.people.models import DuplicateDecision, MatchKey, Person

PURPOSE_MATCH = "match"
#: At most this many persons sharing keys are loaded and scored per check.
MAX_CANDIDATES = 60
#: How long the reference to ask about an invisible candidate stays valid.
REFERENCE_MAX_AGE = 24 * 3600
_REF_CONTEXT = "people.match_reference"

#: The identifying fields a duplicate check takes.
IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "name_as_written",
    "other_names",
    "date_of_birth",
    "dob_precision",
    "sex",
    "nationality",
    "other_nationalities",
)
# Loaded for scoring a candidate (the photo and contacts are never decrypted here).
_SCORED_FIELDS = (*IDENTITY_FIELDS, "office", "office__name", "version", "created_at")


def _names(data: Mapping[str, Any]) -> list[str]:
    full = " ".join(
        part for part in (data.get("given_name") or "", data.get("family_name") or "") if part
    )
    names = [full, data.get("name_as_written") or "", *(data.get("other_names") or [])]
    return [name for name in names if isinstance(name, str) and name.strip()]


def identity_from(data: Mapping[str, Any]) -> matching.Identity:
    """The engine's view of identifying data (a dict with ``IDENTITY_FIELDS``, any missing)."""
    sex = data.get("sex") or ""
    born = data.get("date_of_birth")
    precision = data.get("dob_precision") or "exact"
    nationalities = [data.get("nationality") or "", *(data.get("other_nationalities") or [])]
    return matching.Identity(
        names=tuple(_names(data)),
        date_of_birth=born if isinstance(born, datetime.date) else None,
        dob_precision=matching.DobPrecision(precision),
        sex="" if sex == Person.Sex.UNKNOWN else sex,
        nationalities=tuple(sorted({code.upper() for code in nationalities if code})),
    )


def identity_of(person: Person) -> matching.Identity:
    return identity_from({name: getattr(person, name) for name in IDENTITY_FIELDS})


def match_keys(identity: matching.Identity) -> set[str]:
    """The stored form of the identity's blocking keys (blind indexes)."""
    return {crypto.blind_index(PURPOSE_MATCH, key) for key in matching.bucket_keys(identity)}


def match_keys_refresh(person: Person) -> None:
    """Makes the person's ``MatchKey`` rows those of their current identity (inside the
    caller's transaction)."""
    wanted = match_keys(identity_of(person))
    held = set(MatchKey.objects.filter(person=person).values_list("key", flat=True))
    if held - wanted:
        MatchKey.objects.filter(person=person, key__in=held - wanted).delete()
    if wanted - held:
        MatchKey.objects.bulk_create(
            [MatchKey(person=person, key=key) for key in sorted(wanted - held)]
        )


# References to an invisible candidate ---------------------------------------------------------


def candidate_reference(person_id: uuid.UUID, user: Any) -> str:
    """An opaque, encrypted reference to a candidate for ``user`` only (to ask its office)."""
    plain = f"{person_id}|{user.pk}|{int(time.time())}".encode()
    return base64.urlsafe_b64encode(crypto.encrypt(plain, _REF_CONTEXT)).decode().rstrip("=")


def candidate_from_reference(reference: str, user: Any) -> uuid.UUID | None:
    """The candidate's id, or None when the reference is not ``user``'s, altered or too old."""
    try:
        blob = base64.urlsafe_b64decode(reference + "=" * (-len(reference) % 4))
        person_id, user_id, issued = crypto.decrypt(blob, _REF_CONTEXT).decode().split("|")
        if user_id != str(user.pk) or time.time() - int(issued) > REFERENCE_MAX_AGE:
            return None
        return uuid.UUID(person_id)
    except (ValueError, crypto.DecryptionError, UnicodeDecodeError):
        return None


# The check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A possible match. ``person`` is None when the user may not see it: then only the office
    is shown, with ``reference`` to ask that office."""

    office: Office
    score: float
    person: Person | None
    reference: str
    assisted: tuple[Assisted, ...]

    @property
    def visible(self) -> bool:
        return self.person is not None

    @property
    def assisted_label(self) -> str:
        if not self.assisted:
            return ""
        last = self.assisted[0]
        return str(
            _("assisted in %(year)s by %(office)s")
            % {"year": last.date.year, "office": last.office}
        )


def _excluded(person: Person) -> set[uuid.UUID]:
    """The person, the records already linked to them, and those decided distinct from them."""
    excluded = linked_ids([person.pk])
    for a, b in DuplicateDecision.objects.filter(
        Q(person_a_id__in=excluded) | Q(person_b_id__in=excluded),
        outcome=DuplicateDecision.Outcome.DISTINCT,
        reversed_at__isnull=True,
    ).values_list("person_a_id", "person_b_id"):
        excluded |= {a, b}
    return excluded | {person.pk}


def scored_candidates(
    identity: matching.Identity, *, exclude: Iterable[uuid.UUID] = ()
) -> list[tuple[float, Person]]:
    """(score, person) of the persons in any office at or above the threshold, best first.
    Only persons sharing blocking keys are loaded (and so decrypted)."""
    keys = match_keys(identity)
    if not keys:
        return []
    excluded = set(exclude)
    shared = (
        MatchKey.objects.filter(key__in=keys)
        .exclude(person_id__in=excluded)
        .values("person_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "person_id")
        .values_list("person_id", flat=True)[:MAX_CANDIDATES]
    )
    ids = list(shared)
    if not ids:
        return []
    people = Person.objects.filter(pk__in=ids).select_related("office").only(*_SCORED_FIELDS)
    threshold = settings.DUPLICATE_THRESHOLD
    found = []
    for person in people:
        value = matching.score(identity, identity_of(person)).total
        if value >= threshold:
            found.append((value, person))
    found.sort(key=lambda item: (-item[0], str(item[1].pk)))
    return found


def duplicate_candidates(
    user: AnyUser, identity_data: Mapping[str, Any], *, exclude_person: Person | None = None
) -> list[Candidate]:
    """The likely existing records of ``identity_data`` across all offices, best first; audited
    as "person.duplicate_check" with the number of candidates only."""
    exclude = _excluded(exclude_person) if exclude_person is not None else set()
    found = scored_candidates(identity_from(identity_data), exclude=exclude)
    visible_offices = offices_with(user, Perm.PERSON_VIEW)
    assisted = assisted_by_person([person.pk for _, person in found])
    candidates = [
        Candidate(
            office=person.office,
            score=round(value, 3),
            person=person if person.office_id in visible_offices else None,
            reference=""
            if person.office_id in visible_offices
            else candidate_reference(person.pk, user),
            assisted=tuple(assisted.get(person.pk, ())),
        )
        for value, person in found
    ]
    audit_record(
        actor=user,
        action="person.duplicate_check",
        obj=exclude_person,
        details={"candidates": len(candidates)},
    )
    return candidates
