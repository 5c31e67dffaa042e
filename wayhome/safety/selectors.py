"""Reads of the return-restriction register (global: every signed-in user may read it) and of the
cases a restriction holds (only those the user may see, through the case policy).

``restriction_in_force(country, region, programme, on)`` answers "what applied": for each
restriction (a series of versions) of the country, the version in force on ``on`` is the newest
one that starts on or before that date, and it applies if it has not ended by then. A
country-level restriction applies to every region; a region-level one only to that region. The
effective status is the most restrictive applicable one (suspended, then case by case, then
open); no applicable restriction means open.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from wayhome.cases.models import Case
from wayhome.cases.selectors import case_list
from wayhome.cases.workflow import Status
from wayhome.safety.models import (
    SEVERITY,
    Restriction,
    RestrictionDecision,
    RestrictionHold,
    RestrictionStatus,
)


@dataclass(frozen=True)
class InForce:
    """The answer to "what applied": the effective status and every applicable version, the most
    restrictive first (``deciding`` is the one that sets the status)."""

    status: str
    entries: tuple[Restriction, ...] = field(default=())

    @property
    def deciding(self) -> Restriction | None:
        return self.entries[0] if self.entries else None

    @property
    def suspended(self) -> bool:
        return self.status == RestrictionStatus.SUSPENDED

    @property
    def case_by_case(self) -> tuple[Restriction, ...]:
        return tuple(e for e in self.entries if e.status == RestrictionStatus.CASE_BY_CASE)


def versions_in_force(versions: Iterable[Restriction], on: datetime.date) -> list[Restriction]:
    """Of ``versions`` (of any series), the version of each series in force on ``on``."""
    newest: dict[Any, Restriction] = {}
    for version in versions:
        if version.valid_from > on:
            continue
        current = newest.get(version.series)
        if current is None or version.number > current.number:
            newest[version.series] = version
    return [v for v in newest.values() if v.valid_to is None or on <= v.valid_to]


def _rank(version: Restriction) -> tuple[int, int, str, str]:
    # Most restrictive first; then region-level (more precise) first; then stable by id.
    return (-SEVERITY[version.status], 0 if version.region else 1, version.place, str(version.pk))


def restriction_in_force(
    country: str,
    region: str = "",
    programme: str | None = None,
    on: datetime.date | None = None,
) -> InForce:
    """What applied to ``country`` (``region``; ``programme``, or any programme when None) on
    ``on`` (today when None)."""
    on = on or timezone.localdate()
    scope = Q(region="") | Q(region=region) if region else Q(region="")
    versions = Restriction.objects.filter(scope, country=country, valid_from__lte=on)
    applicable = [
        v for v in versions_in_force(versions, on) if programme is None or programme in v.programmes
    ]
    applicable.sort(key=_rank)
    status = applicable[0].status if applicable else RestrictionStatus.OPEN
    return InForce(status=status, entries=tuple(applicable))


def restriction_for_case(case: Case, on: datetime.date | None = None) -> InForce:
    return restriction_in_force(
        case.destination_country, case.destination_region, case.programme, on
    )


@dataclass(frozen=True)
class RestrictionFilters:
    country: str = ""
    status: str = ""
    history: bool = False  # every version, not only the newest of each restriction


def restriction_list(filters: RestrictionFilters | None = None) -> QuerySet[Restriction]:
    """The register: the newest version of each restriction (every version with ``history``)."""
    filters = filters or RestrictionFilters()
    versions = Restriction.objects.select_related("approved_by", "created_by")
    if not filters.history:
        newer = Restriction.objects.filter(series=OuterRef("series"), number__gt=OuterRef("number"))
        versions = versions.exclude(Exists(newer))
    if filters.country:
        versions = versions.filter(country=filters.country.upper())
    if filters.status:
        versions = versions.filter(status=filters.status)
    return versions.order_by("country", "region", "series", "-number")


def restriction_get(pk: Any) -> Restriction:
    """A version of a restriction, or 404 (the register is global: no office to check)."""
    found = Restriction.objects.select_related("approved_by", "created_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def restriction_history(version: Restriction) -> list[Restriction]:
    """Every version of ``version``'s restriction, newest first."""
    return list(
        Restriction.objects.filter(series=version.series)
        .select_related("approved_by", "created_by")
        .order_by("-number")
    )


def restriction_latest(version: Restriction) -> Restriction:
    return Restriction.objects.filter(series=version.series).order_by("-number").first() or version


def register_in_force(on: datetime.date | None = None) -> list[Restriction]:
    """Every restriction version in force on ``on`` (today), the most restrictive first."""
    on = on or timezone.localdate()
    versions = Restriction.objects.filter(valid_from__lte=on).select_related("approved_by")
    found = versions_in_force(versions, on)
    return sorted(found, key=lambda v: (-SEVERITY[v.status], v.country, v.region, v.number))


def held_cases(user: Any) -> QuerySet[Case]:
    """The cases ``user`` may see that a return restriction holds now."""
    holding = RestrictionHold.objects.filter(released_at__isnull=True).values("case_id")
    return (
        case_list(user)
        .filter(pk__in=holding, status=Status.ON_HOLD)
        .order_by("destination_country", "status_changed_at", "id")
    )


def held_counts_by_country(user: Any) -> list[tuple[str, int]]:
    rows = (
        held_cases(user)
        .order_by()
        .values("destination_country")
        .annotate(n=Count("id"))
        .values_list("destination_country", "n")
    )
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def decision_list(case: Case) -> QuerySet[RestrictionDecision]:
    return (
        RestrictionDecision.objects.filter(case=case)
        .select_related("decided_by")
        .prefetch_related("restrictions")
    )


def decided_versions(case: Case) -> set[Any]:
    """The ids of the case-by-case versions under which a manager allowed ``case``'s return."""
    return set(
        RestrictionDecision.restrictions.through.objects.filter(
            restrictiondecision__case=case
        ).values_list("restriction_id", flat=True)
    )
