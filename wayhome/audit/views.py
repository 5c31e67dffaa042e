"""The auditor's page: the trail of their offices, filtered, paged by keyset, exportable as CSV.

Reading or exporting the trail is itself audited (``audit.view``, ``audit.export``), with the
names of the filters used, never their values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wayhome.accounts.models import Office
from wayhome.audit.forms import EventFilterForm
from wayhome.audit.selectors import EventPage, EventRow, audit_office_list, event_page, event_rows
from wayhome.audit.services import audit_record
from wayhome.core.exports import safe_cell
from wayhome.core.http import is_partial

_PAGING = ("before", "after")


def _audit_offices_or_404(request: HttpRequest) -> list[Office]:
    offices = audit_office_list(actor=request.user)
    if not offices:
        raise Http404
    return offices


def _position(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


def _query(request: HttpRequest, **extra: int) -> str:
    """The current filters as a query string, without paging, plus ``extra``."""
    query = request.GET.copy()
    for name in _PAGING:
        query.pop(name, None)
    for name, value in extra.items():
        query[name] = str(value)
    return query.urlencode()


def _record(
    request: HttpRequest, action: str, form: EventFilterForm, offices: list[Office]
) -> None:
    office_id: Any = None
    if form.is_valid() and form.cleaned_data.get("office"):
        office_id = form.cleaned_data["office"]
    elif len(offices) == 1:
        office_id = offices[0].pk
    audit_record(
        actor=request.user, action=action, office_id=office_id, details={"filters": form.used()}
    )


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    offices = _audit_offices_or_404(request)
    form = EventFilterForm(request.GET or None, offices=offices)
    page = EventPage(rows=[], older_than=None, newer_than=None)
    if not form.is_bound or form.is_valid():
        page = event_page(
            actor=request.user,
            filters=form.filters(),
            offices=offices,
            size=settings.AUDIT_PAGE_SIZE,
            before=_position(request, "before"),
            after=_position(request, "after"),
        )
    _record(request, "audit.view", form, offices)
    context = {
        "form": form,
        "page": page,
        "filter_query": _query(request),
        "older_query": _query(request, before=page.older_than) if page.older_than else "",
        "newer_query": _query(request, after=page.newer_than) if page.newer_than else "",
    }
    partial = is_partial(request)
    template = "audit/event_list_results.html" if partial else "audit/event_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[EventRow]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            _("Number"),
            _("Time (UTC)"),
            _("Actor e-mail"),
            _("Action"),
            _("Object type"),
            _("Object id"),
            _("Office"),
            _("Request id"),
        ]
    )
    for row in rows:
        event = row.event
        yield writer.writerow(
            [
                safe_cell(value)
                for value in (
                    event.seq,
                    event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    row.actor_email,
                    event.action,
                    event.object_type,
                    event.object_id,
                    row.office_name,
                    event.request_id,
                )
            ]
        )


@login_required
@require_GET
def event_export(request: HttpRequest) -> HttpResponseBase:
    offices = _audit_offices_or_404(request)
    form = EventFilterForm(request.GET or None, offices=offices)
    if form.is_bound and not form.is_valid():
        empty = EventPage(rows=[], older_than=None, newer_than=None)
        context = {"form": form, "page": empty, "filter_query": _query(request)}
        return render(request, "audit/event_list.html", context, status=400)
    _record(request, "audit.export", form, offices)
    rows = event_rows(actor=request.user, filters=form.filters(), offices=offices)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    response["Cache-Control"] = "no-store"
    return response
