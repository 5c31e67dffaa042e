"""Safety pages: the dashboard, the register (every signed-in user reads it; holders of
``RESTRICTION_MANAGE`` record versions), the "what applied" question and a case's restriction page
(404 for a case of another office; programme managers allow case-by-case returns there).

Restriction versions are addressed as ``<uuid:restriction>``, not ``restriction_id``: the register
is global, not office data (ADR 0017).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from wayhome.cases.models import Case
from wayhome.cases.selectors import case_get
from wayhome.core.countries import country_name
from wayhome.core.forms import add_service_errors
from wayhome.safety.forms import CheckForm, DecisionForm, RestrictionForm
from wayhome.safety.models import RestrictionStatus
from wayhome.safety.policies import may_decide, may_manage
from wayhome.safety.selectors import (
    RestrictionFilters,
    decided_versions,
    decision_list,
    held_cases,
    held_counts_by_country,
    register_in_force,
    restriction_for_case,
    restriction_get,
    restriction_history,
    restriction_in_force,
    restriction_latest,
    restriction_list,
)
from wayhome.safety.services import restriction_decision_record, restriction_record

HELD_ROWS = 100


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    counts = held_counts_by_country(request.user)
    top = max((n for _c, n in counts), default=0)
    context = {
        "in_force": register_in_force(),
        "held": list(held_cases(request.user)[:HELD_ROWS]),
        "held_total": sum(n for _c, n in counts),
        "counts": [(code, country_name(code), n) for code, n in counts],
        "top": top,
        "can_manage": may_manage(request.user),
    }
    response = render(request, "safety/dashboard.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def restriction_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    filters = RestrictionFilters(
        country=request.GET.get("country", "").strip()[:2],
        status=status if status in RestrictionStatus.values else "",
        history=request.GET.get("history") == "on",
    )
    context = {
        "restrictions": list(restriction_list(filters)[:500]),
        "filters": filters,
        "statuses": RestrictionStatus.choices,
        "can_manage": may_manage(request.user),
    }
    return render(request, "safety/restriction_list.html", context)


def _record(request: HttpRequest, form: RestrictionForm, previous: Any) -> Any:
    data = form.cleaned_data
    try:
        version, result = restriction_record(
            actor=request.user,
            previous=previous,
            country=data.get("country", ""),
            region=data.get("region", ""),
            programmes=data["programmes"],
            status=data["status"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            reason=data["reason"],
            source=data["source"],
            approved_by=data["approved_by"],
            pauses_post_arrival=data["pauses_post_arrival"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(
        request,
        _("Saved. Cases put on hold: %(held)s; released: %(released)s.")
        % {"held": len(result.held), "released": len(result.released)},
    )
    return version


@login_required
@require_http_methods(["GET", "POST"])
def restriction_create(request: HttpRequest) -> HttpResponse:
    if not may_manage(request.user):
        raise PermissionDenied
    form = RestrictionForm(request.POST or None, initial={"approved_by": request.user.pk})
    if request.method == "POST" and form.is_valid():
        version = _record(request, form, None)
        if version is not None:
            return redirect("safety:restriction-detail", restriction=version.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "safety/restriction_form.html", {"form": form}, status=status)


@login_required
@require_GET
def restriction_detail(request: HttpRequest, restriction: uuid.UUID) -> HttpResponse:
    version = restriction_get(restriction)
    history = restriction_history(version)
    context = {
        "restriction": version,
        "history": history,
        "latest": history[0],
        "can_manage": may_manage(request.user),
    }
    return render(request, "safety/restriction_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def restriction_revise(request: HttpRequest, restriction: uuid.UUID) -> HttpResponse:
    """The next version of a restriction (to change or lift it), starting from the newest."""
    if not may_manage(request.user):
        raise PermissionDenied
    previous = restriction_latest(restriction_get(restriction))
    initial = {
        "programmes": previous.programmes,
        "status": previous.status,
        "valid_from": previous.valid_from,
        "valid_to": previous.valid_to,
        "reason": previous.reason,
        "source": previous.source,
        "approved_by": request.user.pk,
        "pauses_post_arrival": previous.pauses_post_arrival,
    }
    form = RestrictionForm(request.POST or None, initial=initial, with_place=False)
    if request.method == "POST" and form.is_valid():
        # The version the user saw: a newer one saved meanwhile is refused as stale.
        seen = request.POST.get("number", "")
        if seen and seen != str(previous.number):
            form.add_error(
                None, _("Someone saved a newer version of this restriction. Reload and try again.")
            )
        else:
            version = _record(request, form, previous)
            if version is not None:
                return redirect("safety:restriction-detail", restriction=version.pk)
    context = {"form": form, "previous": previous}
    status = 422 if request.method == "POST" else 200
    return render(request, "safety/restriction_form.html", context, status=status)


@login_required
@require_GET
def check(request: HttpRequest) -> HttpResponse:
    """What applied to a country (region, programme) on a date."""
    form = CheckForm(request.GET or None)
    answer = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        answer = restriction_in_force(
            data["country"], data["region"], data["programme"] or None, data["on"] or None
        )
    return render(request, "safety/check.html", {"form": form, "answer": answer})


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    answer = restriction_for_case(case)
    decided = decided_versions(case)
    return {
        "case": case,
        "answer": answer,
        "needs_decision": bool({v.pk for v in answer.case_by_case} - decided)
        and not answer.suspended,
        "decisions": list(decision_list(case)[:20]),
        "can_decide": may_decide(request.user, case),
        "form": extra.pop("form", None) or DecisionForm(),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_restriction(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id)
    if request.method == "GET":
        return render(request, "safety/case_restriction.html", _case_context(request, case))
    if not may_decide(request.user, case):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            restriction_decision_record(
                actor=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The return is allowed under the restriction."))
            return redirect("safety:case-restriction", case_id=case.pk)
    context = _case_context(request, case, form=form)
    return render(request, "safety/case_restriction.html", context, status=422)


def case_panel_context(request: HttpRequest, case: Any) -> dict[str, Any]:
    answer = restriction_for_case(case)
    return {"restriction_answer": answer}
