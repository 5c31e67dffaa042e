"""The export pages (``/exports/``): a POST from a list page (the case list's "Export" form,
carrying its filters) queues an export and leads to its page, whose progress is polled with
HTMX every second until the file is ready; the download streams the decrypted file. A user
sees their own exports only (anyone else's answers 404); an expired export's file is gone
(410)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from wayhome.audit.services import audit_record
from wayhome.core.blobs import blob_open
from wayhome.core.http import is_partial, no_store
from wayhome.core.paging import CappedPaginator
from wayhome.exports.kinds import KINDS
from wayhome.exports.models import Export
from wayhome.exports.selectors import export_get, export_list, may_export
from wayhome.exports.services import TooManyExports, export_create, export_expire
from wayhome.protection.models import Transfer
from wayhome.protection.transfers import transfer_record

PAGE_SIZE = 25
CONTENT_TYPES = {
    Export.Format.CSV: "text/csv; charset=utf-8",
    Export.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _filters_from(data: Any) -> dict[str, Any]:
    """The filters a POSTed export form carries: the fields its kind declares."""
    kind = KINDS.get(str(data.get("kind", "cases")))
    fields = kind.filter_fields if kind is not None else ()
    return {name: data.get(name) for name in fields if data.get(name)}


@login_required
@require_http_methods(["GET", "POST"])
def export_list_view(request: HttpRequest) -> HttpResponse:
    """GET: my exports. POST (kind, format, the list's filters): a new export."""
    if not may_export(request.user):
        raise Http404
    if request.method == "POST":
        return _create(request)
    page = CappedPaginator(export_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return no_store(render(request, "exports/export_list.html", {"page": page}))


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; for an htmx POST (the form on a list page), a redirect of the whole page."""
    if is_partial(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _create(request: HttpRequest) -> HttpResponse:
    try:
        export = export_create(
            actor=request.user,
            kind=request.POST.get("kind", "cases"),
            format=request.POST.get("format", ""),
            filters=_filters_from(request.POST),
        )
    except PermissionDenied:
        raise Http404 from None
    except TooManyExports:
        messages.error(request, _("You have asked for many exports this hour: try again later."))
        return _go(request, reverse("exports:export-list"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _go(request, reverse("exports:export-list"))
    return _go(request, reverse("exports:export-detail", kwargs={"export_id": export.pk}))


def _progress_context(export: Export) -> dict[str, Any]:
    if export.status == Export.Status.QUEUED:
        text = _("Waiting for a worker…")
    elif export.status == Export.Status.RUNNING:
        text = _("%(done)s of %(total)s rows written") % {
            "done": export.done,
            "total": export.total,
        }
    elif export.status == Export.Status.FAILED:
        text = export.error or _("The export failed.")
    elif export.status == Export.Status.EXPIRED:
        text = _("The export has expired: its file is deleted.")
    else:
        text = _("Ready: %(total)s rows") % {"total": export.done}
    return {
        "export": export,
        "progress_value": export.done,
        "progress_max": max(export.total, 1),
        "progress_text": text,
        "progress_label": _("Progress of the export"),
        "progress_percent": export.percent,
        "finished": export.finished,
    }


def _current(request: HttpRequest, export_id: uuid.UUID) -> Export:
    export = export_get(request.user, export_id)
    if export.status != Export.Status.EXPIRED and export.is_expired:
        export_expire(export)
    return export


@login_required
@require_GET
def export_detail(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    export = _current(request, export_id)
    return no_store(render(request, "exports/export_detail.html", _progress_context(export)))


@login_required
@require_GET
def export_progress(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    """The progress (the part the export's page polls); HTTP 286 once the export has ended,
    which stops htmx polling."""
    export = _current(request, export_id)
    if not is_partial(request):
        return redirect("exports:export-detail", export_id=export.pk)
    response = render(request, "exports/export_progress.html", _progress_context(export))
    if export.finished:
        response.status_code = 286
    return no_store(response)


def download_response(user: Any, export: Export) -> HttpResponseBase:
    """The export's file, streamed and decrypted chunk by chunk; audited. 410 once expired,
    409 while it is not ready. Shared by the page and the API."""
    from wayhome.api.errors import error_response

    if export.status == Export.Status.EXPIRED or export.is_expired:
        export_expire(export)
        return error_response(410, code="expired", message=_("The export has expired."))
    if export.status != Export.Status.DONE or not export.blob:
        return error_response(409, code="not_ready", message=_("The export is not ready."))
    with transaction.atomic():
        audit_record(
            actor=user,
            action="export.download",
            obj=export,
            details={"kind": export.kind, "format": export.format, "rows": export.done},
        )
        transfer_record(
            actor=user,
            kind=Transfer.Kind.EXPORT,
            office_id=export.office_id,
            obj=export,
            recipient_kind=Transfer.RecipientKind.STAFF_FILE,
            recipient_user=user,
            purpose=export.kind,
            fields=[path for _header, path in KINDS[export.kind].columns],
            rows=export.done,
        )
    response = StreamingHttpResponse(
        blob_open(export.blob), content_type=CONTENT_TYPES[Export.Format(export.format)]
    )
    response["Content-Length"] = str(export.size)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponseBase:
    return download_response(request.user, export_get(request.user, export_id))
