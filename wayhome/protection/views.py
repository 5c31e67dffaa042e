"""The data protection officer's pages: access alerts of their offices, each closed with an
outcome, and the transfer register. Reading them is audited; anyone without
``Perm.DATA_PROTECTION`` gets 404."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.audit.services import audit_record
from wayhome.core.forms import add_service_errors, submit
from wayhome.core.http import no_store
from wayhome.core.paging import CappedPaginator
from wayhome.people.selectors import person_get
from wayhome.protection.forms import (
    AlertCloseForm,
    AlertFilterForm,
    RequestCloseForm,
    RequestCreateForm,
    RequestFilterForm,
    TransferFilterForm,
)
from wayhome.protection.models import AccessAlert, DataRequest
from wayhome.protection.pdf import bundle_pdf
from wayhome.protection.selectors import (
    alert_get,
    alert_list,
    may_protect,
    request_get,
    request_list,
    transfer_list,
)
from wayhome.protection.services import (
    alert_close,
    request_close,
    request_create,
    request_produce,
)
from wayhome.protection.subject_access import bundle_json

PAGE_SIZE = 25


@login_required
@require_GET
def alert_list_view(request: HttpRequest) -> HttpResponse:
    if not may_protect(request.user):
        raise Http404
    form = AlertFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = CappedPaginator(alert_list(request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_record(
        actor=request.user,
        action="protection.alert_list",
        details={"page": page.number, "shown": len(page.object_list), "status": status},
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "filter_query": query.urlencode()}
    return no_store(render(request, "protection/alert_list.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, access_alert_id: uuid.UUID) -> HttpResponse:
    alert = alert_get(request.user, access_alert_id)
    status = 200
    form = AlertCloseForm(initial={"version": alert.version})
    if request.method == "POST":
        form = AlertCloseForm(request.POST)
        status = submit(
            request, form, lambda data: alert_close(actor=request.user, alert=alert, **data)
        )
        if not status:
            messages.success(request, _("The alert is closed."))
            return redirect("protection:alert-detail", access_alert_id=alert.pk)
        if status == 409:
            alert = alert_get(request.user, access_alert_id)
            form = AlertCloseForm(initial={"version": alert.version})
    audit_record(
        actor=request.user,
        action="protection.alert_view",
        obj=alert,
        office_id=alert.offices.values_list("pk", flat=True).first(),
    )
    context = {
        "alert": alert,
        "offices": list(alert.offices.order_by("name")),
        "form": form if alert.status == AccessAlert.Status.OPEN else None,
    }
    return no_store(render(request, "protection/alert_detail.html", context, status=status))


@login_required
@require_GET
def transfer_list_view(request: HttpRequest) -> HttpResponse:
    """The transfer register of the officer's offices, filtered, paged; exportable."""
    if not may_protect(request.user):
        raise Http404
    offices = Office.objects.filter(
        pk__in=offices_with(request.user, Perm.DATA_PROTECTION)
    ).order_by("name")
    form = TransferFilterForm(request.GET or None, offices=offices)
    page = CappedPaginator(transfer_list(request.user, form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_record(
        actor=request.user,
        action="protection.transfer_list",
        details={
            "page": page.number,
            "shown": len(page.object_list),
            "filters": sorted(name for name, value in (form.data or {}).items() if value),
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "filter_query": query.urlencode()}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return no_store(render(request, "protection/transfer_list.html", context, status=status))


@login_required
@require_GET
def request_list_view(request: HttpRequest) -> HttpResponse:
    """Requests of people about their data, in the officer's offices: open first, earliest due
    first, overdue ones marked."""
    if not may_protect(request.user):
        raise Http404
    form = RequestFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = CappedPaginator(
        request_list(
            request.user,
            kind=filters.get("kind", ""),
            status=filters.get("status", ""),
            overdue=bool(filters.get("overdue")),
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action="protection.request_list",
        details={"page": page.number, "shown": len(page.object_list)},
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "filter_query": query.urlencode()}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return no_store(render(request, "protection/request_list.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def request_create_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Records a request from the person (only for their office's data protection officer)."""
    person = person_get(request.user, person_id, perm=Perm.DATA_PROTECTION)
    status = 200
    if request.method == "POST":
        form = RequestCreateForm(request.POST)
        if form.is_valid():
            try:
                created = request_create(actor=request.user, person=person, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The request is recorded."))
                return redirect("protection:request-detail", data_request_id=created.pk)
        else:
            status = 400
    else:
        form = RequestCreateForm()
    audit_record(actor=request.user, action="person.view", obj=person)
    context = {"person": person, "form": form}
    return no_store(render(request, "protection/request_form.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, data_request_id: uuid.UUID) -> HttpResponse:
    data_request = request_get(request.user, data_request_id)
    status = 200
    form = RequestCloseForm(request=data_request, initial={"version": data_request.version})
    if request.method == "POST":
        form = RequestCloseForm(request.POST, request=data_request)
        status = submit(
            request,
            form,
            lambda data: request_close(actor=request.user, request=data_request, **data),
        )
        if not status:
            messages.success(request, _("The request is closed."))
            return redirect("protection:request-detail", data_request_id=data_request.pk)
        if status == 409:
            data_request = request_get(request.user, data_request_id)
            form = RequestCloseForm(request=data_request, initial={"version": data_request.version})
    audit_record(actor=request.user, action="protection.request_view", obj=data_request)
    context = {
        "data_request": data_request,
        "form": form if data_request.status == DataRequest.Status.OPEN else None,
    }
    return no_store(render(request, "protection/request_detail.html", context, status=status))


def _bundle_response(request: HttpRequest, data_request_id: uuid.UUID, fmt: str) -> HttpResponse:
    data_request = request_get(request.user, data_request_id)
    if data_request.kind != DataRequest.Kind.ACCESS:
        raise Http404
    data, _updated = request_produce(actor=request.user, request=data_request, fmt=fmt)
    if fmt == "pdf":
        response = HttpResponse(bundle_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(
            json.dumps(bundle_json(data), ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    name = f"subject-access-{data_request.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return no_store(response)


@login_required
@require_GET
def request_bundle_pdf(request: HttpRequest, data_request_id: uuid.UUID) -> HttpResponse:
    """The person's data as a PDF in their language (produced now, counted, audited)."""
    return _bundle_response(request, data_request_id, "pdf")


@login_required
@require_GET
def request_bundle_json(request: HttpRequest, data_request_id: uuid.UUID) -> HttpResponse:
    """The person's data as JSON (produced now, counted, audited)."""
    return _bundle_response(request, data_request_id, "json")
