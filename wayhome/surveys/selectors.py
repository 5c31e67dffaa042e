"""Reads of the surveys app: the follow-ups due, a case's interviews and score trajectories, and
the distributions of scores. Everything starts from what the user may see: the cases they work
(``reintegration.access``) or, for the distributions, the offices where they may view reports.
An object the user may not see raises ``Http404``."""

from __future__ import annotations

import datetime
import functools
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.eligibility.evaluation import member_label
from wayhome.movements.models import Arrival
from wayhome.reintegration import access
from wayhome.reporting import disclosure
from wayhome.reporting.tables import threshold
from wayhome.surveys.models import (
    Instrument,
    InstrumentVersion,
    Interview,
    Outcome,
    ScheduleItem,
    ScoreSet,
    VersionStatus,
)


def _sets() -> Prefetch:
    return Prefetch("score_sets", queryset=ScoreSet.objects.select_related("instrument_version"))


#: Follow-ups not yet due are listed from this many days before their due date.
UPCOMING_DAYS = 14


def _get(queryset: QuerySet[Any], **lookup: Any) -> Any:
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


# --- labels ---------------------------------------------------------------------------------------


def _relationship_label(code: str) -> str:
    """The relationship's name in the current language (looked up once per code and language:
    lists label thousands of members)."""
    return _relationship_labels(code, get_language() or "")


@functools.lru_cache(maxsize=256)
def _relationship_labels(code: str, language: str) -> str:
    return str(Relationship(code).label) if code in Relationship.values else code


def labels_for(case_ids: list[Any]) -> dict[Any, str]:
    """Member id -> "Principal applicant (1)", for every member of these cases, in one query."""
    result: dict[Any, str] = {}
    position: dict[Any, int] = defaultdict(int)
    rows = (
        CaseMember.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "created_at", "id")
        .values_list("pk", "case_id", "relationship")
    )
    for pk, case_id, relationship in rows:
        position[case_id] += 1
        result[pk] = member_label(_relationship_label(relationship), position[case_id])
    return result


def returnees(case: Case) -> list[tuple[CaseMember, str]]:
    """(member, label) for each returnee (travelling member) of the case."""
    labels = labels_for([case.pk])
    return [
        (member, labels.get(member.pk, "?"))
        for member in case.members.filter(travelling=True).order_by("created_at", "id")
    ]


# --- instruments ----------------------------------------------------------------------------------


def instruments() -> list[tuple[Instrument, InstrumentVersion | None, list[InstrumentVersion]]]:
    """Every instrument with its published version and all its versions (newest first)."""
    versions = list(
        InstrumentVersion.objects.select_related("instrument").order_by(
            "instrument__code", "-number"
        )
    )
    by_instrument: dict[Any, list[InstrumentVersion]] = defaultdict(list)
    for version in versions:
        by_instrument[version.instrument_id].append(version)
    result = []
    for instrument in Instrument.objects.order_by("code"):
        own = by_instrument.get(instrument.pk, [])
        published = next((v for v in own if v.status == VersionStatus.PUBLISHED), None)
        result.append((instrument, published, own))
    return result


def version_get(code: str, number: int) -> InstrumentVersion:
    return _get(
        InstrumentVersion.objects.select_related("instrument", "created_by", "published_by"),
        instrument__code=code,
        number=number,
    )


def published_instruments() -> QuerySet[Instrument]:
    return Instrument.objects.filter(versions__status=VersionStatus.PUBLISHED).order_by("code")


# --- schedule -------------------------------------------------------------------------------------


def schedule_offices(user: Any) -> set[Any]:
    """Offices whose schedule the user sees: where they conduct or manage surveys."""
    return offices_with(user, Perm.SURVEY_CONDUCT) | offices_with(user, Perm.SURVEY_MANAGE)


def schedule_items(user: Any) -> QuerySet[ScheduleItem]:
    return (
        ScheduleItem.objects.filter(office_id__in=schedule_offices(user))
        .select_related("office", "instrument")
        .order_by("office__name", "programme", "days_after_arrival", "name", "id")
    )


def schedule_item_get(user: Any, item_id: Any) -> ScheduleItem:
    return _get(schedule_items(user), pk=item_id)


# --- interviews -----------------------------------------------------------------------------------


def interviews_of(case: Case) -> QuerySet[Interview]:
    return (
        Interview.objects.filter(case=case)
        .select_related(
            "instrument_version__instrument", "schedule_item", "interviewer", "recorded_by"
        )
        .prefetch_related(_sets())
        .order_by("conducted_on", "created_at", "id")
    )


