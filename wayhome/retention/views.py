"""The data protection officer's retention pages: rules, legal holds, runs and their reports.
Reading them is audited; anyone without ``Perm.DATA_PROTECTION`` gets 404."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.audit.services import audit_record
from wayhome.core.forms import add_service_errors, is_stale
from wayhome.core.http import no_store
from wayhome.core.paging import CappedPaginator
from wayhome.retention import selectors
from wayhome.retention.forms import (
    DryRunForm,
    HoldLiftForm,
    HoldPlaceForm,
    RuleCreateForm,
    RuleEditForm,
)
from wayhome.retention.models import RetentionRun
from wayhome.retention.services import hold_lift, hold_place, rule_create, rule_update
from wayhome.retention.tasks import retention_office

PAGE_SIZE = 25


def _officer_offices(request: HttpRequest) -> QuerySet[Office]:
    if not selectors.may_retain(request.user):
        raise Http404
    return Office.objects.filter(pk__in=offices_with(request.user, Perm.DATA_PROTECTION)).order_by(
        "name"
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_list(request: HttpRequest) -> HttpResponse:
    offices = _officer_offices(request)
    status = 200
    form = RuleCreateForm(request.POST or None, offices=offices)
    if request.method == "POST":
        if form.is_valid():
            try:
                rule_create(
                    actor=request.user,
                    office=form.cleaned_data["office"],
                    programme=form.cleaned_data["programme"],
                    record_type=form.cleaned_data["record_type"],
                    amount=form.cleaned_data["amount"],
                    unit=form.cleaned_data["unit"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The rule is saved."))
                return redirect("retention:rule-list")
        else:
            status = 400
    rules = list(selectors.rule_list(request.user))
    audit_record(actor=request.user, action="retention.rule_list", details={"shown": len(rules)})
    context = {"rules": rules, "form": form}
    return no_store(render(request, "retention/rule_list.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def rule_detail(request: HttpRequest, retention_rule_id: uuid.UUID) -> HttpResponse:
    rule = selectors.rule_get(request.user, retention_rule_id)
    status = 200
    initial = {"amount": rule.amount, "unit": rule.unit, "active": rule.active}
    form = RuleEditForm(request.POST or None, initial={**initial, "version": rule.version})
    if request.method == "POST":
        if form.is_valid():
            try:
                rule_update(actor=request.user, rule=rule, **form.cleaned_data)
            except ValidationError as exc:
                if is_stale(exc):
                    messages.error(request, " ".join(exc.messages))
                    status = 409
                else:
                    add_service_errors(form, exc)
                    status = 400
            else:
                messages.success(request, _("The rule is saved."))
                return redirect("retention:rule-list")
        else:
            status = 400
    context = {"rule": rule, "form": form}
    return no_store(render(request, "retention/rule_detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def hold_list(request: HttpRequest) -> HttpResponse:
    _officer_offices(request)
    status = 200
    form = HoldPlaceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            case = selectors.holdable_case(request.user, form.cleaned_data["reference"])
            if case is None:
                form.add_error("reference", _("No case of your offices has this reference."))
                status = 400
            else:
                try:
                    hold = hold_place(
                        actor=request.user, case=case, reason=form.cleaned_data["reason"]
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                    status = 400
                else:
                    messages.success(request, _("The legal hold is placed."))
                    return redirect("retention:hold-detail", legal_hold_id=hold.pk)
        else:
            status = 400
    page = CappedPaginator(selectors.hold_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_record(
        actor=request.user,
        action="retention.hold_list",
        details={"page": page.number, "shown": len(page.object_list)},
    )
    context = {"page": page, "form": form}
    return no_store(render(request, "retention/hold_list.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def hold_detail(request: HttpRequest, legal_hold_id: uuid.UUID) -> HttpResponse:
    hold = selectors.hold_get(request.user, legal_hold_id)
    status = 200
    if request.method == "POST":
        form = HoldLiftForm(request.POST)
        if form.is_valid():
            try:
                hold_lift(actor=request.user, hold=hold, version=form.cleaned_data["version"])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 409
            else:
                messages.success(request, _("The legal hold is lifted."))
                return redirect("retention:hold-detail", legal_hold_id=hold.pk)
        else:
            status = 400
    audit_record(
        actor=request.user,
        action="retention.hold_view",
        obj=hold,
        details={"case": str(hold.case_id)},
    )
    context = {"hold": hold, "form": HoldLiftForm(initial={"version": hold.version})}
    return no_store(render(request, "retention/hold_detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    offices = _officer_offices(request)
    status = 200
    form = DryRunForm(request.POST or None, offices=offices)
    if request.method == "POST":
        if form.is_valid():
            retention_office.enqueue(
                office_id=str(form.cleaned_data["office"].pk),
                actor_id=str(request.user.pk),
                dry_run=True,
            )
            messages.success(
                request,
                _("The dry run is under way: its report appears here when it is done."),
            )
            return redirect("retention:run-list")
        status = 400
    page = CappedPaginator(selectors.run_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_record(
        actor=request.user,
        action="retention.run_list",
        details={"page": page.number, "shown": len(page.object_list)},
    )
    context = {"page": page, "form": form}
    return no_store(render(request, "retention/run_list.html", context, status=status))


@login_required
@require_GET
def run_detail(request: HttpRequest, retention_run_id: uuid.UUID) -> HttpResponse:
    run: RetentionRun = selectors.run_get(request.user, retention_run_id)
    page = CappedPaginator(selectors.run_items(run), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action="retention.run_view",
        obj=run,
        details={"page": page.number, "shown": len(page.object_list)},
    )
    rules = {
        str(rule.pk): rule for rule in selectors.rule_list(request.user).filter(office=run.office)
    }
    counts = [(rules.get(rule_id), tally) for rule_id, tally in sorted(run.counts.items())]
    context = {"run": run, "page": page, "counts": counts}
    return no_store(render(request, "retention/run_detail.html", context))
