"""Staff pages of the surveys (``/surveys/``): the follow-ups due, a case's interviews with each
returnee's score trajectory (an SVG chart and its table), recording an interview, an interview
with its answers, scores and their history (and its recomputation), the instruments and their
versions, the follow-up schedules of the user's offices, and the distributions of scores.

A case's pages fetch the case through ``reintegration.access`` first (the host office, or an
origin office that took the case over); anything else answers 404 whatever the method. Reading an
interview's answers is audited ("surveys.interview_view"); the case's page is audited as a view
of the case. People appear by their label on the case ("Principal applicant (1)"), never by name.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.models import Office, RoleGrant
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm
from wayhome.accounts.policies import has_perm, has_perm_anywhere, is_office_staff, offices_with
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, Programme
from wayhome.core import charts
from wayhome.core.countries import country_name
from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store
from wayhome.reintegration import access
from wayhome.reintegration.selectors import arrival_date
from wayhome.reporting.selectors import sees_every_case
from wayhome.reporting.tables import threshold
from wayhome.surveys import selectors, services
from wayhome.surveys.forms import (
    GROUP_LABELS,
    STATUS_LABELS,
    FollowUpFilterForm,
    InterviewForm,
    RecomputeForm,
    ResultsForm,
    ScheduleChangeForm,
    ScheduleItemForm,
    VersionForm,
)
from wayhome.surveys.models import (
    Instrument,
    InstrumentVersion,
    Interview,
    Outcome,
    ScheduleItem,
    VersionStatus,
)

CONDUCT = Perm.SURVEY_CONDUCT
MANAGE = Perm.SURVEY_MANAGE


def _programme_label(code: str) -> str:
    return str(Programme(code).label) if code in Programme.values else code


def _instrument_choices() -> list[tuple[str, str]]:
    return [
        (instrument.code, published.title if published else instrument.code)
        for instrument, published, _versions in selectors.instruments()
        if published is not None
    ]


# --- follow-ups -----------------------------------------------------------------------------------


@login_required
@require_GET
def followups(request: HttpRequest) -> HttpResponse:
    """The follow-up interviews due soon, due and overdue on the cases the user works."""
    if not (has_perm_anywhere(request.user, CONDUCT) or has_perm_anywhere(request.user, MANAGE)):
        raise PermissionDenied
    form = FollowUpFilterForm(request.GET or None, instruments=_instrument_choices())
    rows = selectors.followups(request.user, **form.filters())
    context = {
        "form": form,
        "rows": [(row, STATUS_LABELS.get(row.status, row.status)) for row in rows[:500]],
        "total": len(rows),
        "can_manage": has_perm_anywhere(request.user, MANAGE),
        "can_results": has_perm_anywhere(request.user, Perm.REPORT_VIEW),
    }
    return no_store(render(request, "surveys/followup_list.html", context))


# --- a case ---------------------------------------------------------------------------------------


def _trajectory_rows(trajectory: selectors.Trajectory) -> dict[str, Any]:
    dims = trajectory.dimensions
    labels = [label or _("Composite") for _code, label in dims]
    dates = [point.conducted_on for point in trajectory.points]
    series = []
    for code, label in dims:
        values = [
            Decimal(v) if (v := point.values.get(code)) is not None else None
            for point in trajectory.points
        ]
        series.append((label or _("Composite"), values, code == "composite"))
    return {
        "trajectory": trajectory,
        "labels": labels,
        "chart": charts.line_chart(dates, series),
        "rows": [
            (point, [point.values.get(code) for code, _label in dims])
            for point in trajectory.points
        ],
    }


@login_required
@require_GET
def case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    current = access.case_get(request.user, case_id)
    audit_record(
        actor=request.user,
        action="case.view",
        obj=current,
        office_id=access.acting_office(request.user, current, Perm.CASE_VIEW),
    )
    labels = selectors.labels_for([current.pk])
    interviews = list(selectors.interviews_of(current))
    context = {
        "case": current,
        "arrived_on": arrival_date(current),
        "interviews": [
            (interview, labels.get(interview.member_id, "?"), selectors.current_score(interview))
            for interview in reversed(interviews)
        ],
        "trajectories": [
            {**_trajectory_rows(t), "chart_id": f"trajectory-{n}"}
            for n, t in enumerate(selectors.trajectories(current), 1)
        ],
        "can_record": access.may(request.user, current, CONDUCT),
        "instruments": _instrument_choices(),
    }
    return no_store(render(request, "surveys/case.html", context))


def _interviewers(case: Case, office_id: Any) -> list[Any]:
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if CONDUCT in perms]
    ids = RoleGrant.objects.filter(office_id=office_id, role__in=roles).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("email"))


@login_required
@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The interview form of one survey (``?instrument=<code>``, or the follow-up's
    ``?item=<id>``): the published version's questions in the user's language."""
    current = access.case_get(request.user, case_id)
    office_id = access.require(request.user, current, CONDUCT)
    source = request.POST if request.method == "POST" else request.GET
    items = list(
        ScheduleItem.objects.filter(
            office_id=current.office_id, programme=current.programme, active=True
        ).select_related("instrument")
    )
    chosen_item = next((i for i in items if str(i.pk) == source.get("item", "")), None)
    code = chosen_item.instrument.code if chosen_item else source.get("instrument", "")
    choices = _instrument_choices()
    if not code and choices:
        code = choices[0][0]
    instrument = Instrument.objects.filter(code=code).first()
    version = services.published_version(instrument) if instrument else None
    if version is None:
        raise Http404
    members = selectors.returnees(current)
    interviewers = _interviewers(current, office_id)
    if request.user not in interviewers:
        interviewers.insert(0, request.user)
    initial = {"interviewer": str(request.user.pk)}
    if chosen_item:
        initial["schedule_item"] = str(chosen_item.pk)
    if source.get("member"):
        initial["member"] = source.get("member", "")
    form = InterviewForm(
        request.POST if request.method == "POST" else None,
        version=version,
        members=members,
        items=[i for i in items if i.instrument_id == instrument.pk],  # type: ignore[union-attr]
        interviewers=interviewers,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            interview = services.interview_record(actor=request.user, case=current, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The interview is recorded."))
            return redirect("surveys:interview", case_id=current.pk, interview_id=interview.pk)
    context = {
        "case": current,
        "version": version,
        "form": form,
        "instruments": choices,
        "item": chosen_item,
    }
    status = 400 if form.is_bound else 200
    return no_store(render(request, "surveys/interview_form.html", context, status=status))


def _answer_rows(interview: Interview) -> list[dict[str, Any]]:
    definition = interview.instrument_version.parsed
    answers = interview.answers or {}
    rows = []
    for question in definition.questions:
        option = question.option(answers.get(question.code, ""))
        rows.append(
            {
                "question": definition.text(question.text),
                "answer": definition.text(option.label) if option else "",
                "score": option.score if option else None,
                "missing": option is None or option.score is None,
            }
        )
    return rows


def _score_rows(interview: Interview) -> list[dict[str, Any]]:
    """Every score set, the current first: the version, the dimensions and the band."""
    sets = sorted(
        interview.score_sets.all(), key=lambda s: (not s.current, -s.computed_at.timestamp())
    )
    versions = {s.instrument_version_id: s.instrument_version for s in sets}
    rows = []
    for score_set in sets:
        version = versions[score_set.instrument_version_id]
        definition = version.parsed
        band = definition.band(score_set.values.get("band"))
        rows.append(
            {
                "set": score_set,
                "version": version,
                "dimensions": [
                    (version.text(d.label), score_set.dimension(d.code))
                    for d in definition.dimensions
                ],
                "composite": score_set.dimension("composite"),
                "band": definition.text(band.label) if band else "",
            }
        )
    return rows


def _interview_page(
    request: HttpRequest, interview: Interview, *, status: int = 200, form: Any = None
) -> HttpResponse:
    case = interview.case
    office_id = access.acting_office(request.user, case, Perm.CASE_VIEW)
    audit_record(
        actor=request.user,
        action="surveys.interview_view",
        obj=interview,
        office_id=office_id,
    )
    labels = selectors.labels_for([case.pk])
    can_recompute = access.may(request.user, case, MANAGE)
    versions = list(
        InstrumentVersion.objects.filter(instrument_id=interview.instrument_version.instrument_id)
        .exclude(status=VersionStatus.DRAFT)
        .order_by("-number")
    )
    context = {
        "case": case,
        "interview": interview,
        "label": labels.get(interview.member_id, "?"),
        "answers": _answer_rows(interview) if interview.outcome == Outcome.COMPLETED else [],
        "scores": _score_rows(interview),
        "can_recompute": can_recompute and interview.outcome == Outcome.COMPLETED,
        "form": form or RecomputeForm(versions=versions),
    }
    return no_store(render(request, "surveys/interview.html", context, status=status))


@login_required
@require_GET
def interview(request: HttpRequest, case_id: uuid.UUID, interview_id: uuid.UUID) -> HttpResponse:
    return _interview_page(request, selectors.interview_get(request.user, case_id, interview_id))


@login_required
@require_POST
def interview_recompute(
    request: HttpRequest, case_id: uuid.UUID, interview_id: uuid.UUID
) -> HttpResponse:
    current = selectors.interview_get(request.user, case_id, interview_id)
    access.require(request.user, current.case, MANAGE)
    versions = InstrumentVersion.objects.filter(
        instrument_id=current.instrument_version.instrument_id
    ).exclude(status=VersionStatus.DRAFT)
    form = RecomputeForm(request.POST, versions=versions.order_by("-number"))
    if form.is_valid():
        try:
            services.recompute(
                actor=request.user,
                interview=current,
                version=form.chosen(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The scores are recomputed; the earlier ones are kept."))
            return redirect("surveys:interview", case_id=current.case_id, interview_id=current.pk)
    return _interview_page(request, current, status=400, form=form)


# --- instruments ----------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> None:
    if not is_office_staff(request.user):
        raise PermissionDenied


@login_required
@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    context = {
        "instruments": selectors.instruments(),
        "can_manage": services.may_manage_instruments(request.user),
    }
    return render(request, "surveys/instrument_list.html", context)


def _version_context(version: InstrumentVersion) -> dict[str, Any]:
    definition = version.parsed
    text = definition.text
    dimensions = []
    for dimension in definition.dimensions:
        indicators = []
        for indicator in definition.indicators:
            if indicator.dimension != dimension.code:
                continue
            questions = [
                {
                    "code": q.code,
                    "text": text(q.text),
                    "help": text(q.help) if q.help else "",
                    "options": [
                        (text(o.label), None if o.score is None else _decimal(o.score))
                        for o in q.options
                    ],
                }
                for q in definition.questions
                if q.indicator == indicator.code
            ]
            indicators.append(
                {
                    "code": indicator.code,
                    "label": text(indicator.label),
                    "weight": _decimal(indicator.weight),
                    "questions": questions,
                }
            )
        dimensions.append(
            {
                "code": dimension.code,
                "label": text(dimension.label),
                "weight": _decimal(dimension.weight),
                "indicators": indicators,
            }
        )
    return {
        "version": version,
        "title": text(version.definition.get("title")),
        "description": text(version.definition.get("description")),
        "weights_are_defaults": bool(version.definition.get("weights_are_defaults")),
        "weights_note": text(version.definition.get("weights_note")),
        "dimensions": dimensions,
        "min_share": _decimal(definition.min_share),
        "rounding": definition.rounding,
        "bands": [
            (text(band.label), _decimal(band.low), _decimal(band.high)) for band in definition.bands
        ],
    }


def _decimal(value: Any) -> str:
    """A fraction as a short decimal ("0.5", "0.333333")."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = f"{exact.quantize(Decimal('0.000001')).normalize():f}"
    return text


@login_required
@require_GET
def version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    _staff(request)
    current = selectors.version_get(code, number)
    context = {
        **_version_context(current),
        "versions": list(
            InstrumentVersion.objects.filter(instrument=current.instrument).order_by("-number")
        ),
        "can_manage": services.may_manage_instruments(request.user),
    }
    return render(request, "surveys/version.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, code: str) -> HttpResponse:
    """A new draft: the JSON of the current version to edit; every problem listed."""
    if not services.may_manage_instruments(request.user):
        raise PermissionDenied
    instrument = Instrument.objects.filter(code=code).first()
    if instrument is None:
        raise Http404
    latest = services.published_version(instrument) or (
        instrument.versions.order_by("-number").first()
    )
    initial = {
        "definition": json.dumps(latest.definition, ensure_ascii=False, indent=2) if latest else ""
    }
    form = VersionForm(request.POST or None, initial=initial)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = services.version_create(
                actor=request.user,
                code=code,
                definition=form.cleaned_data["definition"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            problems = [str(m) for m in exc.messages]
        else:
            messages.success(request, _("The draft is saved. Review it, then publish it."))
            return redirect("surveys:version", code=code, number=created.number)
    status = 400 if form.is_bound else 200
    context = {"instrument": instrument, "form": form, "problems": problems, "latest": latest}
    return render(request, "surveys/version_form.html", context, status=status)


@login_required
@require_POST
def version_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    if not services.may_manage_instruments(request.user):
        raise PermissionDenied
    current = selectors.version_get(code, number)
    try:
        services.version_publish(actor=request.user, version=current)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Version %(number)s is published. Scores already stored do not change.")
            % {"number": number},
        )
    return redirect("surveys:version", code=code, number=number)


# --- schedules ------------------------------------------------------------------------------------


def _manage_offices(user: Any) -> list[Office]:
    return list(Office.objects.filter(pk__in=offices_with(user, MANAGE)).order_by("name"))


def _instrument_options() -> list[tuple[Instrument, str]]:
    return [
        (instrument, published.title)
        for instrument, published, _versions in selectors.instruments()
        if published is not None
    ]


@login_required
@require_http_methods(["GET", "POST"])
def schedule_list(request: HttpRequest) -> HttpResponse:
    if not selectors.schedule_offices(request.user):
        raise PermissionDenied
    offices = _manage_offices(request.user)
    if request.method == "POST" and not offices:
        raise PermissionDenied
    form = ScheduleItemForm(
        request.POST if request.method == "POST" else None,
        offices=offices,
        instruments=_instrument_options(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_item_create(actor=request.user, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The follow-up is added to the schedule."))
            return redirect("surveys:schedule-list")
    manage = offices_with(request.user, MANAGE)
    context = {
        "items": [
            (item, _programme_label(item.programme), item.office_id in manage)
            for item in selectors.schedule_items(request.user)
        ],
        "form": form if offices else None,
    }
    status = 400 if form.is_bound else 200
    return render(request, "surveys/schedule_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_item(request: HttpRequest, schedule_item_id: uuid.UUID) -> HttpResponse:
    current = selectors.schedule_item_get(request.user, schedule_item_id)
    can_manage = has_perm(request.user, MANAGE, current.office_id)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = ScheduleChangeForm(
        request.POST if request.method == "POST" else None,
        initial={
            "name": current.name,
            "days_after_arrival": current.days_after_arrival,
            "window_days": current.window_days,
            "active": current.active,
        },
    )
    if request.method == "POST" and form.is_valid():
        version = request.POST.get("version", "")
        try:
            services.schedule_item_update(
                actor=request.user,
                item=current,
                version=int(version) if version.isdigit() else None,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The follow-up is saved."))
            return redirect("surveys:schedule-list")
    context = {
        "item": current,
        "programme": _programme_label(current.programme),
        "form": form if can_manage else None,
    }
    status = 400 if form.is_bound else 200
    return render(request, "surveys/schedule_item.html", context, status=status)


@login_required
@require_POST
def schedule_deactivate(request: HttpRequest, schedule_item_id: uuid.UUID) -> HttpResponse:
    current = selectors.schedule_item_get(request.user, schedule_item_id)
    if not has_perm(request.user, MANAGE, current.office_id):
        raise PermissionDenied
    services.schedule_item_deactivate(actor=request.user, item=current)
    messages.success(request, _("The follow-up is stopped: no more interviews are due for it."))
    return redirect("surveys:schedule-list")


# --- results --------------------------------------------------------------------------------------

BIN_LABELS = ["[0, 0.2)", "[0.2, 0.4)", "[0.4, 0.6)", "[0.6, 0.8)", "[0.8, 1]"]


def _group_label(by: str, key: str) -> str:
    if not key:
        return _("Not recorded")
    if by == "country":
        return f"{country_name(key)} ({key})"
    if by == "programme":
        return _programme_label(key)
    return key


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """The distribution of a score, in all and by country of origin, programme or cohort: count,
    mean, median and a histogram (five bins), over the current scores only. No names, no case."""
    if not has_perm_anywhere(request.user, Perm.REPORT_VIEW):
        raise PermissionDenied
    instruments = _instrument_choices()
    code = request.GET.get("instrument") or (instruments[0][0] if instruments else "")
    instrument = Instrument.objects.filter(code=code).first()
    published = services.published_version(instrument) if instrument else None
    dimensions = (
        [(d.code, published.text(d.label)) for d in published.parsed.dimensions]
        if published
        else []
    )
    form = ResultsForm(
        request.GET or None,
        instruments=instruments,
        dimensions=dimensions,
        initial={"instrument": code, "dimension": "composite", "by": "country"},
    )
    valid = form.is_valid() if form.is_bound else False
    data = form.cleaned_data if valid else {}
    dimension = data.get("dimension") or "composite"
    by = data.get("by") or "country"
    overall, groups = (
        selectors.results(
            request.user,
            instrument=code,
            dimension=dimension,
            by=by,
            latest_only=bool(data.get("latest")),
        )
        if code
        else (None, [])
    )
    if overall is not None and not sees_every_case(
        request.user, selectors.results_offices(request.user)
    ):
        overall, groups = selectors.results_protected(overall, groups)
    histogram = (
        charts.bar_chart(
            (label, count or 0) for label, count in zip(BIN_LABELS, overall.bins, strict=True)
        )
        if overall
        else None
    )
    context = {
        "form": form,
        "by_label": GROUP_LABELS.get(by, by),
        "dimension_label": dict([*dimensions, ("composite", _("Composite"))]).get(
            dimension, dimension
        ),
        "overall": overall,
        "overall_chart": histogram,
        "k": threshold(),
        "bin_labels": BIN_LABELS,
        "groups": [(group, _group_label(by, group.key)) for group in groups],
    }
    return render(request, "surveys/results.html", context)