def interview_get(user: Any, case_id: Any, interview_id: Any) -> Interview:
    case = access.case_get(user, case_id)
    return _get(interviews_of(case).select_related("case__office"), pk=interview_id)


def interview_get_any(user: Any, interview_id: Any) -> Interview:
    """An interview of a case the user works, by its id alone (the API)."""
    return _get(
        Interview.objects.filter(case__in=access.cases_worked(user))
        .select_related(
            "case__office",
            "instrument_version__instrument",
            "schedule_item",
            "interviewer",
            "recorded_by",
        )
        .prefetch_related(_sets()),
        pk=interview_id,
    )


def current_score(interview: Interview) -> ScoreSet | None:
    """The current score set (from the prefetched sets when there are)."""
    return next((s for s in interview.score_sets.all() if s.current), None)


@dataclass
class Point:
    conducted_on: datetime.date
    interview: Interview
    score_set: ScoreSet
    values: dict[str, str | None]  # dimension code (and "composite") -> "0.62" | None


@dataclass
class Trajectory:
    member: CaseMember
    label: str
    instrument: Instrument
    dimensions: list[tuple[str, str]]  # (code, label) in the definition's order, composite last
    points: list[Point]


def trajectories(case: Case) -> list[Trajectory]:
    """Per returnee and instrument, the current scores of the completed interviews over time
    (the dimensions as named by the latest version used)."""
    result: list[Trajectory] = []
    interviews = [i for i in interviews_of(case) if i.outcome == Outcome.COMPLETED]
    for member, label in returnees(case):
        own = [i for i in interviews if i.member_id == member.pk]
        by_instrument: dict[Any, list[Interview]] = defaultdict(list)
        for interview in own:
            by_instrument[interview.instrument_version.instrument_id].append(interview)
        for group in by_instrument.values():
            points = []
            for interview in group:
                score_set = current_score(interview)
                if score_set is None:
                    continue
                values = {
                    code: score_set.dimension(code)
                    for code in [
                        *(score_set.values.get("dimensions") or {}),
                        "composite",
                    ]
                }
                points.append(Point(interview.conducted_on, interview, score_set, values))
            if not points:
                continue
            latest = group[-1].instrument_version
            dimensions = [(d.code, latest.text(d.label)) for d in latest.parsed.dimensions]
            result.append(
                Trajectory(
                    member=member,
                    label=label,
                    instrument=latest.instrument,
                    dimensions=[*dimensions, ("composite", "")],
                    points=points,
                )
            )
    return result


# --- follow-ups -----------------------------------------------------------------------------------


class FollowUpStatus:
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    REFUSED = "refused"


OPEN = (FollowUpStatus.UPCOMING, FollowUpStatus.DUE, FollowUpStatus.OVERDUE)


@dataclass
class FollowUp:
    case_id: Any
    reference: str
    office_id: Any
    programme: str
    member_id: Any
    label: str
    item: ScheduleItem
    arrived_on: datetime.date
    due_on: datetime.date
    closes_on: datetime.date
    status: str
    attempts: int  # interviews recorded for it without completion (unreachable, refused)
    interview_id: Any  # the completed (or refused) interview


