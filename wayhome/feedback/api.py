"""Feedback over the staff API, under /api/v1/feedback: the reports the user handles (the
office queue with "handle feedback"; the independent queue of misconduct reports with "handle
misconduct", the ethics officers only), one report with its internal notes, triage, notes, the
answer to the person, closing, moving between the queues, and the statistics.

The same access rule as the pages (``access.py``): a report the user does not handle answers 404
whatever the operation, and is absent from lists and statistics. Bad input answers 422 with field
errors and saves nothing; a stale ``version`` answers 409. Reading a report is audited
("feedback.view").
"""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from wayhome.accounts.models import User
from wayhome.api.errors import invalid_field, run_service
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.core.paging import CappedLimitOffset
from wayhome.feedback import access, selectors, services
from wayhome.feedback.models import Feedback, FeedbackNote
from wayhome.feedback.schemas import (
    FeedbackFiltersIn,
    FeedbackNoteIn,
    FeedbackNoteOut,
    FeedbackOut,
    FeedbackRespondIn,
    FeedbackRouteIn,
    FeedbackStatisticsOut,
    FeedbackSummaryOut,
    FeedbackTriageIn,
    FeedbackVersionIn,
)

router = Router(tags=["feedback"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
CONFLICT: dict[int, Any] = {409: Error}


def _summary(feedback: Feedback) -> dict[str, Any]:
    return {
        "id": feedback.pk,
        "reference": feedback.reference,
        "office_id": feedback.office_id,
        "kind": feedback.kind,
        "misconduct_type": feedback.misconduct_type,
        "status": feedback.status,
        "category": feedback.category,
        "priority": feedback.priority,
        "due_on": feedback.due_on,
        "overdue": feedback.overdue,
        "assigned_to_id": feedback.assigned_to_id,
        "channel": feedback.channel,
        "anonymous": feedback.anonymous,
        "submitted_at": feedback.submitted_at,
        "version": feedback.version,
    }


def _full(user: Any, feedback: Feedback) -> dict[str, Any]:
    notes = selectors.notes_for(user, feedback)
    return {
        **_summary(feedback),
        "name": feedback.name,
        "contact": feedback.contact,
        "message": feedback.message,
        "language": feedback.language,
        "response": feedback.response,
        "responded_at": feedback.responded_at,
        "responded_by_id": feedback.responded_by_id,
        "closed_at": feedback.closed_at,
        "notes": [
            {
                "id": note.pk,
                "author_id": note.author_id,
                "text": note.text,
                "created_at": note.created_at,
            }
            for note in notes
        ],
    }


def _viewed(user: Any, feedback: Feedback) -> None:
    services.audit_feedback(user, "feedback.view", feedback, api=True)


def _fresh(user: Any, feedback: Feedback) -> Any:
    """The report as saved, if the user still handles it (else 404: it moved out of sight)."""
    return _full(user, access.feedback_get(user, feedback.pk))


@router.get(
    "",
    response=list[FeedbackSummaryOut],
    summary="The reports the user handles, the first due first",
)
@paginate(CappedLimitOffset)
def list_feedback(request: HttpRequest, filters: Query[FeedbackFiltersIn]) -> QuerySet[Feedback]:
    """Feedback and complaints of the offices where the user handles feedback; reports of
    misconduct only for the ethics officers of their office. Filters as query parameters; paged
    with ``limit`` and ``offset``."""
    user = api_user(request)
    return selectors.feedback_list(
        user,
        selectors.Filters(
            status=filters.status or "",
            kind=filters.kind or "",
            category=filters.category or "",
            priority=filters.priority or "",
            office_id=filters.office_id,
            overdue=filters.overdue,
        ),
    )


@router.get(
    "/statistics",
    response={200: FeedbackStatisticsOut, **ERRORS},
    summary="Counts by kind, category, status and month; median days to answer; overdue",
)
def get_statistics(request: HttpRequest, office_id: uuid.UUID | None = None) -> Any:
    """Over the reports the user handles only (404 for a user who handles none)."""
    user = api_user(request)
    if not access.offices_handled(user):
        raise Http404
    return selectors.feedback_statistics(user, office_id=office_id)


@router.get(
    "/{feedback_id}",
    response={200: FeedbackOut, **ERRORS},
    summary="A report: the message, who sent it (unless anonymous), the answer, internal notes",
)
def get_feedback(request: HttpRequest, feedback_id: uuid.UUID) -> Any:
    user = api_user(request)
    feedback = access.feedback_get(user, feedback_id)
    _viewed(user, feedback)
    return _full(user, feedback)


@router.post(
    "/{feedback_id}/triage",
    response={200: FeedbackOut, **CONFLICT, **ERRORS},
    summary="Triage a report: category, priority, due date, who handles it",
)
def triage_feedback(request: HttpRequest, feedback_id: uuid.UUID, payload: FeedbackTriageIn) -> Any:
    user = api_user(request)
    feedback = access.feedback_get(user, feedback_id)
    assignee = None
    if payload.assigned_to_id is not None:
        assignee = selectors.handlers_of(feedback).filter(pk=payload.assigned_to_id).first()
        if assignee is None:
            raise invalid_field(
                "assigned_to_id", "Not someone who handles this report's queue.", "unknown"
            )
    run_service(
        lambda: services.feedback_triage(
            actor=user,
            feedback=feedback,
            category=payload.category,
            priority=payload.priority,
            due_on=payload.due_on,
            status=payload.status,
            assigned_to=assignee if isinstance(assignee, User) else None,
            version=payload.version,
        ),
        fields={"assigned_to": "assigned_to_id"},
    )
    return _fresh(user, feedback)


@router.post(
    "/{feedback_id}/respond",
    response={200: FeedbackOut, **CONFLICT, **ERRORS},
    summary="Answer the person (they read it with their reference and secret)",
)
def respond_feedback(
    request: HttpRequest, feedback_id: uuid.UUID, payload: FeedbackRespondIn
) -> Any:
    user = api_user(request)
    feedback = access.feedback_get(user, feedback_id)
    run_service(
        lambda: services.feedback_respond(
            actor=user, feedback=feedback, response=payload.response, version=payload.version
        )
    )
    return _fresh(user, feedback)


@router.post(
    "/{feedback_id}/notes",
    response={201: FeedbackNoteOut, **ERRORS},
    summary="Add an internal note (never shown to the person)",
)
def add_note(request: HttpRequest, feedback_id: uuid.UUID, payload: FeedbackNoteIn) -> Status:
    user = api_user(request)
    feedback = access.feedback_get(user, feedback_id)
    note: FeedbackNote = run_service(
        lambda: services.feedback_note_add(actor=user, feedback=feedback, text=payload.text)
    )
    return Status(
        201,
        {
            "id": note.pk,
            "author_id": note.author_id,
            "text": note.text,
            "created_at": note.created_at,
        },
    )


@router.post(
    "/{feedback_id}/close",
    response={200: FeedbackOut, **CONFLICT, **ERRORS},
    summary="Close a report",
)
def close_feedback(request: HttpRequest, feedback_id: uuid.UUID, payload: FeedbackVersionIn) -> Any:
    user = api_user(request)
    feedback = access.feedback_get(user, feedback_id)
    run_service(
        lambda: services.feedback_close(actor=user, feedback=feedback, version=payload.version)
    )
    return _fresh(user, feedback)


@router.post(
    "/{feedback_id}/route",
    response={200: FeedbackSummaryOut, **CONFLICT, **ERRORS},
    summary="Move a report into the independent queue (misconduct), or send it back",
)
def route_feedback(request: HttpRequest, feedback_id: uuid.UUID, payload: FeedbackRouteIn) -> Any:
    """Staff of the office move a report they handle into the independent queue (``kind``
    misconduct, with ``misconduct_type``) and no longer see it; the ethics officer sends a report
    that is not misconduct back (``kind`` feedback or complaint). Answers the report's summary as
    moved (the last thing its mover reads of it)."""
    user = api_user(request)
    feedback = access.feedback_get(user, feedback_id)
    moved: Feedback = run_service(
        lambda: services.feedback_route(
            actor=user,
            feedback=feedback,
            kind=payload.kind,
            misconduct_type=payload.misconduct_type or "",
            reason=payload.reason,
            version=payload.version,
        )
    )
    return _summary(moved)
