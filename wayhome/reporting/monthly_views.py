"""The monthly reports on screen: the list of the reports of the offices where the user views
reports, and the download of one (audited). The reports themselves are produced by the task
queue (``reporting.tasks.send_monthly_reports``)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere
from wayhome.audit.services import audit_record
from wayhome.core.http import no_store
from wayhome.core.paging import CappedPaginator
from wayhome.reporting.monthly import monthly_report_get, monthly_report_list

PAGE_SIZE = 50


@login_required
@require_GET
def monthly_list(request: HttpRequest) -> HttpResponse:
    """The reports of the offices where the user holds REPORT_VIEW, newest first."""
    if not has_perm_anywhere(request.user, Perm.REPORT_VIEW):
        raise PermissionDenied
    page = CappedPaginator(monthly_report_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reporting/monthly_list.html", {"page": page})


@login_required
@require_GET
def monthly_download(request: HttpRequest, monthly_report_id: uuid.UUID) -> HttpResponse:
    """The PDF, as an attachment (404 for a report of an office where the user views none)."""
    report = monthly_report_get(request.user, monthly_report_id)
    audit_record(
        actor=request.user,
        action="reporting.monthly_report_download",
        obj=report,
        details={"month": f"{report.month:%Y-%m}"},
    )
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="wayhome-{report.office.code}-{report.month:%Y-%m}.pdf"'
    )
    return no_store(response)


urlpatterns = [
    path("monthly/", monthly_list, name="monthly-list"),
    path("monthly/<uuid:monthly_report_id>/pdf/", monthly_download, name="monthly-download"),
]
