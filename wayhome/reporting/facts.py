"""Keeping ``ReturnFact`` in step with the cases.

Every save or deletion that can move a figure (a case, its members, their people, transitions,
bookings, arrival, screenings) marks the case stale, in the same transaction (``mark_stale``,
connected in ``apps.py``; the few bulk updates elsewhere call it themselves). ``facts_sync`` —
called before statistics are read, and by the nightly ``reporting_sync`` task — recomputes the
stale cases' rows and clears their marks: the figures are those of the committed data, without
making every save pay for the statistics. ``facts_rebuild`` recomputes everything (after an
import, or to repair).

A mark is cleared only if it was not renewed while the case was being recomputed (its
``marked_at`` is compared), so a change committed during a sync is picked up by the next one.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from wayhome.assessments.models import HEALTH_FLAGS, Flag, Screening
from wayhome.cases.models import Case, CaseMember, CaseTransition, MigrantCategory, Relationship
from wayhome.cases.workflow import Status
from wayhome.core import regions
from wayhome.core.models import Counter
from wayhome.core.sequences import next_value
from wayhome.movements.models import Arrival, Booking, BookingStatus
from wayhome.reporting.dimensions import CHILD_AGE_GROUPS, age_group
from wayhome.reporting.models import TIMED_STATUSES, ReturnFact, StaleCase, days_field

BATCH = 500
#: Counts the changes to the facts: cached figures are keyed on it (``generation()``).
GENERATION = "reporting.facts"
TERMINAL = {Status.CLOSED, Status.WITHDRAWN, Status.REJECTED}
OTHER_FLAGS = frozenset(Flag.values) - {
    Flag.VICTIM_OF_TRAFFICKING,
    Flag.UNACCOMPANIED_OR_SEPARATED_CHILD,
    *HEALTH_FLAGS,
}


#: Functions that say which of some case ids have frozen facts: their rows are kept as they are,
#: never recomputed (a case whose personal data was erased by the retention rules,
#: ``wayhome.retention``, would otherwise lose its age group). Registered in ``AppConfig.ready``.
FROZEN: list[Callable[[list[Any]], set[Any]]] = []


def frozen_cases(case_ids: list[Any]) -> set[Any]:
    """The ids among ``case_ids`` whose facts are frozen."""
    frozen: set[Any] = set()
    for source in FROZEN:
        frozen |= source(case_ids)
    return frozen


def generation() -> int:
    """A number that changes whenever facts are written (cache keys of figures include it)."""
    value = Counter.objects.filter(scope=GENERATION).values_list("value", flat=True).first()
    return int(value or 0)


def mark_stale(case_ids: Iterable[Any]) -> None:
    """Mark cases for recomputation (inside the caller's transaction)."""
    now = timezone.now()
    rows = [StaleCase(case_id=pk, marked_at=now) for pk in {pk for pk in case_ids if pk}]
    if rows:
        StaleCase.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["case_id"], update_fields=["marked_at"]
        )


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _spells(
    case: Case, steps: list[dict[str, Any]]
) -> tuple[dict[str, int], dict[str, datetime.date]]:
    """Days spent in each status left (a status the case is still in is not counted yet), and
    the first day each status was reached."""
    days: dict[str, int] = defaultdict(int)
    reached: dict[str, datetime.date] = {}
    status = str(Status.REGISTERED)
    since = case.created_at
    for step in steps:
        days[status] += max(0, (step["occurred_at"] - since).days)
        status, since = step["target"], step["occurred_at"]
        reached.setdefault(status, _local_date(since))
    return dict(days), reached


def _vulnerability(category: str, flags: set[str]) -> tuple[str, bool, bool]:
    trafficking = (
        category == MigrantCategory.VICTIM_OF_TRAFFICKING or Flag.VICTIM_OF_TRAFFICKING in flags
    )
    unaccompanied = (
        category == MigrantCategory.UNACCOMPANIED_CHILD
        or Flag.UNACCOMPANIED_OR_SEPARATED_CHILD in flags
    )
    health = category == MigrantCategory.HEALTH_NEEDS or bool(flags & HEALTH_FLAGS)
    if trafficking:
        main = "trafficking"
    elif unaccompanied:
        main = "unaccompanied_child"
    elif health:
        main = "health"
    elif category == MigrantCategory.OTHER_VULNERABLE or flags & OTHER_FLAGS:
        main = "other"
    else:
        main = "none"
    return main, trafficking, health


