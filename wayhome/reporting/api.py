"""Statistics over the REST API, under /api/v1/reporting/...: the dimensions, any table by one or
two of them, the pipeline's durations and the objective indicators.

The same selectors as the pages, for the offices where the user holds ``REPORT_VIEW`` (403 for
a user who holds it nowhere; an office that is not theirs is refused with 422). **Every figure
is protected** by disclosure control, whoever asks: a withheld cell is ``null`` and counted in
``suppressed``. No person, case or id is ever part of an answer.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from wayhome.api.errors import invalid_field
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.reporting import figures
from wayhome.reporting.dimensions import DIMENSIONS
from wayhome.reporting.indicators import indicators_compute
from wayhome.reporting.selectors import Filters, facts_for, report_offices
from wayhome.reporting.tables import TOTAL, sensitive_threshold, tabulate, threshold

router = Router(tags=["reporting"])
ERRORS: dict[int, Any] = {401: Error, 403: Error, 422: Error}

DimensionName = Literal[
    "month",
    "quarter",
    "year",
    "office",
    "host_country",
    "origin_country",
    "origin_region",
    "origin_area",
    "programme",
    "category",
    "sex",
    "age_group",
    "vulnerability",
    "status",
    "funding_source",
]


class DimensionOut(Schema):
    name: str
    label: str
    hxl: str = Field(description="The HXL hashtag of the dimension's column in exports.")
    sensitive_codes: list[str] = Field(
        description="Codes whose cells need the stricter threshold (trafficking, children, health)."
    )


class FilterQuery(Schema):
    office: uuid.UUID | None = Field(None, description="One of your offices; none: all of them.")
    date_from: datetime.date | None = Field(None, description="Departures from (inclusive).")
    date_to: datetime.date | None = Field(None, description="Departures to (inclusive).")
    programme: str | None = Field(None, max_length=8)
    category: str | None = Field(None, max_length=32)
    origin_country: str | None = Field(None, max_length=2)


class TableQuery(FilterQuery):
    rows: DimensionName
    cols: DimensionName | None = None
    measure: Literal["people", "cases"] = "people"


class KeyOut(Schema):
    code: str = Field(description="'' is 'not known'.")
    label: str


class RowOut(Schema):
    code: str = Field(description="'__total__' for the totals row.")
    label: str
    cells: list[int | None] = Field(
        description="One per column, then the row total; null: withheld."
    )


class TableOut(Schema):
    rows_dimension: str
    cols_dimension: str | None
    measure: str
    columns: list[KeyOut]
    rows: list[RowOut]
    suppressed: int = Field(description="How many cells are withheld (null).")
    k: int
    k_sensitive: int


class DurationOut(Schema):
    status: str
    label: str
    cases: int
    days: str | None = Field(
        description="Average days (median for 'to_departure'); null: withheld."
    )


class IndicatorOut(Schema):
    code: str
    objective: int
    label: str
    formula: str
    unit: str
    currency: str
    value: str | None
    numerator: str | None
    denominator: str | None
    suppressed: bool


def _filters(
    request: HttpRequest, query: FilterQuery, *, dated: bool = True
) -> tuple[Any, Filters]:
    user = api_user(request)
    offices = report_offices(user)
    if not offices:
        raise HttpError(403, _("You may not do this."))
    if query.office is not None and query.office not in offices:
        raise invalid_field("office", _("Choose one of your offices."), location="query")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise invalid_field("date_to", _("The period ends before it starts."), location="query")
    codes: dict[str, tuple[str, ...]] = {
        name: (value,)
        for name, value in (
            ("programme", query.programme),
            ("category", query.category),
            ("origin_country", query.origin_country),
        )
        if value
    }
    return user, Filters(
        offices=frozenset({query.office}) if query.office else frozenset(),
        date_from=query.date_from if dated else None,
        date_to=query.date_to if dated else None,
        codes=codes,
        period="departure" if dated else "registration",
    )


@router.get("/dimensions", response={200: list[DimensionOut], **ERRORS}, summary="The dimensions")
def list_dimensions(request: HttpRequest) -> Any:
    """What tables can be broken down by."""
    if not report_offices(api_user(request)):
        raise HttpError(403, _("You may not do this."))
    return [
        {
            "name": name,
            "label": str(dimension.label),
            "hxl": dimension.hxl,
            "sensitive_codes": sorted(dimension.sensitive),
        }
        for name, dimension in DIMENSIONS.items()
    ]


@router.get("/table", response={200: TableOut, **ERRORS}, summary="A table of counts")
def get_table(request: HttpRequest, query: Query[TableQuery]) -> Any:
    """People (or cases) by one or two dimensions, with totals, after disclosure control."""
    user, filters = _filters(request, query)
    if query.cols == query.rows:
        raise invalid_field("cols", _("Choose two different breakdowns."), location="query")
    table = tabulate(
        facts_for(user, filters),
        query.rows,
        query.cols,
        measure=query.measure,
        sensitive=filters.sensitive,
    ).protect()
    keys = [*table.rows, None]
    rows = []
    for key, cells in zip(keys, table.grid(), strict=True):
        if table.one_way:
            cells = cells[:1]
        rows.append(
            {
                "code": key.code if key else TOTAL,
                "label": key.label if key else _("Total"),
                "cells": cells,
            }
        )
    return {
        "rows_dimension": query.rows,
        "cols_dimension": query.cols,
        "measure": query.measure,
        "columns": [{"code": key.code, "label": key.label} for key in table.cols],
        "rows": rows,
        "suppressed": len(table.suppressed),
        "k": threshold(),
        "k_sensitive": sensitive_threshold(),
    }


@router.get(
    "/pipeline", response={200: list[DurationOut], **ERRORS}, summary="Time in the pipeline"
)
def get_pipeline(request: HttpRequest, query: Query[FilterQuery]) -> Any:
    """Average days in each status, and the median days from application to departure (over
    departures in the period)."""
    user, filters = _filters(request, query)
    undated = Filters(offices=filters.offices, codes=filters.codes, period="registration")
    durations = [
        *figures.time_in_status(facts_for(user, undated)),
        figures.median_days_to_departure(facts_for(user, filters, sync=False)),
    ]
    return [
        {
            "status": row.key,
            "label": row.label,
            "cases": row.cases,
            "days": None if row.days is None else str(row.days),
        }
        for row in durations
    ]


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS}, summary="The indicators")
def get_indicators(request: HttpRequest, query: Query[FilterQuery]) -> Any:
    """The indicators of the six objectives of the AVRR Framework (docs/indicators.md)."""
    user, filters = _filters(request, query, dated=False)
    values = indicators_compute(
        facts_for(user, filters),
        period=(query.date_from, query.date_to),
        sensitive=filters.sensitive,
    )

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return [
        {
            "code": value.code,
            "objective": value.objective,
            "label": str(value.label),
            "formula": str(value.formula),
            "unit": value.unit,
            "currency": value.currency,
            "value": text(published.value),
            "numerator": text(published.numerator),
            "denominator": text(published.denominator),
            "suppressed": value.suppressed,
        }
        for value in values
        for published in [value.published()]
    ]
