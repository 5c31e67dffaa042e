"""Indicators of the six AVRR objectives, on a hand-built set of real cases whose every expected
figure is worked out by hand below; disclosure control of the figures; and a query count that
does not grow with the number of cases.

The dataset (T is today; every date is "T - days"):

====  =====  ====================  ==========================  =========  ========  =======
case  prog.  category              travellers                  applied    departed  arrived
====  =====  ====================  ==========================  =========  ========  =======
1     AVRR   stranded              P1 adult, C1 child (8)      T-100      T-60      T-59
2     AVRR   victim_of_trafficking P2 adult                    T-80       T-40      T-39
3     AVR    health_needs          P3 adult                    T-50       T-20      -
4     AVRR   stranded              P4 adult (screened: mental  T-30       T-10      T-9
                                   health), S4 spouse not
                                   travelling
5     AVRR   stranded              P5 (withdrawn)              -          -         -
6     AVRR   stranded              P6 (in counselling)         -          -         -
7     AVR    unaccompanied_child   C7 child (principal)        T-80       T-30      T-29
====  =====  ====================  ==========================  =========  ========  =======

Returnees (travelling, with a departure date): P1, C1, P2, P3, P4, C7 (6). S4 does not travel.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.consent.factories import PDF, adult, child
from tests.factories import OfficeFactory, UserFactory
from tests.feedback.factories import FeedbackFactory
from tests.reintegration.factories import line, partner_of, refer, submitted, with_cap
from tests.reporting.factories import ReturnFactFactory
from wayhome.accounts.models import Office
from wayhome.assessments.models import Assessment, Recommendation, RiskLevel, Screening
from wayhome.assessments.models import Escort as EscortDecision
from wayhome.assessments.models import Kind as AssessmentKind
from wayhome.cases.models import Case, CaseMember, CaseTransition, MigrantCategory, Relationship
from wayhome.cases.services import case_member_add
from wayhome.cases.workflow import Status
from wayhome.consent.models import (
    InformationSession,
    LegalRepresentative,
    RepresentativeDecision,
    Topic,
    VoluntarinessDeclaration,
)
from wayhome.feedback.models import FeedbackStatus
from wayhome.feedback.models import Kind as FeedbackKind
from wayhome.movements.models import (
    Arrival,
    Booking,
    BookingStatus,
    ConfirmedBy,
    Escort,
    EscortKind,
    Passenger,
    ReceiverKind,
    Reception,
)
from wayhome.reintegration import services as reintegration
from wayhome.reintegration.models import (
    Category,
    Counselling,
    CounsellingMode,
    CounsellingStage,
    Dimension,
    Level,
    PartnerKind,
    PaymentMethod,
    Plan,
    PlanApproval,
    Referral,
    ReferralStatus,
)
from wayhome.reporting.facts import facts_refresh
from wayhome.reporting.indicators import (
    INDICATORS,
    OBJECTIVES,
    IndicatorValue,
    count_withheld,
    indicators_by_objective,
    indicators_compute,
    median,
    share,
    share_withheld,
)
from wayhome.reporting.models import ReturnFact
from wayhome.surveys.models import (
    Consent,
    InstrumentVersion,
    Interview,
    Mode,
    Outcome,
    ScoreReason,
    ScoreSet,
    VersionStatus,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def ago(days: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


def noon(days: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(ago(days), datetime.time(12)))


def step(case: Case, target: str, days: int) -> None:
    transition = CaseTransition.objects.create(case=case, source=case.status, target=target)
    CaseTransition.objects.filter(pk=transition.pk).update(occurred_at=noon(days))


def travel(case: Case, *, applied: int, departed: int, arrived: int | None, status: str) -> Case:
    """The case's path: applied and departed ``applied``/``departed`` days ago (transitions, as
    the workflow records them), arrived ``arrived`` days ago (an ``Arrival``), now in ``status``."""
    step(case, Status.APPLICATION_SUBMITTED, applied)
    step(case, Status.DEPARTED, departed)
    if arrived is not None:
        step(case, Status.ARRIVED, arrived)
        Arrival.objects.create(
            case=case,
            arrived_on=ago(arrived),
            confirmed_by=ConfirmedBy.ORIGIN_OFFICE,
            reception_details="Met at the airport",
            office=case.office,
        )
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


def principal_of(case: Case) -> CaseMember:
    return case.members.get(relationship=Relationship.PRINCIPAL)


def session(case: Case, members: list[CaseMember], days: int, counsellor: Any) -> None:
    held = InformationSession.objects.create(
        case=case,
        held_on=ago(days),
        counsellor=counsellor,
        language="en",
        topics=[Topic.RETURN_PROCESS, Topic.RIGHTS_AND_WITHDRAWAL],
    )
    held.attendees.add(*members)


def declaration(member: CaseMember, days: int, **kwargs: Any) -> VoluntarinessDeclaration:
    values: dict[str, Any] = {
        "freedom_of_choice": True,
        "informed_decision": True,
        "declared_on": ago(days),
        "signed_form": PDF,
        "signed_form_type": "application/pdf",
    }
    values.update(kwargs)
    return VoluntarinessDeclaration.objects.create(member=member, **values)


def guardian_agrees(member: CaseMember, days: int) -> None:
    guardian = LegalRepresentative.objects.create(
        member=member, name="Amal Haddad", kind=LegalRepresentative.Kind.GUARDIAN
    )
    RepresentativeDecision.objects.create(
        member=member,
        representative=guardian,
        decision=RepresentativeDecision.Decision.AGREES,
        decided_on=ago(days),
    )


def counselling(case: Case, stage: str, days: int, members: Sequence[CaseMember] = ()) -> None:
    held = Counselling.objects.create(
        case=case,
        stage=stage,
        held_on=ago(days),
        mode=CounsellingMode.IN_PERSON,
        notes="Talked about a tailoring shop",
        office=case.office,
    )
    held.members.add(*members)


def assess(member: CaseMember, kind: str, days: int, **kwargs: Any) -> None:
    Assessment.objects.create(member=member, kind=kind, assessed_on=ago(days), **kwargs)


def approve(plan: Plan, days: int, rates: dict[str, str] | None = None) -> None:
    """Approve ``plan`` (through the service) and date its approval ``days`` ago."""
    reintegration.plan_approve(actor=None, plan=submitted(plan), rates=rates or {})
    PlanApproval.objects.filter(plan=plan).update(created_at=noon(days))


def rss_interview(
    member: CaseMember,
    days: int,
    composite: str | None,
    *,
    code: str = "rss",
    outcome: str = Outcome.COMPLETED,
    earlier: str | None = None,
) -> None:
    """An interview ``days`` ago scored ``composite`` (current); ``earlier``: a score set of the
    same interview that was replaced by a recomputation (not current)."""
    version = InstrumentVersion.objects.get(instrument__code=code, status=VersionStatus.PUBLISHED)
    interview = Interview.objects.create(
        office=member.case.office,
        case=member.case,
        member=member,
        instrument_version=version,
        mode=Mode.PHONE,
        conducted_on=ago(days),
        consent=Consent.GIVEN if outcome == Outcome.COMPLETED else "",
        outcome=outcome,
    )
    for value, current in ((earlier, False), (composite, True)):
        if value is not None:
            ScoreSet.objects.create(
                interview=interview,
                instrument_version=version,
                values={"composite": value},
                composite=Decimal(value),
                current=current,
                reason=ScoreReason.INITIAL,
            )


def feedback(
    office: Office, *, received: int, due: int, answered: int | None, **kwargs: Any
) -> None:
    FeedbackFactory.create(
        office=office,
        submitted_at=noon(received),
        due_on=ago(due),
        status=FeedbackStatus.ANSWERED if answered is not None else FeedbackStatus.TRIAGED,
        responded_at=noon(answered) if answered is not None else None,
        **kwargs,
    )


@pytest.fixture
def dataset() -> Office:
    office = OfficeFactory.create(code="DE-BER", country="DE")
    other = OfficeFactory.create(code="GR-ATH", country="GR")
    staff = UserFactory.create()
    reviewer = staff  # the same person: a detention review by the recorder does not count
    with_cap(office)

    def open_case(
        category: str = MigrantCategory.STRANDED, programme: str = "AVRR", **kw: Any
    ) -> Case:
        person = kw.pop("principal", None) or adult(office)
        return CaseFactory.create(
            office=office, principal=person, category=category, programme=programme
        )

    # --- case 1: AVRR, a parent and a child -------------------------------------------------
    case1 = open_case()
    p1 = principal_of(case1)
    c1 = case_member_add(
        actor=None, case=case1, person=child(office), relationship=Relationship.CHILD
    )
    case1 = travel(case1, applied=100, departed=60, arrived=59, status=Status.ARRIVED)
    session(case1, [p1, c1], 110, staff)
    declaration(p1, 105)
    guardian_agrees(c1, 105)
    counselling(case1, CounsellingStage.BEFORE_DEPARTURE, 95)  # no members: the household
    plan1 = reintegration.plan_create(actor=None, case=case1, needs="A tailoring shop")
    individual = line(plan1, "1000", "EUR")
    line(
        plan1,
        "500",
        "EUR",
        level=Level.COMMUNITY,
        category=Category.COMMUNITY_PROJECT,
        description="Well for the village",
    )
    approve(plan1, 50)  # due T-59+30 = T-29: in time
    individual.refresh_from_db()
    reintegration.delivery_record(
        actor=None,
        line=individual,
        delivered_on=ago(40),
        amount=Decimal("400"),
        method=PaymentMethod.CASH,
        delivered_by="Field officer",
    )
    rss_interview(p1, 55, "0.33")
    rss_interview(p1, 10, "0.83", earlier="0.17")
    ngo = partner_of(office, "Lagos Skills Centre")
    ministry = partner_of(office, "Ministry of Labour", kind=PartnerKind.GOVERNMENT)
    completed = refer(case1, ngo)
    Referral.objects.filter(pk=completed.pk).update(status=ReferralStatus.COMPLETED)
    refer(case1, ministry)  # sent, names P1

    # --- case 2: AVRR, a victim of trafficking -------------------------------------------------
    case2 = open_case(MigrantCategory.VICTIM_OF_TRAFFICKING)
    p2 = principal_of(case2)
    case2 = travel(case2, applied=80, departed=40, arrived=39, status=Status.ARRIVED)
    declaration(p2, 75, in_detention=True, recorded_by=staff, detention_review_by=reviewer)
    counselling(case2, CounsellingStage.AFTER_ARRIVAL, 30, [p2])
    assess(p2, AssessmentKind.TRAFFICKING, 70, retrafficking_risk=RiskLevel.MEDIUM, details="F")
    plan2 = reintegration.plan_create(actor=None, case=case2, member=p2, needs="Documents")
    line(plan2, "800", "EUR")
    line(
        plan2,
        "200",
        "EUR",
        level=Level.STRUCTURAL,
        dimension=Dimension.SOCIAL,
        category=Category.LEGAL,
        description="Civil registry support",
    )
    line(
        plan2,
        "100000",
        "XOF",
        level=Level.COMMUNITY,
        category=Category.COMMUNITY_PROJECT,
        description="Market stall for the cooperative",
    )
    approve(plan2, 2, rates={"XOF": "0.0015"})  # due T-39+30 = T-9: late
    rss_interview(p2, 35, "0.67")
    rss_interview(p2, 20, "0.17")
    rss_interview(p2, 5, "0.50")
    rss_interview(p2, 2, None, outcome=Outcome.UNREACHABLE)
    revoked = refer(case2, partner_of(office, "Hope Partners"))
    Referral.objects.filter(pk=revoked.pk).update(status=ReferralStatus.REVOKED)

    # --- case 3: AVR, health needs, escorted, arrival not confirmed ------------------------------
    case3 = open_case(MigrantCategory.HEALTH_NEEDS, programme="AVR")
    p3 = principal_of(case3)
    case3 = travel(case3, applied=50, departed=20, arrived=None, status=Status.DEPARTED)
    session(case3, [p3], 60, staff)
    declaration(p3, 55)
    assess(
        p3,
        AssessmentKind.MEDICAL,
        45,
        escort=EscortDecision.MEDICAL,
        receiving_provider="Central Hospital",
    )
    assess(p3, AssessmentKind.FITNESS, 22, fit_to_travel=True, valid_until=ago(18))
    booking = Booking.objects.create(case=case3, status=BookingStatus.CONFIRMED)
    Passenger.objects.create(booking=booking, member=p3)
    Escort.objects.create(booking=booking, kind=EscortKind.MEDICAL, name="Dr Escort")

    # --- case 4: AVRR, mental health needs (screened), a spouse who stays ----------------------
    case4 = open_case()
    p4 = principal_of(case4)
    s4 = case_member_add(
        actor=None, case=case4, person=adult(office), relationship=Relationship.SPOUSE
    )
    CaseMember.objects.filter(pk=s4.pk).update(travelling=False)
    Screening.objects.create(member=p4, screened_on=ago(35), flags=["mental_health_needs"])
    case4 = travel(case4, applied=30, departed=10, arrived=9, status=Status.ARRIVED)
    session(case4, [p4, s4], 5, staff)  # after the departure
    declaration(p4, 15)
    counselling(case4, CounsellingStage.BEFORE_DEPARTURE, 20, [p4])
    draft = reintegration.plan_create(actor=None, case=case4, needs="Not yet approved")
    line(draft, "300", "EUR", level=Level.COMMUNITY, category=Category.COMMUNITY_PROJECT)
    rss_interview(p4, 5, "0.50")
    rss_interview(p4, 4, "0.90", code="satisfaction")  # another survey: not counted

    # --- cases 5 and 6: not departed ----------------------------------------------------------
    case5 = open_case()
    Case.objects.filter(pk=case5.pk).update(status=Status.WITHDRAWN)
    case6 = open_case()
    Case.objects.filter(pk=case6.pk).update(status=Status.COUNSELLING)

    # --- case 7: AVR, an unaccompanied child ---------------------------------------------------
    case7 = open_case(MigrantCategory.UNACCOMPANIED_CHILD, programme="AVR", principal=child(office))
    c7 = principal_of(case7)
    case7 = travel(case7, applied=80, departed=30, arrived=29, status=Status.ARRIVED)
    guardian_agrees(c7, 50)
    assess(
        c7,
        AssessmentKind.BID,
        40,
        recommendation=Recommendation.RETURN,
        panel="Panel",
        guardian="Guardian",
        family_assessment="Aunt able to care",
        reception_arrangement="Aunt and social worker",
        supervised_travel=True,
    )
    received = Reception.objects.create(
        case=case7, receiver_kind=ReceiverKind.FAMILY, receiver_name="Aunt Ngozi"
    )
    received.members.add(c7)

    # --- feedback -------------------------------------------------------------------------------
    feedback(office, received=20, due=6, answered=8)  # on time
    feedback(office, received=20, due=6, answered=3, kind=FeedbackKind.COMPLAINT)  # late
    feedback(office, received=20, due=1, answered=None)  # overdue, unanswered
    feedback(office, received=2, due=-5, answered=None)  # not due yet: not counted
    feedback(office, received=60, due=46, answered=40)  # late, received before T-45
    feedback(office, received=20, due=6, answered=None, kind=FeedbackKind.MISCONDUCT)  # apart
    feedback(other, received=20, due=6, answered=None)  # another office

    facts_refresh(Case.objects.values_list("pk", flat=True))
    return office


def by_code(values: list[IndicatorValue]) -> dict[str, IndicatorValue]:
    found: dict[str, IndicatorValue] = {}
    for value in values:
        key = f"{value.code}:{value.currency}" if value.currency else value.code
        assert key not in found
        found[key] = value
    return found


def figures(value: IndicatorValue) -> tuple[Any, Any, Any]:
    return value.numerator, value.denominator, value.value


def test_the_facts_are_the_expected_ones(dataset: Office) -> None:
    facts = ReturnFact.objects.filter(office=dataset)
    assert facts.count() == 9  # P1 C1 P2 P3 P4 S4 P5 P6 C7
    returnees = facts.filter(travelling=True).exclude(departure_date=None)
    assert returnees.count() == 6
    assert set(returnees.values_list("vulnerability", flat=True)) == {
        "none",
        "trafficking",
        "health",
        "unaccompanied_child",
    }
    days = facts.filter(principal=True).exclude(departure_date=None)
    assert sorted(days.values_list("days_to_departure", flat=True)) == [20, 30, 40, 40, 50]  # type: ignore[type-var]


def test_every_indicator_by_hand(dataset: Office) -> None:
    values = by_code(indicators_compute(ReturnFact.objects.filter(office=dataset)))
    D = Decimal
    expected: dict[str, tuple[Any, Any, Any]] = {
        # O1.1 information session on or before departure: P1, C1 (T-110), P3 (T-60); not P2
        # (none), P4 (T-5, after leaving T-10), C7 (none): 3 / 6 = 0.5
        "O1.1": (3, 6, D("0.500")),
        # O1.2 P1, P3, P4 (declarations that count), C1, C7 (guardian agrees); P2's declaration
        # in detention was reviewed by the person who recorded it: 5 / 6 = 0.8333 -> 0.833
        "O1.2": (5, 6, D("0.833")),
        # O1.3 AVRR returnees P1, C1, P2, P4; counselled before departure: P1, C1 (a session of
        # the household, T-95), P4 (T-20); P2 only after arrival: 3 / 4 = 0.75
        "O1.3": (3, 4, D("0.750")),
        # O1.4 7 cases registered (all today), case 5 withdrawn: 1 / 7 = 0.142857 -> 0.143
        "O1.4": (1, 7, D("0.143")),
        # O2.1 returned cases 1, 2, 3, 4, 7; arrival confirmed: 1, 2, 4, 7: 4 / 5 = 0.8
        "O2.1": (4, 5, D("0.800")),
        # O2.2 vulnerable returnees P2 (trafficking), P3, P4 (health), C7 (UAC); P3 escorted on
        # a confirmed booking, C7 received: 2 / 4 = 0.5
        "O2.2": (2, 4, D("0.500")),
        # O2.3 health P3, P4; P3 fit (checked T-22, valid to T-18, left T-20): 1 / 2 = 0.5
        "O2.3": (1, 2, D("0.500")),
        # O2.4 days application -> departure: 40, 40, 20 (case 4), 30 (case 3), 50 (case 7);
        # sorted 20 30 40 40 50: median 40 over 5 cases
        "O2.4": (None, 5, D("40")),
        # O3.1 AVRR arrived at least 30 days ago: P1, C1 (T-59), P2 (T-39); approved in time:
        # the household plan of case 1 (T-50 <= T-29); P2's plan T-2 > T-9: 2 / 3 = 0.667
        "O3.1": (2, 3, D("0.667")),
        # O3.2 arrived AVRR P1, C1, P2, P4; delivered: case 1's household plan: 2 / 4 = 0.5
        "O3.2": (2, 4, D("0.500")),
        # O3.3 P1 0.33 -> 0.83 (+0.50; the replaced 0.17 ignored), P2 0.67 -> 0.17 -> 0.50
        # (-0.17; the unreachable attempt ignored); P4 has one RSS only: (0.50 - 0.17) / 2
        # = 0.165
        "O3.3": (None, 2, D("0.165")),
        # O3.4 latest composite >= 0.66 (shipped RSS "high" band): P1 0.83; not P2 0.50: 1 / 2
        "O3.4": (1, 2, D("0.500")),
        # O4.1 EUR approved: 1000 + 500 (community) + 800 + 200 = 2500; 500 / 2500 = 0.2
        # (case 4's draft line of 300 is not approved)
        "O4.1:EUR": (D("500.00"), D("2500.00"), D("0.200")),
        # XOF: 100000 community / 100000 = 1
        "O4.1:XOF": (D("100000.00"), D("100000.00"), D("1.000")),
        # O4.2 cases with an approved community line: 1 (EUR) and 2 (XOF)
        "O4.2": (2, None, D("2")),
        # O4.3 referrals not revoked: case 1's two (one completed); case 2's revoked: 1 / 2
        "O4.3": (1, 2, D("0.500")),
        # O5.1 EUR structural 200 / 2500 = 0.08; XOF 0 / 100000 = 0
        "O5.1:EUR": (D("200.00"), D("2500.00"), D("0.080")),
        "O5.1:XOF": (D("0"), D("100000.00"), D("0.000")),
        # O5.2 arrived AVRR P1, C1, P2, P4; P1 named on the referral to the ministry: 1 / 4
        "O5.2": (1, 4, D("0.250")),
        # O5.3 the office's feedback and complaints answered or past due: on time (T-8 <= T-6),
        # late (T-3 > T-6), unanswered past due (T-1), late (T-40 > T-46); not the one due in
        # 5 days, the misconduct report or the other office's: 1 / 4 = 0.25
        "O5.3": (1, 4, D("0.250")),
        # O6.1 trafficking P2, assessed T-70 <= T-40: 1 / 1
        "O6.1": (1, 1, D("1.000")),
        # O6.2 unaccompanied C7, BID recommending return T-40 <= T-30: 1 / 1
        "O6.2": (1, 1, D("1.000")),
        # O6.3 health P3 (medical T-45 <= T-20), P4 (none): 1 / 2
        "O6.3": (1, 2, D("0.500")),
        # O6.4 vulnerable AVRR arrived at least 30 days ago: P2 (T-39), with an approved plan:
        # 1 / 1 (P4 arrived T-9: not yet due)
        "O6.4": (1, 1, D("1.000")),
    }
    assert set(values) == set(expected)
    for key, figure in expected.items():
        assert figures(values[key]) == figure, key
    assert values["O2.4"].unit == "days"
    assert values["O3.3"].unit == "score"
    assert values["O4.2"].unit == "count"
    assert {value.code for value in values.values()} == {i.code for i in INDICATORS}


def test_the_period_counts_departures_registrations_and_feedback_received(
    dataset: Office,
) -> None:
    values = by_code(
        indicators_compute(ReturnFact.objects.filter(office=dataset), period=(ago(45), TODAY()))
    )
    # Departed T-45..T: P2 (T-40), C7 (T-30), P3 (T-20), P4 (T-10): informed only P3
    assert figures(values["O1.1"]) == (1, 4, Decimal("0.250"))
    # Cases 2, 3, 4, 7: days 40, 30, 20, 50: sorted 20 30 40 50, median (30 + 40) / 2 = 35
    assert figures(values["O2.4"]) == (None, 4, Decimal("35"))
    # Registered today: all 7 cases, one withdrawn
    assert figures(values["O1.4"]) == (1, 7, Decimal("0.143"))
    # Feedback received T-45..T: the T-60 one is left out: 1 on time / 3
    assert figures(values["O5.3"]) == (1, 3, Decimal("0.333"))
    # Budget of the cases departed in the period: case 2 only (EUR 1000, structural 200)
    assert figures(values["O4.1:EUR"]) == (Decimal("0"), Decimal("1000.00"), Decimal("0.000"))
    assert figures(values["O5.1:EUR"]) == (
        Decimal("200.00"),
        Decimal("1000.00"),
        Decimal("0.200"),
    )


def test_a_plan_approved_on_its_due_day_is_in_time(dataset: Office) -> None:
    facts = ReturnFact.objects.filter(office=dataset)
    late = PlanApproval.objects.filter(plan__member__isnull=False)  # P2's plan
    late.update(created_at=noon(9))  # arrived T-39: due T-9
    assert figures(by_code(indicators_compute(facts))["O3.1"]) == (3, 3, Decimal("1.000"))
    late.update(created_at=noon(8))  # a day late
    assert figures(by_code(indicators_compute(facts))["O3.1"]) == (2, 3, Decimal("0.667"))


def test_a_detention_review_by_a_second_person_counts(dataset: Office) -> None:
    facts = ReturnFact.objects.filter(office=dataset)
    VoluntarinessDeclaration.objects.filter(in_detention=True).update(
        detention_review_by=UserFactory.create()
    )
    assert figures(by_code(indicators_compute(facts))["O1.2"]) == (6, 6, Decimal("1.000"))


def test_a_later_declaration_that_does_not_count_replaces_one_that_did(dataset: Office) -> None:
    """The declaration in force at departure is the latest recorded: P4's (T-15) is replaced by
    one without the signed form, still before the departure (T-10)."""
    facts = ReturnFact.objects.filter(office=dataset)
    p4 = ReturnFact.objects.get(office=dataset, days_to_departure=20, travelling=True).member
    declaration(p4, 12, signed_form=None, signed_form_type="")
    assert figures(by_code(indicators_compute(facts))["O1.2"]) == (4, 6, Decimal("0.667"))


def test_small_figures_are_withheld_when_published(dataset: Office) -> None:
    """Default thresholds: 5, and 10 for trafficking, children and health."""
    values = by_code(indicators_compute(ReturnFact.objects.filter(office=dataset)))
    informed = values["O1.1"]  # 3 of 6: the cell 3 is below 5
    assert informed.suppressed
    assert figures(informed.published()) == (None, None, None)
    assert figures(informed) == (3, 6, Decimal("0.500"))  # kept exact for internal use
    # 40 days over 5 cases: 5 is not below 5
    assert not values["O2.4"].suppressed
    assert values["O2.4"].published().value == Decimal("40")
    # Everything about trafficking, children or health is withheld here (fewer than 10)
    for code in ("O2.2", "O2.3", "O6.1", "O6.2", "O6.3", "O6.4"):
        assert values[code].sensitive, code
        assert values[code].suppressed, code
        assert values[code].published().value is None, code


def test_a_share_with_enough_cases_is_published(settings: Any) -> None:
    settings.WAYHOME_DISCLOSURE_K = 5
    office = OfficeFactory.create()
    for n in range(12):
        ReturnFactFactory.create(
            office=office, arrival_date=ago(5) if n < 6 else None, days_to_departure=30
        )
    values = by_code(indicators_compute(ReturnFact.objects.filter(office=office)))
    arrived = values["O2.1"]  # 6 of 12, 6 not: every cell at least 5
    assert not arrived.suppressed
    assert figures(arrived.published()) == (6, 12, Decimal("0.500"))
    informed = values["O1.1"]  # 0 of 12: a zero is published
    assert not informed.suppressed
    assert figures(informed.published()) == (0, 12, Decimal("0.000"))


def test_a_share_close_to_all_is_withheld_too() -> None:
    office = OfficeFactory.create()
    for n in range(12):
        ReturnFactFactory.create(office=office, arrival_date=ago(5) if n < 10 else None)
    arrived = by_code(indicators_compute(ReturnFact.objects.filter(office=office)))["O2.1"]
    # 10 of 12: the 2 not arrived could be recovered from 12 - 10
    assert arrived.suppressed
    assert arrived.published().numerator is None


def test_facts_of_a_sensitive_group_use_the_stricter_threshold() -> None:
    office = OfficeFactory.create()
    for n in range(12):
        ReturnFactFactory.create(office=office, arrival_date=ago(5) if n < 6 else None)
    facts = ReturnFact.objects.filter(office=office)
    assert not by_code(indicators_compute(facts))["O2.1"].suppressed
    strict = by_code(indicators_compute(facts, sensitive=True))["O2.1"]  # 6 < 10
    assert strict.suppressed
    assert strict.sensitive


def test_nothing_to_count_gives_empty_figures() -> None:
    values = indicators_compute(ReturnFact.objects.none())
    assert [value.code for value in values] == [indicator.code for indicator in INDICATORS]
    for value in values:
        assert value.value is None or value.value == 0, value.code
        assert not value.suppressed
    grouped = indicators_by_objective(values)
    assert [number for number, _label, _values in grouped] == list(OBJECTIVES)
    assert sum(len(items) for _n, _l, items in grouped) == len(INDICATORS)


def test_share_and_median_helpers() -> None:
    assert share(1, 8) == Decimal("0.125")
    assert share(1, 16) == Decimal("0.063")  # 0.0625 rounded half up
    assert share(2, 3) == Decimal("0.667")
    assert share(0, 0) is None
    assert median([]) is None
    assert median([7]) == Decimal(7)
    assert median([3, 4]) == Decimal("3.5")
    assert share_withheld(3, 20, 5)
    assert not share_withheld(0, 20, 5)
    assert share_withheld(0, 4, 5)  # the denominator itself is small
    assert not share_withheld(5, 10, 5)
    assert count_withheld(4, 5)
    assert not count_withheld(0, 5)
    assert not count_withheld(5, 5)


def returns_of(cases: int) -> QuerySet[ReturnFact]:
    office = OfficeFactory.create()
    for n in range(cases):
        ReturnFactFactory.create(
            office=office,
            arrival_date=ago(40) if n % 2 else None,
            days_to_departure=20 + n,
            vulnerability="health" if n % 3 == 0 else "none",
            health=n % 3 == 0,
        )
    return ReturnFact.objects.filter(office=office)


def queries(facts: QuerySet[ReturnFact]) -> int:
    with CaptureQueriesContext(connection) as captured:
        indicators_compute(facts)
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_cases(
    django_assert_max_num_queries: Any,
) -> None:
    few, many = returns_of(3), returns_of(12)
    assert queries(few) == queries(many)
    with django_assert_max_num_queries(12):
        values = indicators_compute(many)
    assert by_code(values)["O2.1"].denominator == 12
