"""Indicators for the six objectives of the AVRR Framework, computed from the records of the cases
counted by a set of facts (``docs/indicators.md`` defines each one, its formula and its limits).

``indicators_compute(facts, period=(start, end))`` gives one ``IndicatorValue`` per indicator (per
currency for the budget shares): the exact figures, for internal use, and whether disclosure
control withholds them. ``IndicatorValue.published()`` is what may leave the system: ``None`` for
the value, numerator and denominator of a withheld figure.

Who is counted:

- a *returnee* is a travelling person on a case with a departure date
  (``ReturnFact.travelling`` and ``departure_date``), departed within ``period``;
- a *returned case* is counted once, by its principal applicant's fact;
- the withdrawal share counts the cases *registered* within ``period``; feedback counts the
  reports *received* within ``period`` by the offices of the facts.

So pass facts that are not already narrowed by a date (``Filters`` without dates): the period is
applied here, to each indicator's own date.

Queries: a fixed number (eleven at most), whatever the number of cases. Every figure is one
aggregate over the facts, whose records are reached by correlated subqueries on the facts'
``member_id`` and ``case_id`` (or ``facts.values("case_id")``), never by lists of ids.

Disclosure control: a share's numerator and denominator are the one-way table
``[[numerator], [denominator - numerator]]`` given to ``disclosure.suppress`` with the threshold of
``tables.threshold()`` (``tables.sensitive_threshold()`` for indicators about victims of
trafficking, children or health, or when the caller says the facts count such a group); a median,
a mean or a count is the table ``[[n]]`` of the people or cases behind it. A figure with any
withheld cell is withheld whole. Budget shares are controlled on the number of cases behind them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wayhome.assessments.models import Assessment, Recommendation
from wayhome.assessments.models import Kind as AssessmentKind
from wayhome.cases.models import MigrantCategory, Programme
from wayhome.cases.workflow import Status
from wayhome.consent.models import (
    DECIDING_KINDS,
    InformationSession,
    RepresentativeDecision,
    VoluntarinessDeclaration,
)
from wayhome.feedback.models import Feedback
from wayhome.feedback.models import Kind as FeedbackKind
from wayhome.movements.models import BookingStatus, Reception
from wayhome.movements.models import Escort as TravelEscort
from wayhome.reintegration.models import (
    BudgetLine,
    Counselling,
    CounsellingStage,
    Delivery,
    Level,
    PartnerKind,
    PlanApproval,
    Referral,
    ReferralStatus,
)
from wayhome.reporting import disclosure, tables
from wayhome.reporting.models import ReturnFact
from wayhome.surveys.models import InstrumentVersion, Outcome, ScoreSet, VersionStatus

Period = tuple[datetime.date | None, datetime.date | None]
Number = int | Decimal

SHARE = "share"
DAYS = "days"
SCORE = "score"
COUNT = "count"

#: The instrument whose composite scores measure reintegration (``wayhome/surveys/instruments``).
RSS_CODE = "rss"
#: Used when no published RSS version gives bands: the lower bound of the shipped "high" band.
DEFAULT_HIGH_BAND = Decimal("0.66")

#: Main vulnerabilities that make a returnee "vulnerable" (``dimensions.VULNERABILITY``).
VULNERABLE = ("trafficking", "unaccompanied_child", "health", "other")
THOUSANDTH = Decimal("0.001")

OBJECTIVES: dict[int, Promise] = {
    1: _("Migrants make an informed decision and own the return process."),
    2: _("Migrants reach their countries safely and in dignity."),
    3: _("Returnees overcome individual challenges to their reintegration."),
    4: _("Communities can provide an enabling environment for reintegration."),
    5: _("Adequate policies and public services address the needs of returnees and communities."),
    6: _("Migrants' vulnerabilities are addressed throughout return and reintegration."),
}


@dataclass(frozen=True)
class Indicator:
    """The definition of an indicator (its figures are an ``IndicatorValue``)."""

    code: str
    objective: int
    label: Promise
    formula: Promise
    unit: str
    #: About victims of trafficking, children or health: the stricter disclosure threshold.
    sensitive: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "O1.1",
        1,
        _("Returnees informed before departure"),
        _(
            "Returnees who attended an information session held on or before their departure "
            "date / returnees"
        ),
        SHARE,
    ),
    Indicator(
        "O1.2",
        1,
        _("Returnees whose voluntary decision was recorded before departure"),
        _(
            "Returnees whose voluntariness declaration in force at departure counts (both "
            "conditions attested, signed form, detention review), or whose guardian or legal "
            "representative agreed, on or before the departure date / returnees"
        ),
        SHARE,
    ),
    Indicator(
        "O1.3",
        1,
        _("AVRR returnees counselled on reintegration before departure"),
        _(
            "AVRR returnees with a reintegration counselling session before departure, held on "
            "or before their departure date / AVRR returnees"
        ),
        SHARE,
    ),
    Indicator(
        "O1.4",
        1,
        _("Registered cases withdrawn"),
        _("Cases registered in the period now withdrawn / cases registered in the period"),
        SHARE,
    ),
    Indicator(
        "O2.1",
        2,
        _("Returns whose arrival was confirmed"),
        _("Returned cases with a confirmed arrival / returned cases"),
        SHARE,
    ),
    Indicator(
        "O2.2",
        2,
        _("Vulnerable returnees escorted or received"),
        _(
            "Vulnerable returnees who travelled on a confirmed or flown booking with an escort, "
            "or for whom a reception was arranged / vulnerable returnees"
        ),
        SHARE,
        sensitive=True,
    ),
    Indicator(
        "O2.3",
        2,
        _("Returnees with health needs checked fit to travel"),
        _(
            "Returnees with health needs found fit to travel by a check made on or before the "
            "departure date and valid on it / returnees with health needs"
        ),
        SHARE,
        sensitive=True,
    ),
    Indicator(
        "O2.4",
        2,
        _("Median days from application to departure"),
        _("Median, over returned cases, of the days from the application to the departure"),
        DAYS,
    ),
    Indicator(
        "O3.1",
        3,
        _("AVRR returnees with a plan approved within the due time"),
        _(
            "AVRR returnees arrived at least the due time ago (30 days by default) whose "
            "reintegration plan (their own or the household's) was first approved within that "
            "time of arrival / those returnees"
        ),
        SHARE,
    ),
    Indicator(
        "O3.2",
        3,
        _("AVRR returnees who received assistance"),
        _(
            "Arrived AVRR returnees with assistance delivered against their plan (their own or "
            "the household's) / arrived AVRR returnees"
        ),
        SHARE,
    ),
    Indicator(
        "O3.3",
        3,
        _("Mean change in the RSS composite score"),
        _(
            "Mean, over returnees with at least two scored RSS interviews, of the composite of "
            "the latest minus the composite of the first (baseline)"
        ),
        SCORE,
    ),
    Indicator(
        "O3.4",
        3,
        _("Returnees in the highest RSS band at follow-up"),
        _(
            "Returnees whose latest RSS composite is in the highest band (0.66 or more by "
            "default) / returnees with at least two scored RSS interviews"
        ),
        SHARE,
    ),
    Indicator(
        "O4.1",
        4,
        _("Share of the approved reintegration budget at community level"),
        _(
            "Approved amounts of community-level budget lines / approved amounts of all budget "
            "lines, of the returned cases, per currency"
        ),
        SHARE,
    ),
    Indicator(
        "O4.2",
        4,
        _("Returned cases with community-level assistance"),
        _("Returned cases with an approved community-level budget line"),
        COUNT,
    ),
    Indicator(
        "O4.3",
        4,
        _("Referrals to partners completed"),
        _("Referrals of the returned cases completed / referrals not revoked"),
        SHARE,
    ),
    Indicator(
        "O5.1",
        5,
        _("Share of the approved reintegration budget at structural level"),
        _(
            "Approved amounts of structural-level budget lines / approved amounts of all budget "
            "lines, of the returned cases, per currency"
        ),
        SHARE,
    ),
    Indicator(
        "O5.2",
        5,
        _("AVRR returnees referred to public services"),
        _(
            "Arrived AVRR returnees named on a referral, not revoked, to a government partner / "
            "arrived AVRR returnees"
        ),
        SHARE,
    ),
    Indicator(
        "O5.3",
        5,
        _("Feedback and complaints answered on time"),
        _(
            "Feedback and complaints received in the period answered on or before their due "
            "date / those answered or past their due date"
        ),
        SHARE,
    ),
    Indicator(
        "O6.1",
        6,
        _("Victims of trafficking assessed before departure"),
        _(
            "Returnees identified as victims of trafficking with a trafficking assessment made "
            "on or before the departure date / returnees identified as victims of trafficking"
        ),
        SHARE,
        sensitive=True,
    ),
    Indicator(
        "O6.2",
        6,
        _("Unaccompanied or separated children with a best-interests determination"),
        _(
            "Unaccompanied or separated child returnees with a best-interests determination "
            "recommending return, made on or before the departure date / those returnees"
        ),
        SHARE,
        sensitive=True,
    ),
    Indicator(
        "O6.3",
        6,
        _("Returnees with health needs medically assessed before departure"),
        _(
            "Returnees with health needs with a medical assessment made on or before the "
            "departure date / returnees with health needs"
        ),
        SHARE,
        sensitive=True,
    ),
    Indicator(
        "O6.4",
        6,
        _("Vulnerable AVRR returnees with an approved reintegration plan"),
        _(
            "Vulnerable AVRR returnees arrived at least the due time ago with an approved plan "
            "(their own or the household's) / those returnees"
        ),
        SHARE,
        sensitive=True,
    ),
)
INDICATOR: dict[str, Indicator] = {indicator.code: indicator for indicator in INDICATORS}


@dataclass(frozen=True)
class IndicatorValue:
    """The figures of one indicator (of one currency for the budget shares).

    ``value`` is a share (a fraction rounded half up to 3 places), a median in days, a mean score
    or a count; ``numerator`` and ``denominator`` are counts (amounts for the budget shares;
    ``numerator`` is ``None`` for a median or a mean). They are exact: read ``published()`` for
    whatever leaves the system."""

    code: str
    objective: int
    label: Promise
    formula: Promise
    unit: str
    value: Decimal | None
    numerator: Number | None
    denominator: Number | None
    suppressed: bool = False
    sensitive: bool = False
    currency: str = ""
    #: The counts disclosure control was applied to (people, cases or referrals).
    counts: tuple[int, ...] = field(default=(), repr=False)

    def published(self) -> IndicatorValue:
        """The figures as they may be shown: value, numerator and denominator hidden (``None``)
        when disclosure control withholds them."""
        if not self.suppressed:
            return self
        return replace(self, value=None, numerator=None, denominator=None, counts=())


# --- helpers ------------------------------------------------------------------------------------


def share(numerator: Number, denominator: Number) -> Decimal | None:
    """``numerator / denominator`` rounded half up to 3 places (``None`` when nothing counts)."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(THOUSANDTH, ROUND_HALF_UP)


