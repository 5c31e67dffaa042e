"""The statistics pages: the dashboard of returns and the pipeline, outcomes (reintegration,
scores, feedback), the objective indicators, and the table builder with its exports.

Every figure shown comes from a ``Table`` (or a figure carrying its case count) after disclosure
control, unless the reader asked for exact figures and may see every case counted. Exports are
always protected and audited. Figures are for the offices where the reader holds
``REPORT_VIEW``; no person is named anywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wayhome.audit.services import audit_record
from wayhome.core import charts
from wayhome.reporting import exports, figures
from wayhome.reporting.facts import generation
from wayhome.reporting.forms import FilterForm, TableForm
from wayhome.reporting.indicators import indicators_by_objective, indicators_compute
from wayhome.reporting.selectors import (
    Filters,
    facts_for,
    report_office_list,
    report_offices,
    scope,
    sees_every_case,
)
from wayhome.reporting.tables import (
    TOTAL,
    Key,
    Table,
    sensitive_threshold,
    tabulate,
    tabulate_many,
    threshold,
)

#: Where a row of a table leads to the cases it counts (the case list's own filters; the case
#: list shows only the cases the reader may open).
DRILL = {"status": "status", "category": "category", "origin_country": "destination_country"}

#: How long a page's figures are kept (they are also recomputed whenever the facts change).
CACHE_SECONDS = 600

#: The dashboard's breakdowns: (rows, columns, measure).
DASHBOARD = [
    ("month", None, "people"),
    ("origin_country", None, "people"),
    ("sex", "age_group", "people"),
    ("programme", None, "people"),
    ("category", None, "people"),
    ("vulnerability", None, "people"),
    ("office", None, "people"),
]


@dataclass(frozen=True)
class TableView:
    """A table as the page draws it: rows of (key, cells, drill-down link), the chart of a
    one-way table, and the query of its export."""

    table: Table
    rows: list[tuple[Key, list[int | None], str]]
    cols: list[Key]
    chart: charts.BarChart | None
    export_query: str
    anchor: str

    @property
    def suppressed(self) -> bool:
        return bool(self.table.suppressed)


def _allowed(request: HttpRequest) -> None:
    if not report_offices(request.user):
        raise PermissionDenied


def _filter_query(request: HttpRequest) -> dict[str, str]:
    keep = (
        "office",
        "date_from",
        "date_to",
        "programme",
        "category",
        "origin_country",
        "population",
    )
    return {name: request.GET[name] for name in keep if request.GET.get(name)}


def table_view(
    table: Table, *, exact: bool, query: dict[str, str], anchor: str, drill: bool
) -> TableView:
    shown = table if exact else table.protect()
    grid = shown.grid(exact=exact)
    keys = [*shown.rows, Key(TOTAL, _("Total"))]
    link = DRILL.get(shown.row_dimension.name) if drill and exact else None
    rows = []
    for key, cells in zip(keys, grid, strict=True):
        url = ""
        if link and key.code not in (TOTAL, ""):
            url = reverse("cases:case-list") + "?" + urlencode({link: key.code})
        rows.append((key, cells, url))
    chart = None
    if shown.one_way and shown.rows:
        chart = charts.bar_chart(
            (key.label, cells[0] or 0) for key, cells, _url in rows if key.code != TOTAL
        )
    export = {
        **query,
        "rows": shown.row_dimension.name,
        "measure": shown.measure,
    }
    if shown.col_dimension is not None:
        export["cols"] = shown.col_dimension.name
    return TableView(
        table=shown,
        rows=rows,
        cols=list(shown.cols),
        chart=chart,
        export_query=urlencode(export),
        anchor=anchor,
    )


def _exact(request: HttpRequest, form: FilterForm, filters: Filters) -> bool:
    return form.wants_exact and sees_every_case(request.user, scope(request.user, filters))


def _forms(request: HttpRequest, form_class: type[FilterForm]) -> tuple[Any, Filters]:
    offices = report_office_list(request.user)
    allowed = sees_every_case(request.user, {office.pk for office in offices})
    form = form_class(request.GET or None, offices=offices, exact_allowed=allowed)
    return form, form.filters()


def _common(form: FilterForm, exact: bool) -> dict[str, Any]:
    return {
        "form": form,
        "exact": exact,
        "k": threshold(),
        "k_sensitive": sensitive_threshold(),
    }


def _cache_key(name: str, request: HttpRequest, filters: Filters, exact: bool) -> str:
    """The cache key of a page's figures: they change only when the facts do (the generation),
    and depend on the offices counted, the filters, exactness and the language."""
    parts = [
        name,
        generation(),
        sorted(str(office) for office in scope(request.user, filters)),
        repr(filters),
        exact,
        get_language(),
    ]
    return "reporting:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _dashboard(
    request: HttpRequest, facts: Any, filters: Filters, exact: bool, query: dict[str, str]
) -> dict[str, Any]:
    tables = [
        table_view(
            table,
            exact=exact,
            query=query,
            anchor=f"t-{rows}{'-' + cols if cols else ''}",
            drill=True,
        )
        for (rows, cols, _measure), table in zip(
            DASHBOARD, tabulate_many(facts, DASHBOARD, sensitive=filters.sensitive), strict=True
        )
    ]
    # The pipeline: the caseload now, whatever the period of departure.
    caseload = Filters(offices=filters.offices, codes=filters.codes, period="registration")
    cases = facts_for(request.user, caseload, sync=False)
    pipeline = table_view(
        tabulate(cases, "status", measure="cases", sensitive=filters.sensitive),
        exact=exact,
        query={key: value for key, value in query.items() if not key.startswith("date_")},
        anchor="t-status",
        drill=True,
    )
    returns = tables[1].table
    return {
        "tables": tables,
        "pipeline": pipeline,
        "people": returns.published(TOTAL, TOTAL) if not exact else returns.total,
        "durations": figures.time_in_status(cases),
        "to_departure": figures.median_days_to_departure(facts),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Returns by period, origin, sex and age, programme, category, vulnerability and office;
    the pipeline: cases by status and the time they take."""
    _allowed(request)
    form, filters = _forms(request, FilterForm)
    exact = _exact(request, form, filters)
    query = _filter_query(request)
    facts = facts_for(request.user, filters)  # recomputes stale cases first
    key = _cache_key("dashboard", request, filters, exact)
    body = cache.get(key)
    context: dict[str, Any] = {**_common(form, exact), "figures_from_cache": body is not None}
    if body is None:
        computed = _dashboard(request, facts, filters, exact, query)
        body = render_to_string(
            "reporting/includes/dashboard_body.html", {**_common(form, exact), **computed}
        )
        cache.set(key, body, CACHE_SECONDS)
        context.update(computed)
    context["body"] = mark_safe(body)  # noqa: S308 (our own template, rendered above or cached)
    return render(request, "reporting/dashboard.html", context)


