"""Reads on feedback, always from what the user may see (``access.feedback_visible``): the
queues with their filters, the counts for the home page, the statistics, the notes of a report
and who it may be assigned to."""

from __future__ import annotations

import datetime
import statistics
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from wayhome.accounts.models import RoleGrant, User
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm
from wayhome.accounts.policies import offices_with
from wayhome.feedback import access
from wayhome.feedback.models import (
    OPEN_STATUSES,
    Feedback,
    FeedbackCategory,
    FeedbackNote,
    FeedbackStatus,
    Kind,
)


@dataclass(frozen=True)
class Filters:
    status: str = ""
    kind: str = ""
    category: str = ""
    priority: str = ""
    office_id: uuid.UUID | None = None
    overdue: bool = False


def overdue_q(today: datetime.date | None = None) -> Q:
    return Q(status__in=OPEN_STATUSES, due_on__lt=today or timezone.localdate())


def feedback_list(
    user: Any, filters: Filters | None = None, *, queue: access.Queue | None = None
) -> QuerySet[Feedback]:
    """The reports ``user`` may see (in ``queue``), filtered, the first due first."""
    filters = filters or Filters()
    reports = access.feedback_visible(user, queue)
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.kind:
        reports = reports.filter(kind=filters.kind)
    if filters.category:
        reports = reports.filter(category=filters.category)
    if filters.priority:
        reports = reports.filter(priority=filters.priority)
    if filters.office_id:
        reports = reports.filter(office_id=filters.office_id)
    if filters.overdue:
        reports = reports.filter(overdue_q())
    return reports.select_related("office", "assigned_to").order_by("due_on", "submitted_at", "id")


def open_feedback(user: Any) -> dict[str, int]:
    """For the home page: open and overdue reports of the office queue the user handles
    (``open``, ``overdue``) and of the independent queue (``misconduct_open``,
    ``misconduct_overdue``: zero for anyone but the ethics officers of an office)."""
    result: dict[str, int] = {}
    for prefix, queue in (("", "office"), ("misconduct_", "independent")):
        counts = (
            access.feedback_visible(user, queue)  # type: ignore[arg-type]
            .filter(status__in=OPEN_STATUSES)
            .aggregate(open=Count("pk"), overdue=Count("pk", filter=overdue_q()))
        )
        result[f"{prefix}open"] = counts["open"] or 0
        result[f"{prefix}overdue"] = counts["overdue"] or 0
    return result


def notes_for(user: Any, feedback: Feedback) -> list[FeedbackNote]:
    """The internal notes ``user`` may read: the office never reads the notes written while the
    report was in the independent queue."""
    notes = feedback.notes.select_related("author")
    if not feedback.is_misconduct:
        notes = notes.filter(independent=False)
    return list(notes)


def handlers_of(feedback: Feedback) -> QuerySet[User]:
    """Active users who handle this report's queue in its office (it may be assigned to them)."""
    perm = access.handling_perm(feedback.kind)
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
    ids = RoleGrant.objects.filter(office_id=feedback.office_id, role__in=roles).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email")


# --- statistics ---------------------------------------------------------------------------------


@dataclass
class Row:
    code: str
    label: str
    count: int


@dataclass
class Statistics:
    total: int = 0
    overdue: int = 0
    answered: int = 0
    median_days_to_answer: float | None = None
    by_kind: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_status: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)  # code "YYYY-MM", oldest first


def _rows(reports: QuerySet[Feedback], name: str, choices: Any) -> list[Row]:
    counts = dict(
        reports.order_by().values_list(name).annotate(n=Count("pk")).values_list(name, "n")
    )
    rows = [Row(code, str(label), counts.get(code, 0)) for code, label in choices]
    if counts.get("", 0):
        rows.append(Row("", "—", counts[""]))
    return rows


def feedback_statistics(
    user: Any, *, queue: access.Queue | None = None, office_id: uuid.UUID | None = None
) -> Statistics:
    """Counts by kind, category, status and month received, the median days from receipt to
    the answer, and how many are overdue, over the reports ``user`` may see only."""
    reports = access.feedback_visible(user, queue)
    if office_id:
        reports = reports.filter(office_id=office_id)
    result = Statistics()
    result.total = reports.count()
    result.overdue = reports.filter(overdue_q()).count()
    kinds = list(Kind.choices)
    if queue is None:  # the kinds of the queues the user handles, no row for another queue
        handles_office = bool(offices_with(user, Perm.FEEDBACK_HANDLE))
        handles_independent = bool(offices_with(user, Perm.MISCONDUCT_HANDLE))
        if handles_office != handles_independent:
            queue = "office" if handles_office else "independent"
    if queue == "office":
        kinds = [c for c in kinds if c[0] != Kind.MISCONDUCT]
    elif queue == "independent":
        kinds = [c for c in kinds if c[0] == Kind.MISCONDUCT]
    result.by_kind = _rows(reports, "kind", kinds)
    result.by_category = _rows(reports, "category", FeedbackCategory.choices)
    result.by_status = _rows(reports, "status", FeedbackStatus.choices)
    months = (
        reports.annotate(month=TruncMonth("submitted_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    result.by_month = [
        Row(month.strftime("%Y-%m"), month.strftime("%Y-%m"), n)
        for month, n in sorted(months, key=lambda item: item[0])
        if month is not None
    ]
    spans = [
        (responded - submitted).total_seconds() / 86400
        for submitted, responded in reports.filter(responded_at__isnull=False).values_list(
            "submitted_at", "responded_at"
        )
        if responded is not None
    ]
    result.answered = len(spans)
    result.median_days_to_answer = round(statistics.median(spans), 1) if spans else None
    return result
