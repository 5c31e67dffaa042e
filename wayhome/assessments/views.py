"""The vulnerability pages: a traveller's screening, assessments and what is missing; an
assessment (details only for the permission or through break-the-glass); the data protection
officer's list of break-the-glass accesses.

Every page fetches its case through the office policy first: another office gets 404, whatever
the method. Reading needs "view case"; recording "change case" (or "medical record" for health
assessments). Pages that name people write "case.view"; every read of details is audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere
from wayhome.assessments import services
from wayhome.assessments.forms import (
    AssessmentForm,
    BreakGlassForm,
    ScreeningForm,
    StepConsentForm,
)
from wayhome.assessments.models import BREAK_GLASS_MINUTES, Flag, Kind
from wayhome.assessments.selectors import (
    assessment_details,
    assessment_get,
    break_glass_active,
    break_glass_list,
    member_get,
    member_safety_get,
    screening_history,
)
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.core.forms import add_service_errors
from wayhome.core.http import is_partial, no_store


def _member_page(
    request: HttpRequest, case: Case, member: CaseMember, *, status: int = 200, **bound: Any
) -> HttpResponse:
    audit_record(actor=request.user, action="case.view", obj=case)
    state = member_safety_get(case, member)
    context = {
        "case": case,
        "member": member,
        "state": state,
        "screenings": screening_history(member).defer("notes"),
        "can_change": services.may_record(request.user, case.office_id),
        "can_record_health": services.may_record(request.user, case.office_id, Kind.MEDICAL),
        "trafficking": Flag.VICTIM_OF_TRAFFICKING in state.flags,
        "kinds": Kind.choices,
        "screening_form": bound.get("screening_form") or _screening_initial(state),
        "consent_form": bound.get("consent_form") or StepConsentForm(),
    }
    return no_store(render(request, "assessments/member_detail.html", context, status=status))


def _screening_initial(state: Any) -> ScreeningForm:
    """A new screening starts from the one in force (a rescreening changes what changed)."""
    if state.screening is None:
        return ScreeningForm()
    initial: dict[str, Any] = {"flags": state.screening.flags}
    initial.update({f"factor_{code}": mark for code, mark in state.screening.factors.items()})
    return ScreeningForm(initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    """The traveller's vulnerability page (GET) and the recording of a screening (POST)."""
    case, member = member_get(request.user, case_id, member_id, perm=Perm.CASE_VIEW)
    if request.method == "GET":
        return _member_page(request, case, member)
    if not services.may_record(request.user, case.office_id):
        raise PermissionDenied
    form = ScreeningForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.screening_record(
                actor=request.user,
                member=member,
                screened_on=data["screened_on"],
                factors=form.factors(),
                flags=data["flags"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The screening is recorded."))
            return redirect("assessments:member-detail", case_id=case.pk, member_id=member.pk)
    return _member_page(request, case, member, status=400, screening_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID
) -> HttpResponse:
    """GET ``?kind=bid``: the form for one kind of assessment (only the form for HTMX, when the
    kind changes); POST: record it."""
    case, member = member_get(request.user, case_id, member_id, perm=Perm.CASE_VIEW)
    kind = (request.POST if request.method == "POST" else request.GET).get("kind", Kind.BID)
    if kind not in Kind.values:
        kind = Kind.BID
    if not services.may_record(request.user, case.office_id, kind):
        raise PermissionDenied
    form = AssessmentForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_record(
                actor=request.user,
                member=member,
                kind=kind,
                assessed_on=form.cleaned_data["assessed_on"],
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect("assessments:member-detail", case_id=case.pk, member_id=member.pk)
    state = member_safety_get(case, member)
    context = {
        "case": case,
        "member": member,
        "state": state,
        "form": form,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "kinds": Kind.choices,
    }
    status = 400 if form.is_bound else 200
    partial = request.method == "GET" and is_partial(request)
    template = "assessment_form" if partial else "assessment_create"
    response = render(request, f"assessments/{template}.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return no_store(response)


def _assessment_page(
    request: HttpRequest,
    case_id: uuid.UUID,
    member_id: uuid.UUID,
    assessment_id: uuid.UUID,
    *,
    form: BreakGlassForm | None = None,
) -> HttpResponse:
    assessment = assessment_get(request.user, case_id, member_id, assessment_id)
    member = assessment.member
    case = member.case
    state = member_safety_get(case, member)
    allowed = assessment_details(request.user, assessment)
    context = {
        "case": case,
        "member": member,
        "state": state,
        "assessment": assessment,
        "allowed": allowed,
        "access": break_glass_active(request.user, assessment) if allowed else None,
        "form": form or BreakGlassForm(),
        "minutes": BREAK_GLASS_MINUTES,
    }
    status = 400 if form is not None else 200
    return no_store(render(request, "assessments/assessment_detail.html", context, status=status))


@login_required
@require_GET
def assessment_detail(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, assessment_id: uuid.UUID
) -> HttpResponse:
    return _assessment_page(request, case_id, member_id, assessment_id)


@login_required
@require_POST
def break_glass(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, assessment_id: uuid.UUID
) -> HttpResponse:
    """Opens an assessment's details for a short time, with a reason (recorded and shown to the
    data protection officer)."""
    assessment = assessment_get(request.user, case_id, member_id, assessment_id)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            services.break_glass_open(
                actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.warning(
                request,
                _("Access granted for %(minutes)s minutes. It is recorded.")
                % {"minutes": BREAK_GLASS_MINUTES},
            )
            return redirect(
                "assessments:assessment-detail",
                case_id=case_id,
                member_id=member_id,
                assessment_id=assessment.pk,
            )
    return _assessment_page(request, case_id, member_id, assessment_id, form=form)


@login_required
@require_POST
def step_consent_record(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID
) -> HttpResponse:
    case, member = member_get(request.user, case_id, member_id, perm=Perm.CASE_VIEW)
    if not services.may_record(request.user, case.office_id):
        raise PermissionDenied
    form = StepConsentForm(request.POST)
    if form.is_valid():
        try:
            services.step_consent_record(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("assessments:member-detail", case_id=case.pk, member_id=member.pk)
    return _member_page(request, case, member, status=400, consent_form=form)


@login_required
@require_GET
def break_glass_list_view(request: HttpRequest) -> HttpResponse:
    """The data protection officer's list of break-the-glass accesses in their offices."""
    if not has_perm_anywhere(request.user, Perm.DATA_PROTECTION):
        raise PermissionDenied
    accesses = list(break_glass_list(request.user)[:200])
    audit_record(
        actor=request.user,
        action="assessments.break_glass_list",
        details={"count": len(accesses)},
    )
    return no_store(render(request, "assessments/breakglass_list.html", {"accesses": accesses}))
