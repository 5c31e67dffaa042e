"""Figures that are not counts of returns: time in the pipeline, reintegration assistance and
budgets, sustainability scores and feedback. Each is computed over the cases of a set of facts
(a subquery, never a list of ids) and carries what disclosure control needs: counts are
``Table``s like the returns; an average or an amount is published only when it rests on at
least k cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DecimalField,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from wayhome.cases.workflow import Status
from wayhome.feedback.models import Feedback, FeedbackStatus, Kind
from wayhome.reintegration.models import (
    BudgetLine,
    Category,
    Delivery,
    DeliveryMode,
    Level,
    Plan,
    PlanStatus,
)
from wayhome.reintegration.models import Dimension as AssistanceDimension
from wayhome.reporting.dimensions import Dimension
from wayhome.reporting.models import TIMED_STATUSES, ReturnFact, days_field
from wayhome.reporting.tables import COUNT, Key, Table, threshold
from wayhome.surveys.models import ScoreSet


def _labels(choices: Any) -> Callable[[str], str]:
    def label(code: str) -> str:
        return str(choices(code).label) if code in choices.values else code

    return label


def _table(
    title: str, dimension: Dimension, counts: dict[str, int], codes: list[str], measure: str
) -> Table:
    found = [code for code in codes if code in counts] + sorted(set(counts) - set(codes))
    keys = [code for code in codes if code] if codes else found
    keys += [code for code in found if code not in keys]
    return Table(
        title=title,
        row_dimension=dimension,
        col_dimension=None,
        rows=tuple(Key(code, dimension.label_for(code)) for code in keys),
        cols=(Key(COUNT, str(_("Cases") if measure == "cases" else measure)),),
        counts={(code, COUNT): count for code, count in counts.items()},
        measure=measure,
    )


def _cases(facts: QuerySet[ReturnFact]) -> Any:
    return facts.filter(principal=True).values("case_id")


def _round(value: Any, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


# --- the pipeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    key: str
    label: str
    cases: int
    days: Decimal | None  # the average (or the median); None when it rests on too few cases

    @property
    def suppressed(self) -> bool:
        return self.days is None and self.cases > 0


def time_in_status(facts: QuerySet[ReturnFact]) -> list[Duration]:
    """The average number of days cases spent in each status they have left (one query)."""
    cases = facts.filter(principal=True).order_by()
    aggregates: dict[str, Any] = {}
    for status in TIMED_STATUSES:
        column = days_field(status)
        aggregates[f"n_{status}"] = Count(column)
        aggregates[f"a_{status}"] = Avg(column)
    values = cases.aggregate(**aggregates)
    k = threshold()
    rows = []
    for status in TIMED_STATUSES:
        count = int(values[f"n_{status}"] or 0)
        average = _round(values[f"a_{status}"]) if count >= k else None
        rows.append(Duration(status, str(Status(status).label), count, average))
    return rows


class _Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the middle value, or the mean of the two middle
    values, computed in the database."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def median_days_to_departure(facts: QuerySet[ReturnFact]) -> Duration:
    """The median number of days from application to departure: one query on PostgreSQL
    (``percentile_cont``), two on SQLite (the middle row or rows of the ordered column)."""
    column = facts.filter(principal=True).exclude(days_to_departure=None).order_by()
    label = str(_("Application to departure"))
    if connection.vendor == "postgresql":
        found = column.aggregate(n=Count("pk"), median=_Median("days_to_departure"))
        count = found["n"]
        if count < threshold():
            return Duration("to_departure", label, count, None)
        return Duration("to_departure", label, count, _round(found["median"]))
    count = column.count()
    if count < threshold():
        return Duration("to_departure", label, count, None)
    ordered = column.order_by("days_to_departure").values_list("days_to_departure", flat=True)
    middle = [int(day or 0) for day in ordered[(count - 1) // 2 : count // 2 + 1]]
    return Duration("to_departure", label, count, _round(sum(middle) / len(middle)))


# --- reintegration ------------------------------------------------------------------------------

PLAN_STATUS = Dimension("plan_status", _("Plan status"), None, label_of=_labels(PlanStatus))
ASSISTANCE: dict[str, tuple[str, Any, Any]] = {
    "dimension": ("dimension", _("Dimension"), AssistanceDimension),
    "level": ("level", _("Level"), Level),
    "category": ("category", _("Type of assistance"), Category),
    "delivery_mode": ("delivery_mode", _("Delivery mode"), DeliveryMode),
}


def plans_by_status(facts: QuerySet[ReturnFact]) -> Table:
    counts = dict(
        Plan.objects.filter(case__in=_cases(facts))
        .order_by()
        .values("status")
        .annotate(n=Count("case", distinct=True))
        .values_list("status", "n")
    )
    return _table(
        str(_("Cases by status of their reintegration plan")),
        PLAN_STATUS,
        counts,
        list(PlanStatus.values),
        "cases",
    )


def assistance_by(facts: QuerySet[ReturnFact], by: str) -> Table:
    """Cases with assistance planned, by dimension, level, type or delivery mode of the line."""
    field, label, choices = ASSISTANCE[by]
    dimension = Dimension(f"assistance_{by}", label, None, label_of=_labels(choices))
    counts = dict(
        BudgetLine.objects.filter(plan__case__in=_cases(facts), withdrawn=False)
        .order_by()
        .values(field)
        .annotate(n=Count("plan__case", distinct=True))
        .values_list(field, "n")
    )
    return _table(
        str(_("Cases with assistance planned, by %(by)s") % {"by": str(label).lower()}),
        dimension,
        counts,
        list(choices.values),
        "cases",
    )


@dataclass(frozen=True)
class BudgetRow:
    currency: str
    funding_source: str
    cases: int
    planned: Decimal | None  # None when fewer than k cases
    approved: Decimal | None
    disbursed: Decimal | None

    @property
    def suppressed(self) -> bool:
        return self.planned is None


def budget(facts: QuerySet[ReturnFact]) -> list[BudgetRow]:
    """Planned, approved and disbursed amounts by currency and funding source (never added
    across currencies); an amount over fewer than k cases is not published."""
    delivered = (
        Delivery.objects.filter(line=OuterRef("pk"))
        .order_by()
        .values("line")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        BudgetLine.objects.filter(plan__case__in=_cases(facts), withdrawn=False)
        .order_by()
        .annotate(
            delivered=Coalesce(
                Subquery(delivered, output_field=money), Value(0), output_field=money
            )
        )
        .values("currency", "plan__case__funding_source")
        .annotate(
            cases=Count("plan__case", distinct=True),
            planned=Sum("amount"),
            approved=Sum("approved_amount"),
            disbursed=Sum("delivered"),
        )
        .order_by("currency", "plan__case__funding_source")
    )
    k = threshold()
    result = []
    for row in rows:
        enough = row["cases"] >= k
        result.append(
            BudgetRow(
                currency=row["currency"],
                funding_source=row["plan__case__funding_source"] or "",
                cases=row["cases"],
                planned=row["planned"] if enough else None,
                approved=(row["approved"] or Decimal(0)) if enough else None,
                disbursed=(row["disbursed"] or Decimal(0)) if enough else None,
            )
        )
    return result


# --- sustainability -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    key: str
    label: str
    returnees: int
    mean: Decimal | None  # None when fewer than k returnees


def scores_by_follow_up(facts: QuerySet[ReturnFact]) -> tuple[list[ScoreRow], ScoreRow]:
    """The mean composite score at each follow-up (current scores of completed interviews), and
    the mean change from each returnee's first scored interview to their latest."""
    sets = (
        ScoreSet.objects.filter(
            current=True, interview__case__in=_cases(facts), composite__isnull=False
        )
        .order_by()
        .values_list(
            "interview__member_id",
            "interview__schedule_item__name",
            "interview__conducted_on",
            "composite",
        )
    )
    by_item: dict[str, list[Decimal]] = defaultdict(list)
    by_member: dict[Any, list[tuple[Any, Decimal]]] = defaultdict(list)
    for member, item, day, composite in sets:
        if composite is None:  # pragma: no cover - filtered out above
            continue
        by_item[item or ""].append(composite)
        by_member[member].append((day, composite))
    k = threshold()
    rows = [
        ScoreRow(
            item,
            item or str(_("Not scheduled")),
            len(values),
            _round(sum(values) / len(values), "0.01") if len(values) >= k else None,
        )
        for item, values in sorted(by_item.items())
    ]
    changes = [
        sorted(scored)[-1][1] - sorted(scored)[0][1]
        for scored in by_member.values()
        if len(scored) > 1
    ]
    change = ScoreRow(
        "change",
        str(_("Change from the first to the latest interview")),
        len(changes),
        _round(sum(changes) / len(changes), "0.01") if len(changes) >= k else None,
    )
    return rows, change