def fact_rows(case_ids: list[Any]) -> list[ReturnFact]:
    """The facts of these cases, computed from the records (a fixed number of queries)."""
    cases = {
        case.pk: case for case in Case.objects.filter(pk__in=case_ids).select_related("office")
    }
    members = list(
        CaseMember.objects.filter(case__in=case_ids)
        .select_related("person")
        .order_by("created_at", "id")
    )
    steps: dict[Any, list[Any]] = defaultdict(list)
    for step in (
        CaseTransition.objects.filter(case__in=case_ids)
        .order_by("occurred_at", "id")
        .values("case_id", "target", "occurred_at")
    ):
        steps[step["case_id"]].append(step)
    departures: dict[Any, datetime.date] = {}
    for case_id, day in (
        Booking.objects.filter(case__in=case_ids, status=BookingStatus.FLOWN)
        .exclude(departure_date=None)
        .order_by("departure_date")
        .values_list("case_id", "departure_date")
    ):
        if day is not None:
            departures.setdefault(case_id, day)
    arrivals = dict(Arrival.objects.filter(case__in=case_ids).values_list("case_id", "arrived_on"))
    flags: dict[Any, set[str]] = {}
    for member_id, member_flags in (
        Screening.objects.filter(member__case__in=case_ids)
        .order_by("member_id", "-created_at", "-id")
        .values_list("member_id", "flags")
    ):
        flags.setdefault(member_id, set(member_flags or []))

    today = timezone.localdate()
    facts: list[ReturnFact] = []
    for member in members:
        case = cases[member.case_id]
        days, reached = _spells(case, steps[case.pk])
        registered_on = _local_date(case.created_at)
        applied_on = reached.get(Status.APPLICATION_SUBMITTED)
        departure = departures.get(case.pk)
        if departure is None and Status.DEPARTED in reached:
            departure = reached[Status.DEPARTED]
        closed_on = None
        if case.status in TERMINAL and steps[case.pk]:
            closed_on = _local_date(steps[case.pk][-1]["occurred_at"])
        person = member.person
        on = departure or applied_on or registered_on or today
        group = age_group(person.date_of_birth, on)
        child = group in CHILD_AGE_GROUPS or case.category == MigrantCategory.UNACCOMPANIED_CHILD
        main, trafficking, health = _vulnerability(case.category, flags.get(member.pk, set()))
        principal = member.relationship == Relationship.PRINCIPAL
        fact = ReturnFact(
            member_id=member.pk,
            case_id=case.pk,
            office_id=case.office_id,
            host_country=case.office.country,
            origin_country=case.destination_country,
            origin_region=case.destination_region,
            origin_area=regions.area_of(case.destination_country),
            programme=case.programme,
            category=case.category,
            status=case.status,
            principal=principal,
            travelling=member.travelling,
            sex=person.sex,
            age_group=group,
            vulnerability=main,
            child=child,
            trafficking=trafficking,
            health=health,
            funding_source=case.funding_source,
            registered_on=registered_on,
            applied_on=applied_on,
            approved_on=reached.get(Status.APPROVED),
            departure_date=departure,
            arrival_date=arrivals.get(case.pk),
            closed_on=closed_on,
            days_to_departure=(departure - applied_on).days if departure and applied_on else None,
        )
        if principal:
            for status in TIMED_STATUSES:
                if status in days:
                    setattr(fact, days_field(status), days[status])
        facts.append(fact)
    return facts


def facts_refresh(case_ids: Iterable[Any]) -> int:
    """Recompute the facts of these cases now; the number of rows written."""
    ids = list({uuid.UUID(str(pk)) for pk in case_ids})
    written = 0
    for chunk in _chunks(ids):
        with transaction.atomic():
            frozen = frozen_cases(chunk)
            live = [pk for pk in chunk if pk not in frozen]
            rows = fact_rows(live)
            ReturnFact.objects.filter(case__in=live).delete()
            ReturnFact.objects.bulk_create(rows, batch_size=BATCH)
            next_value(GENERATION)
            written += len(rows)
    return written


def facts_sync(*, limit: int | None = None) -> int:
    """Recompute the stale cases (at most ``limit``); the number of cases done."""
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        with transaction.atomic():
            claimed = list(
                StaleCase.objects.select_for_update(skip_locked=True)
                .order_by("marked_at")
                .values_list("case_id", "marked_at")[:size]
            )
            if not claimed:
                break
            ids = [case_id for case_id, _marked in claimed]
            frozen = frozen_cases(ids)
            live = [pk for pk in ids if pk not in frozen]
            rows = fact_rows(live)
            ReturnFact.objects.filter(case__in=live).delete()
            ReturnFact.objects.bulk_create(rows, batch_size=BATCH)
            # One delete for the batch: the claimed rows are locked, so none was marked again
            # since it was read (a later mark has a later time and stays to be recomputed).
            latest = max(marked for _case_id, marked in claimed)
            StaleCase.objects.filter(case_id__in=ids, marked_at__lte=latest).delete()
            next_value(GENERATION)
        done += len(claimed)
    return done


def facts_rebuild() -> int:
    """Recompute the facts of every case."""
    started = timezone.now()
    ids = list(Case.objects.order_by().values_list("pk", flat=True))
    written = facts_refresh(ids)
    StaleCase.objects.filter(marked_at__lt=started).delete()
    return written