def median(values: Sequence[int]) -> Decimal | None:
    """The median of sorted ``values`` (the mean of the two middle ones for an even count)."""
    n = len(values)
    if n == 0:
        return None
    if n % 2:
        return Decimal(values[n // 2])
    return (Decimal(values[n // 2 - 1]) + Decimal(values[n // 2])) / 2


def share_withheld(numerator: int, denominator: int, k: int) -> bool:
    """Whether the one-way table ``[[numerator], [denominator - numerator]]`` has a cell that
    disclosure control withholds (threshold ``k`` on every cell and margin)."""
    if denominator <= 0:
        return False
    interior = [[numerator], [denominator - numerator]]
    return bool(disclosure.suppress(interior, [[k, k] for _row in range(3)]))


def count_withheld(n: int, k: int) -> bool:
    """Whether a figure resting on ``n`` people or cases is withheld (the table ``[[n]]``)."""
    if n <= 0:
        return False
    return bool(disclosure.suppress([[n]], [[k, k], [k, k]]))


def _in_period(queryset: QuerySet[Any], lookup: str, period: Period) -> QuerySet[Any]:
    start, end = period
    if start is not None:
        queryset = queryset.filter(**{f"{lookup}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{lookup}__lte": end})
    return queryset


def _fraction_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass
class _Builder:
    sensitive: bool
    values: list[IndicatorValue] = field(default_factory=list)

    def threshold(self, indicator: Indicator) -> int:
        if self.sensitive or indicator.sensitive:
            return tables.sensitive_threshold()
        return tables.threshold()

    def share(
        self,
        code: str,
        numerator: int,
        denominator: int,
        *,
        amounts: tuple[Decimal, Decimal] | None = None,
        currency: str = "",
    ) -> None:
        """A share of counts; with ``amounts``, a share of amounts controlled on the counts."""
        indicator = INDICATOR[code]
        withheld = share_withheld(numerator, denominator, self.threshold(indicator))
        top: Number
        bottom: Number
        if amounts is None:
            top, bottom = numerator, denominator
        else:
            top, bottom = amounts
        self._add(
            indicator,
            share(top, bottom),
            top,
            bottom,
            withheld,
            currency,
            counts=(numerator, denominator),
        )

    def single(self, code: str, value: Decimal | None, n: int, *, count: bool = False) -> None:
        """A median, a mean (over ``n``) or a count (``n`` itself)."""
        indicator = INDICATOR[code]
        withheld = count_withheld(n, self.threshold(indicator))
        if count:
            self._add(indicator, Decimal(n), n, None, withheld, "", counts=(n,))
        else:
            self._add(indicator, value, None, n, withheld, "", counts=(n,))

    def _add(
        self,
        indicator: Indicator,
        value: Decimal | None,
        numerator: Number | None,
        denominator: Number | None,
        withheld: bool,
        currency: str,
        *,
        counts: tuple[int, ...],
    ) -> None:
        self.values.append(
            IndicatorValue(
                code=indicator.code,
                objective=indicator.objective,
                label=indicator.label,
                formula=indicator.formula,
                unit=indicator.unit,
                value=value,
                numerator=numerator,
                denominator=denominator,
                suppressed=withheld,
                sensitive=self.sensitive or indicator.sensitive,
                currency=currency,
                counts=counts,
            )
        )


# --- the records behind the facts (correlated on the fact's member, case and dates) -------------

MEMBER = OuterRef("member_id")
CASE = OuterRef("case_id")
DEPARTED = OuterRef("departure_date")


def _informed() -> Exists:
    return Exists(InformationSession.objects.filter(attendees=MEMBER, held_on__lte=DEPARTED))


def _declaration_in_force() -> Subquery:
    return Subquery(
        VoluntarinessDeclaration.objects.filter(member=MEMBER, declared_on__lte=DEPARTED)
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )


def _declaration_counts() -> Exists:
    reviewed = Q(detention_review_by__isnull=False) & (
        Q(recorded_by__isnull=True) | ~Q(detention_review_by=F("recorded_by"))
    )
    return Exists(
        VoluntarinessDeclaration.objects.filter(
            Q(in_detention=False) | reviewed,
            pk=OuterRef("declaration_in_force"),
            freedom_of_choice=True,
            informed_decision=True,
        ).exclude(signed_form_type="")
    )


def _representative_decision() -> Subquery:
    return Subquery(
        RepresentativeDecision.objects.filter(
            member=MEMBER,
            decided_on__lte=DEPARTED,
            representative__kind__in=list(DECIDING_KINDS),
        )
        .order_by("-created_at", "-id")
        .values("decision")[:1]
    )


def _counselled_before() -> Exists:
    return Exists(
        Counselling.objects.filter(
            Q(members=MEMBER) | Q(members__isnull=True),
            case=CASE,
            stage=CounsellingStage.BEFORE_DEPARTURE,
            held_on__lte=DEPARTED,
        )
    )


def _escorted() -> Exists:
    """An escort on a confirmed or flown booking of the case on which the person travels."""
    return Exists(
        TravelEscort.objects.filter(
            booking__case=CASE,
            booking__status__in=[BookingStatus.CONFIRMED, BookingStatus.FLOWN],
            booking__passengers__member=MEMBER,
        )
    )


def _received() -> Exists:
    return Exists(Reception.objects.filter(case=CASE, members=MEMBER))


def _assessed(kind: str, **conditions: Any) -> Exists:
    return Exists(
        Assessment.objects.filter(member=MEMBER, kind=kind, assessed_on__lte=DEPARTED, **conditions)
    )


def _covered(prefix: str = "") -> Q:
    """The plan of the fact's person: their own, or the household's (a plan with no member)."""
    return Q(**{f"{prefix}member": MEMBER}) | Q(
        **{f"{prefix}case": CASE, f"{prefix}member__isnull": True}
    )


def _rss_scores(first: bool) -> QuerySet[ScoreSet]:
    order = ("interview__conducted_on", "interview__created_at", "interview__id")
    scores = ScoreSet.objects.filter(
        interview__member=MEMBER,
        interview__outcome=Outcome.COMPLETED,
        interview__instrument_version__instrument__code=RSS_CODE,
        current=True,
        composite__isnull=False,
    )
    return scores.order_by(*(order if first else tuple(f"-{name}" for name in order)))


def high_band_from() -> Decimal:
    """The lower bound of the highest band of the published RSS version (one query)."""
    version = InstrumentVersion.objects.filter(
        instrument__code=RSS_CODE, status=VersionStatus.PUBLISHED
    ).first()
    if version is None or not version.parsed.bands:
        return DEFAULT_HIGH_BAND
    top = max(version.parsed.bands, key=lambda band: band.low)
    return _fraction_decimal(top.low)


# --- the indicators -----------------------------------------------------------------------------


def indicators_compute(
    facts: QuerySet[ReturnFact],
    *,
    period: Period = (None, None),
    sensitive: bool = False,
) -> list[IndicatorValue]:
    """The indicators of the six objectives over the cases of ``facts`` (see the module's
    docstring for who is counted, the period and disclosure control). ``sensitive``: the facts
    count a group that needs the stricter threshold (a filter on trafficking, children or
    health: ``Filters.sensitive``), so every figure uses it."""
    build = _Builder(sensitive=sensitive)
    facts = facts.order_by()
    today = timezone.localdate()
    due_days = int(getattr(settings, "PLAN_DUE_DAYS", 30))
    due_cutoff = today - datetime.timedelta(days=due_days)

    returnees = _in_period(
        facts.filter(travelling=True, departure_date__isnull=False), "departure_date", period
    )
    returned_cases = returnees.values("case_id")
    vulnerable = Q(vulnerability__in=VULNERABLE)
    avrr = Q(programme=Programme.AVRR)
    unaccompanied = Q(category=MigrantCategory.UNACCOMPANIED_CHILD) | Q(
        vulnerability="unaccompanied_child"
    )

    # 1. Returnees: before departure (objectives 1, 2 and 6). Each condition is a boolean
    # annotation, counted by the aggregate (which then reads the annotated rows).
    people = (
        returnees.annotate(
            declaration_in_force=_declaration_in_force(),
            representative_decision=_representative_decision(),
        )
        .annotate(
            informed=_informed(),
            declared=_declaration_counts(),
            counselled=_counselled_before(),
            escorted=_escorted(),
            received=_received(),
            fit=_assessed(AssessmentKind.FITNESS, fit_to_travel=True, valid_until__gte=DEPARTED),
            medical=_assessed(AssessmentKind.MEDICAL),
            trafficking_assessed=_assessed(AssessmentKind.TRAFFICKING),
            bid=_assessed(AssessmentKind.BID, recommendation=Recommendation.RETURN),
        )
        .aggregate(
            n=Count("id"),
            n_informed=Count("id", filter=Q(informed=True)),
            n_voluntary=Count(
                "id",
                filter=Q(declared=True)
                | Q(representative_decision=RepresentativeDecision.Decision.AGREES),
            ),
            n_avrr=Count("id", filter=avrr),
            n_counselled=Count("id", filter=avrr & Q(counselled=True)),
            n_vulnerable=Count("id", filter=vulnerable),
            n_accompanied=Count("id", filter=vulnerable & (Q(escorted=True) | Q(received=True))),
            n_health=Count("id", filter=Q(health=True)),
            n_fit=Count("id", filter=Q(health=True, fit=True)),
            n_medical=Count("id", filter=Q(health=True, medical=True)),
            n_trafficking=Count("id", filter=Q(trafficking=True)),
            n_trafficking_assessed=Count(
                "id", filter=Q(trafficking=True, trafficking_assessed=True)
            ),
            n_unaccompanied=Count("id", filter=unaccompanied),
            n_bid=Count("id", filter=unaccompanied & Q(bid=True)),
        )
    )

    # 2. Cases registered in the period (withdrawal).
    registered = _in_period(facts.filter(principal=True), "registered_on", period).aggregate(
        n=Count("id"), withdrawn=Count("id", filter=Q(status=Status.WITHDRAWN))
    )

    # 3. Returned cases (arrival; days to departure: the median in a second query).
    cases_returned = _in_period(
        facts.filter(principal=True, departure_date__isnull=False), "departure_date", period
    )
    cases = cases_returned.aggregate(
        n=Count("id"),
        arrived=Count("id", filter=Q(arrival_date__isnull=False)),
        timed=Count("id", filter=Q(days_to_departure__isnull=False)),
    )
    timed = int(cases["timed"])
    middle: list[int] = []
    if timed:
        low, high = (timed - 1) // 2, timed // 2
        middle = list(
            cases_returned.exclude(days_to_departure=None)
            .order_by("days_to_departure")
            .values_list("days_to_departure", flat=True)[low : high + 1]
        )

    # 4. Arrived AVRR returnees: plans, assistance, referrals to public services.
    due = Q(arrival_date__lte=due_cutoff)
    arrived = (
        returnees.filter(avrr, arrival_date__isnull=False)
        .annotate(
            plan_due=ExpressionWrapper(
                F("arrival_date") + datetime.timedelta(days=due_days), output_field=DateField()
            )
        )
        .annotate(
            approved_in_time=Exists(
                PlanApproval.objects.filter(
                    _covered("plan__"), created_at__date__lte=OuterRef("plan_due")
                )
            ),
            approved=Exists(PlanApproval.objects.filter(_covered("plan__"))),
            delivered=Exists(Delivery.objects.filter(_covered("line__plan__"))),
            public=Exists(
                Referral.objects.filter(
                    members=MEMBER, partner__kind=PartnerKind.GOVERNMENT
                ).exclude(status=ReferralStatus.REVOKED)
            ),
        )
        .aggregate(
            n=Count("id"),
            n_due=Count("id", filter=due),
            n_in_time=Count("id", filter=due & Q(approved_in_time=True)),
            n_delivered=Count("id", filter=Q(delivered=True)),
            n_public=Count("id", filter=Q(public=True)),
            n_vulnerable_due=Count("id", filter=due & vulnerable),
            n_vulnerable_planned=Count("id", filter=due & vulnerable & Q(approved=True)),
        )
    )

    # 5. RSS: the first (baseline) and latest scored interview of each returnee.
    high_from = high_band_from()
    rss = (
        returnees.annotate(
            rss_first_id=Subquery(_rss_scores(True).values("interview_id")[:1]),
            rss_first=Subquery(_rss_scores(True).values("composite")[:1]),
            rss_last_id=Subquery(_rss_scores(False).values("interview_id")[:1]),
            rss_last=Subquery(_rss_scores(False).values("composite")[:1]),
        )
        .filter(rss_first_id__isnull=False)
        .exclude(rss_first_id=F("rss_last_id"))
        .aggregate(
            n=Count("id"),
            change=Sum(F("rss_last") - F("rss_first")),
            high=Count("id", filter=Q(rss_last__gte=high_from)),
        )
    )

    # 6. Budget of the returned cases, per currency (approved amounts).
    lines = BudgetLine.objects.filter(plan__case__in=returned_cases, approved_amount__isnull=False)
    community, structural = Q(level=Level.COMMUNITY), Q(level=Level.STRUCTURAL)
    budget = list(
        lines.order_by()
        .values("currency")
        .annotate(
            total=Sum("approved_amount"),
            community=Sum("approved_amount", filter=community),
            structural=Sum("approved_amount", filter=structural),
            cases=Count("plan__case", distinct=True),
            community_cases=Count("plan__case", distinct=True, filter=community),
            structural_cases=Count("plan__case", distinct=True, filter=structural),
        )
        .order_by("currency")
    )
    community_cases = lines.filter(community).aggregate(n=Count("plan__case", distinct=True))["n"]

    # 7. Referrals of the returned cases.
    referrals = (
        Referral.objects.filter(case__in=returned_cases)
        .exclude(status=ReferralStatus.REVOKED)
        .aggregate(n=Count("id"), completed=Count("id", filter=Q(status=ReferralStatus.COMPLETED)))
    )

    # 8. Feedback and complaints received by the offices of the facts.
    feedback = (
        _in_period(
            Feedback.objects.filter(
                office__in=facts.values("office_id"),
                kind__in=[FeedbackKind.FEEDBACK, FeedbackKind.COMPLAINT],
            ),
            "submitted_at__date",
            period,
        )
        .filter(Q(responded_at__isnull=False) | Q(due_on__lt=today))
        .aggregate(
            n=Count("id"),
            on_time=Count("id", filter=Q(responded_at__date__lte=F("due_on"))),
        )
    )

    # --- the figures, in the order of INDICATORS ---
    build.share("O1.1", people["n_informed"], people["n"])
    build.share("O1.2", people["n_voluntary"], people["n"])
    build.share("O1.3", people["n_counselled"], people["n_avrr"])
    build.share("O1.4", registered["withdrawn"], registered["n"])
    build.share("O2.1", cases["arrived"], cases["n"])
    build.share("O2.2", people["n_accompanied"], people["n_vulnerable"])
    build.share("O2.3", people["n_fit"], people["n_health"])
    build.single("O2.4", median(middle), timed)  # the one or two middle values
    build.share("O3.1", arrived["n_in_time"], arrived["n_due"])
    build.share("O3.2", arrived["n_delivered"], arrived["n"])
    n_rss = int(rss["n"])
    change = rss["change"]
    mean = (
        (Decimal(change) / n_rss).quantize(THOUSANDTH, ROUND_HALF_UP)
        if n_rss and change is not None
        else None
    )
    build.single("O3.3", mean, n_rss)
    build.share("O3.4", rss["high"], n_rss)
    _budget_shares(build, "O4.1", budget, "community")
    build.single("O4.2", None, int(community_cases), count=True)
    build.share("O4.3", referrals["completed"], referrals["n"])
    _budget_shares(build, "O5.1", budget, "structural")
    build.share("O5.2", arrived["n_public"], arrived["n"])
    build.share("O5.3", feedback["on_time"], feedback["n"])
    build.share("O6.1", people["n_trafficking_assessed"], people["n_trafficking"])
    build.share("O6.2", people["n_bid"], people["n_unaccompanied"])
    build.share("O6.3", people["n_medical"], people["n_health"])
    build.share("O6.4", arrived["n_vulnerable_planned"], arrived["n_vulnerable_due"])
    return build.values


def _budget_shares(build: _Builder, code: str, budget: list[dict[str, Any]], level: str) -> None:
    """One share per currency (amounts in different currencies are never added); with no
    approved budget at all, one empty figure."""
    if not budget:
        build.share(code, 0, 0, amounts=(Decimal(0), Decimal(0)))
        return
    for row in budget:
        part: Decimal = row[level] or Decimal(0)
        build.share(
            code,
            int(row[f"{level}_cases"]),
            int(row["cases"]),
            amounts=(part, row["total"]),
            currency=row["currency"],
        )


def indicators_by_objective(
    values: Sequence[IndicatorValue],
) -> list[tuple[int, Promise, list[IndicatorValue]]]:
    """``(objective, its label, its figures)`` for the six objectives, in order."""
    return [
        (number, label, [value for value in values if value.objective == number])
        for number, label in OBJECTIVES.items()
    ]


__all__ = [
    "INDICATORS",
    "OBJECTIVES",
    "Indicator",
    "IndicatorValue",
    "indicators_by_objective",
    "indicators_compute",
]