@login_required
@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    """Reintegration plans and assistance, budgets by currency and funding source, survey
    scores, feedback and complaints."""
    _allowed(request)
    form, filters = _forms(request, FilterForm)
    exact = _exact(request, form, filters)
    query = _filter_query(request)
    facts = facts_for(request.user, filters)
    tables = [
        table_view(
            figures.plans_by_status(facts), exact=exact, query={}, anchor="t-plans", drill=False
        ),
        *(
            table_view(
                figures.assistance_by(facts, by),
                exact=exact,
                query={},
                anchor=f"t-{by}",
                drill=False,
            )
            for by in figures.ASSISTANCE
        ),
    ]
    scores, change = figures.scores_by_follow_up(facts)
    feedback = table_view(
        figures.feedback_table(scope(request.user, filters)),
        exact=exact,
        query={},
        anchor="t-feedback",
        drill=False,
    )
    context = {
        **_common(form, exact),
        "tables": tables,
        "budget": figures.budget(facts),
        "scores": scores,
        "change": change,
        "feedback": feedback,
        "query": urlencode(query),
    }
    return render(request, "reporting/outcomes.html", context)


@login_required
@require_GET
def table(request: HttpRequest) -> HttpResponse:
    """Any breakdown by one or two dimensions, with its CSV and XLSX exports."""
    _allowed(request)
    form, filters = _forms(request, TableForm)
    view = None
    if form.is_bound and form.is_valid():
        exact = _exact(request, form, filters)
        data = form.cleaned_data
        view = table_view(
            tabulate(
                facts_for(request.user, filters),
                data["rows"],
                data["cols"] or None,
                measure=data["measure"],
                sensitive=filters.sensitive,
            ),
            exact=exact,
            query=_filter_query(request),
            anchor="t-built",
            drill=True,
        )
    else:
        exact = False
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request, "reporting/table.html", {**_common(form, exact), "view": view}, status=status
    )


@login_required
@require_GET
def table_export(request: HttpRequest) -> HttpResponse:
    """A table as CSV or XLSX with its HXL hashtag row, always after disclosure control;
    audited (what was exported, never a person)."""
    _allowed(request)
    form, filters = _forms(request, TableForm)
    if not form.is_valid():
        return render(
            request, "reporting/table.html", {**_common(form, False), "view": None}, status=400
        )
    data = form.cleaned_data
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        return render(
            request, "reporting/table.html", {**_common(form, False), "view": None}, status=400
        )
    built = tabulate(
        facts_for(request.user, filters),
        data["rows"],
        data["cols"] or None,
        measure=data["measure"],
        sensitive=filters.sensitive,
    ).protect()
    audit_record(
        actor=request.user,
        action="reporting.export",
        object_type="statistics",
        details={
            "format": kind,
            "rows": data["rows"],
            "cols": data["cols"] or "",
            "measure": data["measure"],
            "offices": len(scope(request.user, filters)),
            "suppressed": len(built.suppressed),
        },
    )
    stamp = timezone.localdate().isoformat()
    name = f"wayhome-{data['rows']}{'-' + data['cols'] if data['cols'] else ''}-{stamp}"
    if kind == "xlsx":
        response = HttpResponse(
            exports.table_xlsx(built),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.table_csv(built), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    """The indicators of the six objectives of the AVRR Framework (docs/indicators.md)."""
    _allowed(request)
    form, filters = _forms(request, FilterForm)
    exact = _exact(request, form, filters)
    undated = Filters(offices=filters.offices, codes=filters.codes, period="registration")
    values = indicators_compute(
        facts_for(request.user, undated),
        period=(filters.date_from, filters.date_to),
        sensitive=filters.sensitive,
    )
    shown = values if exact else [value.published() for value in values]
    context = {**_common(form, exact), "objectives": indicators_by_objective(shown)}
    return render(request, "reporting/indicators.html", context)
