"""Who sees which report: the one rule every page, list, count, statistic, export and API
operation of the feedback app goes through.

- A report of staff misconduct (``kind`` misconduct) is seen ONLY by holders of
  ``MISCONDUCT_HANDLE`` in the office it concerns (the ethics and conduct officer, a role that is
  never combined with another one in the same office): the independent queue.
- Any other report is seen ONLY by holders of ``FEEDBACK_HANDLE`` in its office.

So a misconduct report is absent from the office's lists, counts and statistics, and answers 404
to every role of the office concerned except the ethics officer's. Acting on a report needs the
same permission as seeing it (``handling_perm``).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, offices_with
from wayhome.feedback.models import Feedback, Kind

Queue = Literal["office", "independent"]


def handling_perm(kind: str) -> Perm:
    """The permission that sees and handles a report of this kind."""
    return Perm.MISCONDUCT_HANDLE if kind == Kind.MISCONDUCT else Perm.FEEDBACK_HANDLE


def visible_q(user: Any, queue: Queue | None = None) -> Q | None:
    """The condition on ``Feedback`` for what ``user`` may see (None: nothing)."""
    conditions: list[Q] = []
    if queue in (None, "office"):
        offices = offices_with(user, Perm.FEEDBACK_HANDLE)
        if offices:
            conditions.append(Q(office_id__in=offices) & ~Q(kind=Kind.MISCONDUCT))
    if queue in (None, "independent"):
        offices = offices_with(user, Perm.MISCONDUCT_HANDLE)
        if offices:
            conditions.append(Q(office_id__in=offices, kind=Kind.MISCONDUCT))
    if not conditions:
        return None
    result = conditions[0]
    for condition in conditions[1:]:
        result |= condition
    return result


def feedback_visible(user: Any, queue: Queue | None = None) -> QuerySet[Feedback]:
    """The reports ``user`` may see, in one queue or both."""
    condition = visible_q(user, queue)
    if condition is None:
        return Feedback.objects.none()
    return Feedback.objects.filter(condition)


def feedback_get(user: Any, feedback_id: Any) -> Feedback:
    """The report if ``user`` may see it, else ``Http404`` (as if it did not exist)."""
    try:
        return (
            feedback_visible(user)
            .select_related("office", "assigned_to", "responded_by")
            .get(pk=feedback_id)
        )
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def may_handle(user: Any, feedback: Feedback) -> bool:
    if user is None:
        return False
    return has_perm(user, handling_perm(feedback.kind), feedback.office_id)


def require(user: Any, feedback: Feedback) -> None:
    """``PermissionDenied`` unless ``user`` handles this report (services re-check on the locked
    row: a report moved to another queue meanwhile is refused)."""
    if not may_handle(user, feedback):
        raise PermissionDenied


def offices_handled(user: Any) -> set[uuid.UUID]:
    """Offices where ``user`` handles reports of either queue."""
    return offices_with(user, Perm.FEEDBACK_HANDLE) | offices_with(user, Perm.MISCONDUCT_HANDLE)


def audit_office(feedback: Feedback) -> uuid.UUID | None:
    """The office whose audit trail records events about this report: none for a report in the
    independent queue, whose existence the office's own trail must not reveal."""
    return None if feedback.kind == Kind.MISCONDUCT else feedback.office_id