def followups(
    user: Any,
    *,
    today: datetime.date | None = None,
    statuses: tuple[str, ...] = OPEN,
    programme: str = "",
    instrument: str = "",
    office_id: Any = None,
) -> list[FollowUp]:
    """For every case the user conducts surveys on that has arrived, each returnee and each
    active follow-up of the case's office and programme: due on arrival + days after arrival,
    overdue once its window passed; done or refused when an interview says so. Follow-ups not
    due in the next ``UPCOMING_DAYS`` days are left out. A fixed number of queries."""
    today = today or timezone.localdate()
    cases = access.cases_worked(user, Perm.SURVEY_CONDUCT).filter(arrival__isnull=False)
    if programme:
        cases = cases.filter(programme=programme)
    if office_id:
        cases = cases.filter(office_id=office_id)
    rows = list(
        cases.annotate(
            arrived_on=Subquery(
                Arrival.objects.filter(case=OuterRef("pk")).values("arrived_on")[:1]
            )
        ).values("pk", "reference", "office_id", "programme", "arrived_on")
    )
    if not rows:
        return []
    # The cases again as a subquery, not as a list of ids: thousands of ids sent twice cost more
    # than the database evaluating the same condition (bench/surveys.py).
    case_ids = cases.values("pk")
    items_query = ScheduleItem.objects.filter(
        active=True, office_id__in={row["office_id"] for row in rows}
    ).select_related("instrument")
    if instrument:
        items_query = items_query.filter(instrument__code=instrument)
    items: dict[tuple[Any, str], list[ScheduleItem]] = defaultdict(list)
    for item in items_query.order_by("days_after_arrival", "name", "id"):
        items[(item.office_id, item.programme)].append(item)
    members: dict[Any, list[Any]] = defaultdict(list)
    labels: dict[Any, str] = {}
    position: dict[Any, int] = defaultdict(int)
    for pk, case_id, relationship, travelling in (
        CaseMember.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "created_at", "id")
        .values_list("pk", "case_id", "relationship", "travelling")
    ):
        position[case_id] += 1
        labels[pk] = member_label(_relationship_label(relationship), position[case_id])
        if travelling:
            members[case_id].append(pk)
    done: dict[tuple[Any, Any], Any] = {}
    refused: dict[tuple[Any, Any], Any] = {}
    attempts: dict[tuple[Any, Any], int] = defaultdict(int)
    for pk, member_id, item_id, outcome in (
        Interview.objects.filter(case_id__in=case_ids, schedule_item__isnull=False)
        .order_by("conducted_on", "created_at")
        .values_list("pk", "member_id", "schedule_item_id", "outcome")
    ):
        key = (member_id, item_id)
        if outcome == Outcome.COMPLETED:
            done[key] = pk
        else:
            attempts[key] += 1
            if outcome == Outcome.REFUSED:
                refused[key] = pk
    result = []
    horizon = today + datetime.timedelta(days=UPCOMING_DAYS)
    for row in rows:
        arrived_on = row["arrived_on"]
        for item in items.get((row["office_id"], row["programme"]), []):
            due_on = arrived_on + datetime.timedelta(days=item.days_after_arrival)
            closes_on = due_on + datetime.timedelta(days=item.window_days)
            for member_id in members.get(row["pk"], []):
                key = (member_id, item.pk)
                if key in done:
                    status = FollowUpStatus.DONE
                elif key in refused:
                    status = FollowUpStatus.REFUSED
                elif today > closes_on:
                    status = FollowUpStatus.OVERDUE
                elif today >= due_on:
                    status = FollowUpStatus.DUE
                elif due_on <= horizon:
                    status = FollowUpStatus.UPCOMING
                else:
                    continue
                if status not in statuses:
                    continue
                result.append(
                    FollowUp(
                        case_id=row["pk"],
                        reference=row["reference"],
                        office_id=row["office_id"],
                        programme=row["programme"],
                        member_id=member_id,
                        label=labels.get(member_id, "?"),
                        item=item,
                        arrived_on=arrived_on,
                        due_on=due_on,
                        closes_on=closes_on,
                        status=status,
                        attempts=attempts.get(key, 0),
                        interview_id=done.get(key) or refused.get(key),
                    )
                )
    result.sort(key=lambda f: (f.due_on, f.reference, f.label))
    return result


def followups_due(user: Any, today: datetime.date | None = None) -> dict[str, int]:
    """How many follow-ups are due and overdue for the user (the home page): the same rule as
    ``followups``, counted by the database in one query (two counts per active schedule item
    of the offices whose cases the user works), whatever the number of cases."""
    today = today or timezone.localdate()
    cases = access.cases_worked(user, Perm.SURVEY_CONDUCT).filter(arrival__isnull=False)
    items = list(
        ScheduleItem.objects.filter(active=True, office_id__in=cases.values("office_id")).only(
            "pk", "office_id", "programme", "days_after_arrival", "window_days"
        )
    )
    if not items:
        return {"due": 0, "overdue": 0}
    counts: dict[str, Count] = {}
    for n, item in enumerate(items):
        opened = today - datetime.timedelta(days=item.days_after_arrival)
        closed = opened - datetime.timedelta(days=item.window_days)
        answered = Interview.objects.filter(
            member=OuterRef("pk"),
            schedule_item=item,
            outcome__in=(Outcome.COMPLETED, Outcome.REFUSED),
        )
        open_ = Q(
            ~Exists(answered),
            case__office_id=item.office_id,
            case__programme=item.programme,
            case__arrival__arrived_on__lte=opened,
        )
        counts[f"open_{n}"] = Count("pk", filter=open_)
        counts[f"overdue_{n}"] = Count("pk", filter=open_ & Q(case__arrival__arrived_on__lt=closed))
    totals = CaseMember.objects.filter(travelling=True, case__in=cases).aggregate(**counts)
    overdue = sum(totals[f"overdue_{n}"] or 0 for n in range(len(items)))
    due = sum(totals[f"open_{n}"] or 0 for n in range(len(items))) - overdue
    return {"due": due, "overdue": overdue}


