"""Reads about cases, through the office policy (invisible cases answer 404)."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import OfficePolicy, offices_with
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember, CaseTransition
from wayhome.cases.workflow import TERMINAL, Status, Unmet, allowed_targets
from wayhome.core import crypto
from wayhome.people.models import Person
from wayhome.people.selectors import person_policy

case_policy = OfficePolicy(Case, view=Perm.CASE_VIEW)


def case_list(user: Any) -> QuerySet[Case]:
    return (
        case_policy.filter(user)
        .select_related("office", "principal", "assigned_to")
        # A list shows the principal's name, never their photo or contacts (up to 2 MB each,
        # decrypted for nothing); the notes are read on the case's page.
        .defer("principal__photo", "principal__contacts", "notes")
        .order_by("-created_at", "-id")
    )


def case_get(user: Any, case_id: Any, *, perm: Perm | None = None) -> Case:
    """The case if ``user`` may see it (and holds ``perm`` in its office); else 404. Unaudited."""
    return case_policy.get_or_404(
        user, case_id, perm=perm, queryset=Case.objects.select_related("office", "principal")
    )


def case_access(user: Any, case_id: Any, *, perm: Perm | None = None) -> Case:
    """``case_get`` for showing the case (it names people): writes "case.view"."""
    case = case_get(user, case_id, perm=perm)
    audit_record(actor=user, action="case.view", obj=case)
    return case


# --- Additions for the case pages, the API and the work queue (feat/caseui) ---

#: A case that has stayed in one status longer than this is "stuck" (the "overdue" flag).
STUCK_AFTER_DAYS = 30

_OPEN = [status for status in Status if status not in TERMINAL]


@dataclass(frozen=True)
class CaseFilters:
    """Filters of the case list (pages and API). Never a name: names are searched by POST."""

    status: str = ""
    category: str = ""
    office_id: uuid.UUID | None = None
    assigned_to_id: uuid.UUID | None = None
    destination_country: str = ""
    mine: bool = False
    overdue: bool = False
    reference: str = ""


def stuck_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=STUCK_AFTER_DAYS)


def case_filter(user: Any, cases: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """Narrows ``cases`` (already limited to what ``user`` may see) by ``filters``."""
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.category:
        cases = cases.filter(category=filters.category)
    if filters.office_id:
        cases = cases.filter(office_id=filters.office_id)
    if filters.assigned_to_id:
        cases = cases.filter(assigned_to_id=filters.assigned_to_id)
    if filters.destination_country:
        cases = cases.filter(destination_country=filters.destination_country.upper())
    if filters.mine:
        cases = cases.filter(assigned_to_id=user.pk)
    if filters.overdue:
        cases = cases.filter(status__in=_OPEN, status_changed_at__lt=stuck_before())
    if filters.reference:
        cases = cases.filter(reference_matches(filters.reference))
    return cases


#: A whole reference (``DE-BER-2026-00042``): found through the unique index, not by a scan.
_WHOLE_REFERENCE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{4}-\d{5,}$")


def reference_matches(text: str) -> Q:
    """Cases whose reference is ``text`` (a whole reference, any case: an index lookup) or
    contains it (a part such as ``2026-00042``: a scan of the references). Text without a digit
    matches no reference (every reference has a year), so that a search by name never scans."""
    text = text.strip().upper()
    if _WHOLE_REFERENCE.match(text):
        return Q(reference=text)
    if any(ch.isdigit() for ch in text):
        return Q(reference__icontains=text)
    return Q(pk__in=[])


def case_search(user: Any, query: str) -> QuerySet[Case]:
    """Cases ``user`` may see whose reference contains ``query``, or whose principal or any
    member has exactly this full name (through the name blind index, any order/case/accents)."""
    query = query.strip()
    cases = case_list(user)
    if not query:
        return cases.none()
    index = crypto.name_index(query)
    by_name = Q(members__person__name_index=index) if index else Q(pk__in=[])
    matching = Case.objects.filter(reference_matches(query) | by_name).values("pk")
    return cases.filter(pk__in=matching)


def case_members(case: Case) -> list[CaseMember]:
    return list(case.members.select_related("person").order_by("created_at", "id"))


def case_timeline(case: Case) -> list[CaseTransition]:
    return list(case.transitions.select_related("actor").order_by("occurred_at", "id"))


# The forward move first, then the others; withdrawal, rejection and hold last.
_SIDE_STEPS = (Status.ON_HOLD, Status.WITHDRAWN, Status.REJECTED)


def next_targets(case: Case) -> list[Status]:
    """The statuses ``case`` may move to, the most useful forward step first: a case on hold
    first offers to resume where it was; steps back come next; hold, withdrawal, rejection last."""
    order = list(Status)
    current = Status(case.status)

    def rank(target: Status) -> tuple[int, int]:
        if target in _SIDE_STEPS:
            group = 2
        elif current == Status.ON_HOLD:
            group = 0 if target == case.held_from else 1
        else:
            group = 1 if order.index(target) < order.index(current) else 0
        return group, order.index(target)

    return sorted(allowed_targets(current), key=rank)


@dataclass(frozen=True)
class Missing:
    target: Status
    unmet: list[Unmet]


def case_missing(user: Any, case: Case) -> list[Missing]:
    """For each status ``case`` may move to, what stands in the way for ``user`` now."""
    from wayhome.cases.services import transition_unmet

    return [
        Missing(target, transition_unmet(actor=user, case=case, target=target))
        for target in next_targets(case)
    ]


@dataclass(frozen=True)
class WorkQueue:
    by_status: list[tuple[Status, int]]
    assigned: list[Case]
    to_approve: list[Case]
    stuck: list[Case]

    @property
    def is_empty(self) -> bool:
        return not (self.by_status or self.to_approve or self.stuck)


#: Rows shown per part of the work queue.
QUEUE_ROWS = 20


def case_queue(user: Any) -> WorkQueue:
    """The signed-in user's work: their open cases grouped by status, the applications they may
    approve (submitted by someone else), and their offices' cases stuck in one status."""
    visible = case_list(user)
    assigned = visible.filter(assigned_to_id=user.pk, status__in=_OPEN)
    counts = dict(
        assigned.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    by_status = [(status, counts[status]) for status in Status if counts.get(status)]
    approver_offices = offices_with(user, Perm.CASE_APPROVE)
    to_approve = (
        visible.filter(office_id__in=approver_offices, status=Status.APPLICATION_SUBMITTED)
        .exclude(submitted_by_id=user.pk)
        .order_by("status_changed_at", "id")
    )
    stuck = visible.filter(
        Q(assigned_to_id=user.pk) | Q(office_id__in=approver_offices),
        status__in=_OPEN,
        status_changed_at__lt=stuck_before(),
    ).order_by("status_changed_at", "id")
    return WorkQueue(
        by_status=by_status,
        assigned=list(assigned.order_by("status", "status_changed_at", "id")[:QUEUE_ROWS]),
        to_approve=list(to_approve[:QUEUE_ROWS]),
        stuck=list(stuck[:QUEUE_ROWS]),
    )


def case_candidates(user: Any, office_id: Any, *, query: str = "") -> QuerySet[Person]:
    """People of ``office_id`` that ``user`` may see and who are on no open case: those who may
    open a case or join one. With ``query``, only those with exactly this full name."""
    people = (
        person_policy.filter(user)
        .filter(office_id=office_id)
        .exclude(case_memberships__case__status__in=_OPEN)
    )
    if query.strip():
        index = crypto.name_index(query)
        people = people.filter(name_index=index) if index else people.none()
    return people.order_by("-created_at", "-id")
