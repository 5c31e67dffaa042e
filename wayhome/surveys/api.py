"""Surveys over the REST API, under /api/v1/surveys/...: the instruments and their versions
(draft, publish), the follow-up schedules of the user's offices, the follow-ups due, a case's
interviews (record one, read one), the recomputation of an interview's scores, a case's score
trajectories, and the distributions of scores.

The same services, selectors and access rules as the pages: a case neither of the user's offices
nor taken over by one of them answers 404 whatever the operation, as does an interview of such a
case or a schedule item of another office; writing needs what the service asks (403 otherwise);
bad input answers 422 with field errors and saves nothing; a stale ``version`` answers 409.
Reading an interview (its answers) is audited; a case's list and trajectories as a view of the
case. Results carry no names and no case.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, is_office_staff, offices_with
from wayhome.api.errors import invalid_field, run_service
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.reintegration import access
from wayhome.reporting.selectors import sees_every_case
from wayhome.surveys import selectors, services
from wayhome.surveys.models import (
    Instrument,
    InstrumentVersion,
    Interview,
    ScheduleItem,
    ScoreSet,
)
from wayhome.surveys.schemas import (
    SurveyFollowUpOut,
    SurveyFollowUpQuery,
    SurveyInstrumentOut,
    SurveyInterviewIn,
    SurveyInterviewOut,
    SurveyInterviewSummaryOut,
    SurveyRecomputeIn,
    SurveyResultsOut,
    SurveyResultsQuery,
    SurveyScheduleItemIn,
    SurveyScheduleItemOut,
    SurveyScheduleItemPatch,
    SurveyTrajectoryOut,
    SurveyVersionIn,
    SurveyVersionOut,
)

router = Router(tags=["surveys"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
CONFLICT: dict[int, Any] = {409: Error}


def _staff(user: Any) -> None:
    if not is_office_staff(user):
        raise HttpError(403, _("You may not do this."))


# --- instruments ----------------------------------------------------------------------------------


def _version_out(version: InstrumentVersion) -> dict[str, Any]:
    return {
        "code": version.instrument.code,
        "number": version.number,
        "status": version.status,
        "published_at": version.published_at,
        "notes": version.notes,
        "title": version.title,
        "weights_are_defaults": bool(version.definition.get("weights_are_defaults")),
        "created_at": version.created_at,
        "definition": version.definition,
    }


@router.get(
    "/instruments",
    response={200: list[SurveyInstrumentOut], **ERRORS},
    summary="The survey instruments with their versions",
)
def list_instruments(request: HttpRequest) -> Any:
    _staff(api_user(request))
    return [
        {
            "code": instrument.code,
            "title": published.title if published else instrument.code,
            "published": published.number if published else None,
            "versions": versions,
        }
        for instrument, published, versions in selectors.instruments()
    ]


@router.get(
    "/instruments/{code}/versions/{number}",
    response={200: SurveyVersionOut, **ERRORS},
    summary="One version of an instrument, with its definition",
)
def get_version(request: HttpRequest, code: str, number: int) -> Any:
    _staff(api_user(request))
    return _version_out(selectors.version_get(code, number))


@router.post(
    "/instruments/{code}/versions",
    response={201: SurveyVersionOut, **ERRORS},
    summary="Draft a new version of an instrument (made if new) from a definition",
)
def create_version(request: HttpRequest, code: str, payload: SurveyVersionIn) -> Status:
    """Needs "manage surveys" in an office. Every problem of the definition is listed in the
    422, on ``definition``."""
    user = api_user(request)
    version: InstrumentVersion = run_service(
        lambda: services.version_create(
            actor=user, code=code, definition=payload.definition, notes=payload.notes
        )
    )
    return Status(201, _version_out(version))


@router.post(
    "/instruments/{code}/versions/{number}/publish",
    response={200: SurveyVersionOut, **ERRORS},
    summary="Publish a draft version (the one published before is superseded)",
)
def publish_version(request: HttpRequest, code: str, number: int) -> Any:
    """Used for the interviews recorded from now on. No stored score changes."""
    user = api_user(request)
    if not services.may_manage_instruments(user):
        raise HttpError(403, _("You may not do this."))
    version = selectors.version_get(code, number)
    published: InstrumentVersion = run_service(
        lambda: services.version_publish(actor=user, version=version)
    )
    return _version_out(published)


# --- schedule -------------------------------------------------------------------------------------


@router.get(
    "/schedule-items",
    response={200: list[SurveyScheduleItemOut], **ERRORS},
    summary="The follow-up schedules of the user's offices",
)
def list_schedule_items(request: HttpRequest) -> Any:
    return list(selectors.schedule_items(api_user(request)))


@router.post(
    "/schedule-items",
    response={201: SurveyScheduleItemOut, **ERRORS},
    summary="Add a follow-up to an office's schedule for a programme",
)
def create_schedule_item(request: HttpRequest, payload: SurveyScheduleItemIn) -> Status:
    """Needs "manage surveys" in the office (403 otherwise)."""
    user = api_user(request)
    office = Office.objects.filter(
        pk=payload.office_id, pk__in=selectors.schedule_offices(user)
    ).first()
    if office is None:
        raise invalid_field("office_id", "Choose one of your offices.", "unknown")
    instrument = Instrument.objects.filter(code=payload.instrument).first()
    if instrument is None:
        raise invalid_field("instrument", "There is no such survey.", "unknown")
    item: ScheduleItem = run_service(
        lambda: services.schedule_item_create(
            actor=user,
            office=office,
            programme=payload.programme,
            instrument=instrument,
            name=payload.name,
            days_after_arrival=payload.days_after_arrival,
            window_days=payload.window_days,
        )
    )
    return Status(201, item)


@router.patch(
    "/schedule-items/{schedule_item_id}",
    response={200: SurveyScheduleItemOut, **CONFLICT, **ERRORS},
    summary="Change or stop (active false) a follow-up of a schedule",
)
def update_schedule_item(
    request: HttpRequest, schedule_item_id: uuid.UUID, payload: SurveyScheduleItemPatch
) -> Any:
    user = api_user(request)
    item = selectors.schedule_item_get(user, schedule_item_id)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    for key, value in data.items():
        if value is None:
            raise invalid_field(key, "This field may not be null.", "null")
    updated: ScheduleItem = run_service(
        lambda: services.schedule_item_update(
            actor=user, item=item, version=payload.version, **data
        )
    )
    return ScheduleItem.objects.select_related("instrument").get(pk=updated.pk)


# --- follow-ups -----------------------------------------------------------------------------------


@router.get(
    "/follow-ups",
    response={200: list[SurveyFollowUpOut], **ERRORS},
    summary="Follow-up interviews due soon, due and overdue on the cases the user works",
)
def list_followups(request: HttpRequest, query: Query[SurveyFollowUpQuery]) -> Any:
    """Returnees by their label on the case, never by name."""
    user = api_user(request)
    statuses = (query.status,) if query.status else selectors.OPEN
    rows = selectors.followups(
        user,
        statuses=statuses,
        programme=query.programme or "",
        instrument=query.instrument or "",
    )
    return [
        {
            "case_id": row.case_id,
            "reference": row.reference,
            "member_id": row.member_id,
            "label": row.label,
            "schedule_item_id": row.item.pk,
            "name": row.item.name,
            "instrument": row.item.instrument.code,
            "arrived_on": row.arrived_on,
            "due_on": row.due_on,
            "closes_on": row.closes_on,
            "status": row.status,
            "attempts": row.attempts,
            "interview_id": row.interview_id,
        }
        for row in rows
    ]


# --- interviews -----------------------------------------------------------------------------------


def _score_out(score_set: ScoreSet, numbers: dict[Any, int]) -> dict[str, Any]:
    values = score_set.values or {}
    return {
        "id": score_set.pk,
        "version": numbers.get(score_set.instrument_version_id, 0),
        "current": score_set.current,
        "reason": score_set.reason,
        "note": score_set.note,
        "dimensions": values.get("dimensions") or {},
        "composite": values.get("composite"),
        "indicators": values.get("indicators") or {},
        "band": values.get("band"),
        "answered": int(values.get("answered") or 0),
        "questions": int(values.get("questions") or 0),
        "computed_at": score_set.computed_at,
        "computed_by_id": score_set.computed_by_id,
    }


def _summary(interview: Interview) -> dict[str, Any]:
    current = selectors.current_score(interview)
    return {
        "id": interview.pk,
        "case_id": interview.case_id,
        "member_id": interview.member_id,
        "schedule_item_id": interview.schedule_item_id,
        "instrument": interview.instrument_version.instrument.code,
        "version": interview.instrument_version.number,
        "mode": interview.mode,
        "conducted_on": interview.conducted_on,
        "consent": interview.consent,
        "outcome": interview.outcome,
        "composite": current.dimension("composite") if current else None,
        "office_id": interview.office_id,
    }


def _interview_out(interview: Interview) -> dict[str, Any]:
    sets = sorted(
        interview.score_sets.all(), key=lambda s: (not s.current, -s.computed_at.timestamp())
    )
    numbers = {s.instrument_version_id: s.instrument_version.number for s in sets}
    return {
        **_summary(interview),
        "interviewer_id": interview.interviewer_id,
        "recorded_by_id": interview.recorded_by_id,
        "answers": dict(interview.answers or {}),
        "notes": interview.notes,
        "score_sets": [_score_out(s, numbers) for s in sets],
    }


def _viewed(user: Any, case: Case) -> None:
    audit_record(
        actor=user,
        action="case.view",
        obj=case,
        office_id=access.acting_office(user, case, Perm.CASE_VIEW),
    )


@router.get(
    "/cases/{case_id}/interviews",
    response={200: list[SurveyInterviewSummaryOut], **ERRORS},
    summary="A case's interviews, oldest first (without the answers)",
)
def list_interviews(request: HttpRequest, case_id: uuid.UUID) -> Any:
    user = api_user(request)
    case = access.case_get(user, case_id)
    _viewed(user, case)
    return [_summary(interview) for interview in selectors.interviews_of(case)]


@router.post(
    "/cases/{case_id}/interviews",
    response={201: SurveyInterviewOut, **ERRORS},
    summary="Record an interview (or an attempt) and score it under the published version",
)
def create_interview(
    request: HttpRequest, case_id: uuid.UUID, payload: SurveyInterviewIn
) -> Status:
    """Needs "conduct surveys" in an office working the case. A refusal or an unreachable
    person stores no answers. A wrong answer is named on ``q_<question code>``."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    member = CaseMember.objects.filter(case=case, pk=payload.member_id).first()
    if member is None:
        raise invalid_field("member_id", "Choose a returnee of this case.", "unknown")
    item = None
    if payload.schedule_item_id is not None:
        item = ScheduleItem.objects.filter(pk=payload.schedule_item_id, office=case.office).first()
        if item is None:
            raise invalid_field(
                "schedule_item_id", "Choose a follow-up of this case's office.", "unknown"
            )
    instrument = None
    if payload.instrument:
        instrument = Instrument.objects.filter(code=payload.instrument).first()
        if instrument is None:
            raise invalid_field("instrument", "There is no such survey.", "unknown")
    interviewer = user
    if payload.interviewer_id is not None:
        interviewer = (
            get_user_model().objects.filter(pk=payload.interviewer_id, is_active=True).first()
        )
        if interviewer is None:
            raise invalid_field("interviewer_id", "There is no such user.", "unknown")
    interview: Interview = run_service(
        lambda: services.interview_record(
            actor=user,
            case=case,
            member=member,
            instrument=instrument,
            schedule_item=item,
            mode=payload.mode,
            conducted_on=payload.conducted_on,
            consent=payload.consent,
            outcome=payload.outcome,
            answers=payload.answers,
            notes=payload.notes,
            interviewer=interviewer,
        ),
        fields={
            "member": "member_id",
            "schedule_item": "schedule_item_id",
            "interviewer": "interviewer_id",
        },
    )
    return Status(201, _interview_out(selectors.interview_get_any(user, interview.pk)))