# --- distributions --------------------------------------------------------------------------------

GROUP_BY = ("country", "programme", "cohort")
BINS = 5


@dataclass
class Group:
    key: str
    count: int | None  # None (like the other figures) when withheld by disclosure control
    mean: Decimal | None
    median: Decimal | None
    bins: list[int | None]  # counts in [0, 0.2), [0.2, 0.4), ..., [0.8, 1]


def _bin(value: Decimal) -> int:
    return min(BINS - 1, max(0, int(value * BINS)))


def _cohort(arrived_on: datetime.date | None) -> str:
    if arrived_on is None:
        return ""
    return f"{arrived_on.year}-Q{(arrived_on.month - 1) // 3 + 1}"


def _summary(key: str, values: list[Decimal]) -> Group:
    bins = [0] * BINS
    for value in values:
        bins[_bin(value)] += 1
    places = Decimal("0.01")
    return Group(
        key=key,
        count=len(values),
        mean=(sum(values, Decimal(0)) / len(values)).quantize(places) if values else None,
        median=Decimal(statistics.median(values)).quantize(places) if values else None,
        bins=list[int | None](bins),
    )


def results_offices(user: Any) -> set[Any]:
    return offices_with(user, Perm.REPORT_VIEW)


def results_protected(overall: Group, groups: list[Group]) -> tuple[Group, list[Group]]:
    """The distributions after disclosure control (``reporting.disclosure``): the groups by
    histogram bins are a table whose margins are the groups' counts and the overall histogram;
    a small cell is withheld with the cells that would reveal it, and a group whose count is
    withheld shows neither mean nor median. For readers who may not open every case counted."""
    if not groups:
        return overall, groups
    interior = [[int(count or 0) for count in group.bins] for group in groups]
    k = threshold()
    thresholds = [[k] * (BINS + 1) for _ in range(len(groups) + 1)]
    withheld = disclosure.suppress(interior, thresholds)
    rows = [*groups, overall]

    def shown(index: int, group: Group) -> Group:
        hidden = (index, BINS) in withheld
        return Group(
            key=group.key,
            count=None if hidden else group.count,
            mean=None if hidden else group.mean,
            median=None if hidden else group.median,
            bins=[None if (index, b) in withheld else group.bins[b] for b in range(BINS)],
        )

    protected = [shown(index, group) for index, group in enumerate(rows)]
    return protected[-1], protected[:-1]


def results(
    user: Any, *, instrument: str, dimension: str, by: str, latest_only: bool = False
) -> tuple[Group, list[Group]]:
    """The distribution of one score (a dimension's, or ``composite``) over the current score
    sets of the completed interviews of the cases of the offices where the user views reports,
    in all and per group: country of return (the returnee's country of origin), programme, or
    cohort (year and quarter of arrival). ``latest_only``: each returnee's latest interview."""
    by = by if by in GROUP_BY else "country"
    sets = ScoreSet.objects.filter(
        current=True,
        interview__outcome=Outcome.COMPLETED,
        interview__case__office_id__in=results_offices(user),
        interview__instrument_version__instrument__code=instrument,
    )
    rows = sets.annotate(
        arrived_on=Subquery(
            Arrival.objects.filter(case=OuterRef("interview__case_id")).values("arrived_on")[:1]
        )
    ).values_list(
        "composite",
        # The dimensions' scores are in the JSON; decoding it costs more than the query, so
        # it is read only when a dimension is asked for (the composite has its own column).
        "values" if dimension != "composite" else "composite",
        "interview__member_id",
        "interview__conducted_on",
        "interview__case__destination_country",
        "interview__case__programme",
        "arrived_on",
    )
    chosen: list[tuple[Any, ...]] = list(rows)
    if latest_only:
        latest: dict[Any, tuple[Any, ...]] = {}
        for row in chosen:
            if row[2] not in latest or row[3] >= latest[row[2]][3]:
                latest[row[2]] = row
        chosen = list(latest.values())
    groups: dict[str, list[Decimal]] = defaultdict(list)
    everything: list[Decimal] = []
    for composite, values, _member, _on, country, programme, arrived_on in chosen:
        if dimension == "composite":
            value = composite
        else:
            raw = ((values or {}).get("dimensions") or {}).get(dimension)
            value = Decimal(raw) if raw is not None else None
        if value is None:
            continue
        value = Decimal(value)
        key = {"country": country, "programme": programme, "cohort": _cohort(arrived_on)}[by]
        groups[key or ""].append(value)
        everything.append(value)
    return _summary("", everything), [_summary(key, groups[key]) for key in sorted(groups)]
