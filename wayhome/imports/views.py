"""The import pages (``/imports/``): sources and their column mapping, the upload, the runs and
a run's page with its progress (polled with HTMX every second until the run ends), its counts
and its per-row report (paginated, and as a CSV download).

Everything is scoped to the offices where the user may import (``Perm.IMPORT_RUN``): a source or
run of another office answers 404. Reports hold row numbers, external ids, field names and
problems, never a value of the file.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.audit.services import audit_record
from wayhome.core.forms import add_service_errors
from wayhome.core.http import is_partial, no_store
from wayhome.core.paging import CappedPaginator
from wayhome.imports import mapping as fields
from wayhome.imports.forms import RunForm, SourceForm
from wayhome.imports.models import ImportRun, ImportSource
from wayhome.imports.reader import FileRefused, read_table
from wayhome.imports.selectors import (
    import_offices,
    import_run_get,
    import_run_list,
    import_source_get,
    import_source_list,
)
from wayhome.imports.services import (
    import_run_apply,
    import_run_create,
    import_source_create,
    import_source_update,
)

PAGE_SIZE = 25
REPORT_PAGE_SIZE = 50
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _offices_or_404(request: HttpRequest) -> Any:
    offices = import_offices(request.user)
    if not offices.exists():
        raise Http404
    return offices


# Sources --------------------------------------------------------------------------------------


@login_required
@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    _offices_or_404(request)
    sources = list(import_source_list(request.user)[:500])
    rows = [
        (source, [fields.FIELDS.get(t, t) for t in source.mapping.values()]) for source in sources
    ]
    return no_store(render(request, "imports/source_list.html", {"rows": rows}))


def _headers_from(request: HttpRequest) -> tuple[list[str], str]:
    """The headers of the posted sample file, or those posted with the form; and a message
    when the sample cannot be read."""
    upload = request.FILES.get("sample")
    if upload is not None:
        try:
            return read_table(upload.read()).headers, ""
        except FileRefused as exc:
            return [], str(exc.message)
    return [h for h in request.POST.getlist("header") if h][:500], ""


def _source_page(
    request: HttpRequest, *, source: ImportSource | None, offices: Any
) -> HttpResponse:
    status = 200
    saved_headers = list(source.mapping) if source else []
    if request.method != "POST":
        form = SourceForm(
            offices=None if source else offices,
            headers=saved_headers,
            initial_mapping=source.mapping if source else None,
            initial={"name": source.name, "version": source.version} if source else {},
        )
        return _render_source(request, form, source, status)
    headers, problem = _headers_from(request)
    reading = request.POST.get("action") == "read" or "sample" in request.FILES
    form = SourceForm(
        request.POST if not reading else None,
        offices=None if source else offices,
        headers=headers,
        initial_mapping=None if reading else (source.mapping if source else None),
        initial={
            "name": request.POST.get("name", ""),
            "office": request.POST.get("office"),
            "version": request.POST.get("version"),
        },
    )
    if problem:
        return _render_source(request, form, source, 400, problem=problem)
    if reading:
        return _render_source(request, form, source, 200)
    if form.is_valid():
        try:
            if source is None:
                saved = import_source_create(
                    actor=request.user,
                    office=form.cleaned_data["office"],
                    name=form.cleaned_data["name"],
                    mapping=form.mapping(),
                )
            else:
                saved = import_source_update(
                    actor=request.user,
                    source=source,
                    name=form.cleaned_data["name"],
                    mapping=form.mapping(),
                    version=form.cleaned_data.get("version"),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The source and its column mapping are saved."))
            return redirect("imports:source-update", import_source_id=saved.pk)
    return _render_source(request, form, source, 400)


def _render_source(
    request: HttpRequest,
    form: SourceForm,
    source: ImportSource | None,
    status: int,
    problem: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "source": source,
        "columns": list(zip(form.headers, form.column_fields(), strict=True)),
        "problem": problem,
        "required": [fields.FIELDS[f] for f in fields.REQUIRED_FIELDS],
    }
    return no_store(render(request, "imports/source_form.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def source_create(request: HttpRequest) -> HttpResponse:
    offices = _offices_or_404(request)
    return _source_page(request, source=None, offices=offices)


@login_required
@require_http_methods(["GET", "POST"])
def source_update(request: HttpRequest, import_source_id: uuid.UUID) -> HttpResponse:
    source = import_source_get(request.user, import_source_id)
    return _source_page(request, source=source, offices=None)


# Runs -----------------------------------------------------------------------------------------


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    _offices_or_404(request)
    paginator = CappedPaginator(import_run_list(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"page": page, "has_sources": import_source_list(request.user).exists()}
    return no_store(render(request, "imports/run_list.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def run_create(request: HttpRequest) -> HttpResponse:
    _offices_or_404(request)
    sources = import_source_list(request.user)
    initial = {"source": request.GET.get("source")} if request.GET.get("source") else {}
    form = RunForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        sources=sources,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = import_run_create(
                    actor=request.user,
                    source=form.cleaned_data["source"],
                    content=upload.read(),
                    file_name=upload.name or "",
                    dry_run=form.cleaned_data["dry_run"],
                )
            except FileRefused as exc:
                form.add_error("file", str(exc.message))
                status = 422
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("imports:run-detail", import_run_id=run.pk)
    context = {"form": form, "has_sources": sources.exists()}
    return no_store(render(request, "imports/run_create.html", context, status=status))


def _progress_context(run: ImportRun) -> dict[str, Any]:
    if run.status == ImportRun.Status.QUEUED:
        text = _("Waiting for a worker…")
    elif run.status == ImportRun.Status.RUNNING:
        text = _("%(done)s of %(total)s rows checked") % {
            "done": run.rows_done,
            "total": run.rows_total,
        }
    elif run.status == ImportRun.Status.FAILED:
        text = run.message or _("The import failed.")
    else:
        text = _("Finished: %(done)s of %(total)s rows checked") % {
            "done": run.rows_done,
            "total": run.rows_total,
        }
    return {
        "run": run,
        "progress_value": run.rows_done,
        "progress_max": max(run.rows_total, 1),
        "progress_text": text,
        "progress_label": _("Progress of the import"),
        "progress_percent": run.percent,
        "finished": run.finished,
    }


@login_required
@require_GET
def run_detail(request: HttpRequest, import_run_id: uuid.UUID) -> HttpResponse:
    run = import_run_get(request.user, import_run_id, with_report=True)
    paginator = CappedPaginator(run.report if run.finished else [], REPORT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        **_progress_context(run),
        "page": page,
        "can_apply": run.dry_run and run.status == ImportRun.Status.DONE,
    }
    return no_store(render(request, "imports/run_detail.html", context))


@login_required
@require_GET
def run_progress(request: HttpRequest, import_run_id: uuid.UUID) -> HttpResponse:
    """The progress and counts (the part the run's page polls). HTTP 286 once the run has
    ended: htmx stops polling on it."""
    run = import_run_get(request.user, import_run_id)
    if not is_partial(request):
        return redirect("imports:run-detail", import_run_id=run.pk)
    response = render(request, "imports/run_progress.html", _progress_context(run))
    if run.finished:
        response.status_code = 286
    return no_store(response)


def _cell(value: Any) -> str:
    """A report cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@login_required
@require_GET
def run_report(request: HttpRequest, import_run_id: uuid.UUID) -> HttpResponse:
    """The per-row report as CSV: row, external id, field, problem."""
    run = import_run_get(request.user, import_run_id, with_report=True)
    return report_response(request.user, run)


def report_response(user: Any, run: ImportRun) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("row"), _("external id"), _("field"), _("problem")])
    for line in run.report:
        writer.writerow([_cell(value) for value in line])
    audit_record(
        actor=user, action="import.report_download", obj=run, details={"lines": len(run.report)}
    )
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-report-{run.pk}.csv"'
    return no_store(response)


@login_required
@require_POST
def run_apply(request: HttpRequest, import_run_id: uuid.UUID) -> HttpResponse:
    """Imports the file of a finished dry run for real."""
    run = import_run_get(request.user, import_run_id)
    try:
        created = import_run_apply(actor=request.user, run=run)
    except (ValidationError, FileRefused) as exc:
        message = exc.message if isinstance(exc, FileRefused) else " ".join(exc.messages)
        messages.error(request, str(message))
        return redirect("imports:run-detail", import_run_id=run.pk)
    messages.success(request, _("The import has started."))
    return redirect("imports:run-detail", import_run_id=created.pk)