@router.get(
    "/interviews/{interview_id}",
    response={200: SurveyInterviewOut, **ERRORS},
    summary="An interview: its answers and every computation of its scores",
)
def get_interview(request: HttpRequest, interview_id: uuid.UUID) -> Any:
    """Audited ("surveys.interview_view")."""
    user = api_user(request)
    interview = selectors.interview_get_any(user, interview_id)
    audit_record(
        actor=user,
        action="surveys.interview_view",
        obj=interview,
        office_id=access.acting_office(user, interview.case, Perm.CASE_VIEW),
    )
    return _interview_out(interview)


@router.post(
    "/interviews/{interview_id}/recompute",
    response={200: SurveyInterviewOut, **ERRORS},
    summary="Recompute an interview's scores under a version (the earlier scores are kept)",
)
def recompute_interview(
    request: HttpRequest, interview_id: uuid.UUID, payload: SurveyRecomputeIn
) -> Any:
    """Needs "manage surveys" in an office working the case; audited ("surveys.recompute")."""
    user = api_user(request)
    interview = selectors.interview_get_any(user, interview_id)
    version = InstrumentVersion.objects.filter(
        instrument_id=interview.instrument_version.instrument_id, number=payload.version
    ).first()
    if version is None:
        raise invalid_field("version", "There is no such version of this survey.", "unknown")
    run_service(
        lambda: services.recompute(
            actor=user, interview=interview, version=version, reason=payload.reason
        )
    )
    return _interview_out(selectors.interview_get_any(user, interview.pk))