# --- feedback -----------------------------------------------------------------------------------

FEEDBACK_KIND = Dimension("feedback_kind", _("Kind"), None, label_of=_labels(Kind))
FEEDBACK_STATUS = Dimension("feedback_status", _("Status"), None, label_of=_labels(FeedbackStatus))


def feedback_table(offices: set[Any]) -> Table:
    """Feedback and complaints by kind and status. Reports of misconduct are not counted here:
    they belong to the independent queue, whose figures only its officers see."""
    counts: dict[tuple[str, str], int] = {}
    for kind, status, count in (
        Feedback.objects.filter(office__in=offices)
        .exclude(kind=Kind.MISCONDUCT)
        .order_by()
        .values("kind", "status")
        .annotate(n=Count("id"))
        .values_list("kind", "status", "n")
    ):
        counts[(kind, status)] = count
    kinds = [Kind.FEEDBACK.value, Kind.COMPLAINT.value]
    return Table(
        title=str(_("Feedback and complaints by status")),
        row_dimension=FEEDBACK_KIND,
        col_dimension=FEEDBACK_STATUS,
        rows=tuple(Key(code, FEEDBACK_KIND.label_for(code)) for code in kinds),
        cols=tuple(Key(code, FEEDBACK_STATUS.label_for(code)) for code in FeedbackStatus.values),
        counts=counts,
        measure="feedback",
    )
