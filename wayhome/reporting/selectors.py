"""Which facts a user's statistics count, and the filters every statistics page, export and API
call shares.

A user's figures are those of the host offices where they hold ``REPORT_VIEW``. Figures are
published with disclosure control (``Table.protect``) unless the reader may see every case
counted — ``CASE_VIEW`` in each office of the scope — and asks for exact figures on screen;
exports, the API, the monthly report and microdata are always protected.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.reporting.dimensions import DIMENSIONS
from wayhome.reporting.facts import facts_sync
from wayhome.reporting.models import ReturnFact

#: Filters on these codes make the whole table count a sensitive group.
SENSITIVE_FILTERS: dict[str, frozenset[str]] = {
    name: dimension.sensitive for name, dimension in DIMENSIONS.items() if dimension.sensitive
}


@dataclass(frozen=True)
class Filters:
    """What a statistics page counts: offices (within the reader's), whom (``period``:
    "departure" counts returns — people who travelled, by date of departure; "registration" the
    whole caseload, by date of registration), dates, and codes of any dimension
    (``{"programme": ["AVRR"], ...}``)."""

    offices: frozenset[uuid.UUID] = frozenset()
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    #: "departure" (returns) or "registration" (the whole caseload).
    period: str = "departure"
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def sensitive(self) -> bool:
        return any(
            set(values) & SENSITIVE_FILTERS.get(name, frozenset())
            for name, values in self.codes.items()
        )


def report_offices(user: Any) -> set[uuid.UUID]:
    """The offices whose figures ``user`` may read."""
    return offices_with(user, Perm.REPORT_VIEW)


def report_office_list(user: Any) -> list[Office]:
    return list(Office.objects.filter(pk__in=report_offices(user)).order_by("code"))


def sees_every_case(user: Any, offices: set[uuid.UUID]) -> bool:
    """Whether ``user`` may open every case counted in ``offices`` (exact figures allowed)."""
    return bool(offices) and offices <= offices_with(user, Perm.CASE_VIEW)


def scope(user: Any, filters: Filters) -> set[uuid.UUID]:
    allowed = report_offices(user)
    return set(filters.offices) & allowed if filters.offices else allowed


def facts_for(
    user: Any, filters: Filters | None = None, *, sync: bool = True
) -> QuerySet[ReturnFact]:
    """The facts ``user`` may count, narrowed by ``filters`` (stale cases recomputed first)."""
    if sync:
        facts_sync()
    filters = filters or Filters()
    queryset = ReturnFact.objects.filter(office__in=scope(user, filters))
    if filters.period == "departure":
        queryset = queryset.filter(travelling=True).exclude(departure_date=None)
    day = "departure_date" if filters.period == "departure" else "registered_on"
    if filters.date_from:
        queryset = queryset.filter(**{f"{day}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{day}__lte": filters.date_to})
    for name, values in filters.codes.items():
        dimension = DIMENSIONS.get(name)
        if dimension is None or not values or not isinstance(dimension.expression, str):
            continue
        queryset = queryset.filter(Q(**{f"{dimension.expression}__in": list(values)}))
    return queryset