@router.get(
    "/cases/{case_id}/scores",
    response={200: list[SurveyTrajectoryOut], **ERRORS},
    summary="Each returnee's scores over time (current scores of completed interviews)",
)
def case_scores(request: HttpRequest, case_id: uuid.UUID) -> Any:
    user = api_user(request)
    case = access.case_get(user, case_id)
    _viewed(user, case)
    return [
        {
            "member_id": t.member.pk,
            "label": t.label,
            "instrument": t.instrument.code,
            "points": [
                {
                    "conducted_on": p.conducted_on,
                    "interview_id": p.interview.pk,
                    "version": p.score_set.instrument_version.number,
                    "dimensions": {k: v for k, v in p.values.items() if k != "composite"},
                    "composite": p.values.get("composite"),
                }
                for p in t.points
            ],
        }
        for t in selectors.trajectories(case)
    ]


# --- results --------------------------------------------------------------------------------------


@router.get(
    "/results",
    response={200: SurveyResultsOut, **ERRORS},
    summary="The distribution of a score by country of origin, programme or cohort",
)
def get_results(request: HttpRequest, query: Query[SurveyResultsQuery]) -> Any:
    """Over the current scores of the completed interviews of the cases of the offices where
    the user views reports: count, mean, median and five bins, in all and per group."""
    user = api_user(request)
    if not has_perm_anywhere(user, Perm.REPORT_VIEW) or not offices_with(user, Perm.REPORT_VIEW):
        raise HttpError(403, _("You may not do this."))
    if not Instrument.objects.filter(code=query.instrument).exists():
        raise Http404
    overall, groups = selectors.results(
        user,
        instrument=query.instrument,
        dimension=query.dimension,
        by=query.by,
        latest_only=query.latest,
    )
    if not sees_every_case(user, selectors.results_offices(user)):
        overall, groups = selectors.results_protected(overall, groups)

    def out(group: selectors.Group) -> dict[str, Any]:
        return {
            "key": group.key,
            "count": group.count,
            "mean": None if group.mean is None else str(group.mean),
            "median": None if group.median is None else str(group.median),
            "bins": group.bins,
        }

    return {
        "instrument": query.instrument,
        "dimension": query.dimension,
        "by": query.by,
        "overall": out(overall),
        "groups": [out(group) for group in groups],
    }
