"""Assisted before: the returns a person (or any record linked to them) already made.

A case counts once it reached departure: it is departed or later (arrived, reintegration,
monitoring), or closed after a departure. The date is that of the departure (the transition to
``departed``), or of the last status change when the transition is not recorded. Cases are read
through ``apps.get_model`` so that people does not import cases (cases imports people).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from wayhome.people.links import linked_ids
from wayhome.people.models import Person

AFTER_DEPARTURE = (
    "departed",
    "arrived",
    "reintegration_planning",
    "reintegration_assistance",
    "monitoring",
)


@dataclass(frozen=True)
class Assisted:
    reference: str
    office: str  # the office's name
    status: str
    date: datetime.date


def _cutoff(years: int | None) -> datetime.date:
    years = settings.ASSISTED_LOOKBACK_YEARS if years is None else years
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def assisted_by_person(
    person_ids: Iterable[uuid.UUID], *, years: int | None = None
) -> dict[uuid.UUID, list[Assisted]]:
    """For each of ``person_ids`` (not their links), the cases that reached departure within the
    look-back, newest first. Two queries whatever the number of people."""
    ids = set(person_ids)
    if not ids:
        return {}
    case_member = apps.get_model("cases", "CaseMember")
    case_transition = apps.get_model("cases", "CaseTransition")
    members = list(
        case_member.objects.filter(person_id__in=ids)
        .filter(
            Q(case__status__in=AFTER_DEPARTURE)
            | Q(case__status="closed", case__transitions__target="departed")
        )
        .distinct()
        .values_list(
            "person_id",
            "case_id",
            "case__reference",
            "case__office__name",
            "case__status",
            "case__status_changed_at",
            "case__created_at",
        )
    )
    departures: dict[uuid.UUID, datetime.datetime] = {}
    for case_id, occurred_at in case_transition.objects.filter(
        case_id__in={row[1] for row in members}, target="departed"
    ).values_list("case_id", "occurred_at"):
        departures[case_id] = max(occurred_at, departures.get(case_id, occurred_at))
    cutoff = _cutoff(years)
    found: dict[uuid.UUID, list[Assisted]] = {}
    for person_id, case_id, reference, office, status, changed_at, created_at in members:
        moment = departures.get(case_id) or changed_at or created_at
        day = timezone.localdate(moment)
        if day >= cutoff:
            found.setdefault(person_id, []).append(Assisted(reference, office, status, day))
    for cases in found.values():
        cases.sort(key=lambda item: item.date, reverse=True)
    return found


def previously_assisted(person: Person, *, years: int | None = None) -> list[Assisted]:
    """(case reference, office, status, date) of every case of the person or of a linked record
    that reached departure within the last ``years`` years (``ASSISTED_LOOKBACK_YEARS``)."""
    found = assisted_by_person(linked_ids([person.pk]), years=years)
    seen: set[str] = set()
    result = []
    for item in sorted(
        (item for cases in found.values() for item in cases),
        key=lambda item: item.date,
        reverse=True,
    ):
        if item.reference not in seen:
            seen.add(item.reference)
            result.append(item)
    return result
