"""The plan's budget: no approval over the programme's cap in any currency, never by someone who
drafted or changed it, revisions kept, and no delivery beyond what was approved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.reintegration.factories import approved, arrived, drafted, line, submitted, with_cap
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case
from wayhome.reintegration import rules, services
from wayhome.reintegration.models import (
    BudgetLine,
    Delivery,
    PaymentMethod,
    Plan,
    PlanApproval,
    PlanStatus,
)
from wayhome.reintegration.services import PlanBlocked

pytestmark = pytest.mark.django_db

CURRENCIES = ["EUR", "USD", "XOF", "NGN", "GBP"]
cents = st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c) / 100)
rates = st.decimals(
    min_value=Decimal("0.000001"), max_value=Decimal("5000"), places=6, allow_nan=False
).filter(lambda d: d > 0)


def staff(office: object, role: str, name: str) -> User:
    return UserFactory.create(email=f"{name}@example.org", roles=[(office, role)])


@pytest.fixture
def team(personas: Personas) -> dict[str, User]:
    office = personas.office_a
    return {
        "officer": staff(office, Role.REINTEGRATION, "officer"),
        "officer2": staff(office, Role.REINTEGRATION, "officer2"),
        "manager": staff(office, Role.MANAGER, "manager"),
        "manager2": staff(office, Role.MANAGER, "manager2"),
    }


def codes(exc: ValidationError) -> set[str]:
    return {e.code for e in exc.error_list if e.code}


# --- the cap, in any currency ---------------------------------------------------------------------


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    cap_currency=st.sampled_from(CURRENCIES),
    per_person=cents,
    extra=cents,
    persons=st.integers(min_value=1, max_value=6),
    household=st.booleans(),
    lines=st.lists(st.tuples(cents, st.sampled_from(CURRENCIES)), min_size=1, max_size=6),
    chosen=st.dictionaries(st.sampled_from(CURRENCIES), rates),
)
def test_the_check_refuses_exactly_the_plans_over_their_cap(
    cap_currency: str,
    per_person: Decimal,
    extra: Decimal,
    persons: int,
    household: bool,
    lines: list[tuple[Decimal, str]],
    chosen: dict[str, Decimal],
) -> None:
    cap = rules.Cap(cap_currency, per_person, per_person + extra)
    amounts = [rules.Amount(amount, currency) for amount, currency in lines]
    result = rules.check(amounts, cap, chosen, household=household, persons=persons)
    needed = {c for _, c in lines if c != cap_currency}
    if needed - set(chosen):
        assert "rate_missing" in {p.code for p in result.problems}
        return
    # The oracle: exact products, no rounding.
    total = sum((a if c == cap_currency else a * chosen[c] for a, c in lines), start=Decimal(0))
    limit = min(cap.per_household, per_person * persons) if household else per_person
    assert result.total == total
    assert ("over_cap" in {p.code for p in result.problems}) == (total > limit)
    assert result.total_rounded >= total  # never flatters


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    lines=st.lists(st.tuples(cents, st.sampled_from(CURRENCIES)), min_size=1, max_size=4),
    chosen=st.fixed_dictionaries({c: rates for c in CURRENCIES}),
)
def test_a_fraction_of_a_cent_over_the_cap_is_over_it(
    lines: list[tuple[Decimal, str]], chosen: dict[str, Decimal]
) -> None:
    """The cap set at the total cut down to the cent: over it exactly when the total has more
    than whole cents (no rounding before the comparison)."""
    amounts = [rules.Amount(amount, currency) for amount, currency in lines]
    total = sum((a if c == "EUR" else a * chosen[c] for a, c in lines), start=Decimal(0))
    cap_value = total.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    if cap_value <= 0:
        return
    cap = rules.Cap("EUR", cap_value, cap_value)
    result = rules.check(amounts, cap, chosen, household=False, persons=1)
    assert ("over_cap" in {p.code for p in result.problems}) == (total > cap_value)


def test_a_plan_over_its_cap_by_a_hundredth_of_a_cent_is_refused() -> None:
    cap = rules.Cap("EUR", Decimal("100.00"), Decimal("1000.00"))
    over = [rules.Amount(Decimal("1000001.00"), "XOF")]  # 100.0001 EUR at 0.0001
    result = rules.check(over, cap, {"XOF": Decimal("0.0001")}, household=False, persons=1)
    assert [p.code for p in result.problems] == ["over_cap"]
    assert result.total_rounded == Decimal("100.01")
    exactly = [rules.Amount(Decimal("1000000.00"), "XOF")]
    assert rules.check(exactly, cap, {"XOF": Decimal("0.0001")}, household=False, persons=1).ok


@pytest.fixture
def household(personas: Personas) -> Case:
    return arrived(personas.office_a, with_child=True)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cap_currency=st.sampled_from(CURRENCIES),
    per_person=st.integers(min_value=100, max_value=5000).map(Decimal),
    per_household=st.integers(min_value=5000, max_value=9000).map(Decimal),
    lines=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=4_000_000).map(lambda c: Decimal(c) / 100),
            st.sampled_from(CURRENCIES),
        ),
        min_size=1,
        max_size=4,
    ),
    chosen=st.fixed_dictionaries({c: rates for c in CURRENCIES}),
)
def test_a_plan_over_its_cap_in_any_currency_cannot_be_approved(
    household: Case,
    team: dict[str, User],
    cap_currency: str,
    per_person: Decimal,
    per_household: Decimal,
    lines: list[tuple[Decimal, str]],
    chosen: dict[str, Decimal],
) -> None:
    with transaction.atomic():
        with_cap(
            household.office,
            currency=cap_currency,
            per_person=str(per_person),
            per_household=str(per_household),
        )
        plan = services.plan_create(actor=team["officer"], case=household)
        for amount, currency in lines:
            line(plan, str(amount), currency, actor=team["officer"])
        services.plan_submit(actor=team["officer"], plan=plan)
        given_rates = {c: str(r) for c, r in chosen.items() if c != cap_currency}
        total = sum((a if c == cap_currency else a * chosen[c] for a, c in lines), start=Decimal(0))
        limit = min(per_household, per_person * 2)  # two people in the household
        if total > limit:
            with pytest.raises(PlanBlocked) as refused:
                services.plan_approve(actor=team["manager"], plan=plan, rates=given_rates)
            assert "over_cap" in codes(refused.value)
            stored = Plan.objects.get(pk=plan.pk)
            assert stored.status == PlanStatus.SUBMITTED
            assert not PlanApproval.objects.filter(plan=plan).exists()
            assert not BudgetLine.objects.filter(plan=plan, approved_amount__isnull=False).exists()
        else:
            approval = services.plan_approve(actor=team["manager"], plan=plan, rates=given_rates)
            assert approval.total >= total
            assert approval.total - total < Decimal("0.01")
            assert set(approval.rates) == {c for _, c in lines if c != cap_currency}
        transaction.set_rollback(True)


def test_a_rate_is_needed_for_every_other_currency_and_must_be_positive(
    household: Case, team: dict[str, User]
) -> None:
    with_cap(household.office)
    plan = submitted(drafted(household, ("100", "EUR"), ("50000", "XOF"), ("200", "USD")))
    with pytest.raises(PlanBlocked) as refused:
        services.plan_approve(actor=team["manager"], plan=plan, rates={"USD": "0.9"})
    assert codes(refused.value) == {"rate_missing"}
    assert "XOF" in str(refused.value)
    with pytest.raises(PlanBlocked) as refused:
        services.plan_approve(actor=team["manager"], plan=plan, rates={"USD": "-1", "XOF": "x"})
    assert codes(refused.value) >= {"rate_invalid", "rate_missing"}
    approval = services.plan_approve(
        actor=team["manager"], plan=plan, rates={"USD": "0.9", "XOF": "0.00152"}
    )
    # 100 + 50000 * 0.00152 + 200 * 0.9 = 100 + 76 + 180
    assert approval.total == Decimal("356.00")
    assert approval.rates == {"USD": "0.9", "XOF": "0.00152"}
    assert approval.cap_currency == "EUR"


def test_no_cap_no_approval(household: Case, team: dict[str, User]) -> None:
    plan = submitted(drafted(household))
    with pytest.raises(PlanBlocked) as refused:
        services.plan_approve(actor=team["manager"], plan=plan)
    assert codes(refused.value) == {"no_cap"}


def test_a_person_over_the_cap_per_person_is_refused(
    household: Case, team: dict[str, User]
) -> None:
    with_cap(household.office, per_person="1000", per_household="5000")
    plan = services.plan_create(actor=None, case=household)
    principal, kid = list(household.members.order_by("created_at", "id"))
    line(plan, "900", beneficiary=principal)
    line(plan, "200", beneficiary=principal)  # 1,100 for one person: over 1,000
    line(plan, "100", beneficiary=kid)
    services.plan_submit(actor=None, plan=plan)
    with pytest.raises(PlanBlocked) as refused:
        services.plan_approve(actor=team["manager"], plan=plan)
    assert codes(refused.value) == {"over_person_cap"}


def test_returnee_plans_of_one_household_share_its_cap(
    household: Case, team: dict[str, User]
) -> None:
    with_cap(household.office, per_person="2000", per_household="3000")
    principal, kid = list(household.members.order_by("created_at", "id"))
    first = submitted(drafted(household, ("1800", "EUR"), member=principal))
    services.plan_approve(actor=team["manager"], plan=first)
    second = submitted(drafted(household, ("1500", "EUR"), member=kid))
    with pytest.raises(PlanBlocked) as refused:
        services.plan_approve(actor=team["manager"], plan=second)
    assert codes(refused.value) == {"over_household_cap"}
    with pytest.raises(ValidationError):
        services.plan_create(actor=None, case=household)  # no household plan on top


# --- who approves --------------------------------------------------------------------------------


def test_the_drafter_cannot_approve(personas: Personas, team: dict[str, User]) -> None:
    case = arrived(personas.office_a)
    with_cap(case.office)
    # A manager who drafts (managers hold "manage reintegration"? no: give both roles).
    drafter = UserFactory.create(
        email="drafting-manager@example.org",
        roles=[(case.office, Role.MANAGER), (case.office, Role.REINTEGRATION)],
    )
    plan = submitted(drafted(case, actor=drafter), actor=drafter)
    with pytest.raises(PlanBlocked) as refused:
        services.plan_approve(actor=drafter, plan=plan)
    assert codes(refused.value) == {"drafter"}
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    services.plan_approve(actor=team["manager"], plan=plan)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_whoever_changed_the_plan_since_cannot_approve_it(
    personas: Personas, team: dict[str, User]
) -> None:
    case = arrived(personas.office_a)
    with_cap(case.office)
    both = UserFactory.create(
        email="both@example.org",
        roles=[(case.office, Role.MANAGER), (case.office, Role.REINTEGRATION)],
    )
    plan = drafted(case, actor=team["officer"])
    line(plan, "100", actor=both)  # a second hand on the same revision
    submitted(plan, actor=team["officer"])
    with pytest.raises(PlanBlocked) as refused:
        services.plan_approve(actor=both, plan=plan)
    assert "drafter" in codes(refused.value)


def test_only_a_manager_of_an_office_working_the_case_approves(
    personas: Personas, team: dict[str, User]
) -> None:
    case = arrived(personas.office_a)
    with_cap(case.office)
    plan = submitted(drafted(case))
    elsewhere = staff(personas.office_b, Role.MANAGER, "manager-b")
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=elsewhere, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=team["officer"], plan=plan)


# --- revisions and delivery ----------------------------------------------------------------------


def test_a_change_after_approval_opens_a_revision_and_keeps_what_was_approved(
    household: Case, team: dict[str, User]
) -> None:
    plan = approved(household, ("1000", "EUR"))
    budget_line = plan.lines.get()
    changed = services.line_change(actor=team["officer"], line=budget_line, amount=Decimal("1500"))
    plan.refresh_from_db()
    assert (plan.status, plan.revision) == (PlanStatus.DRAFT, 2)
    assert changed.approved_amount == Decimal("1000")  # still bounds delivery
    with pytest.raises(ValidationError) as refused:
        deliver(changed, "1200")
    assert refused.value.error_dict["amount"][0].code == "beyond_approved"
    deliver(changed, "1000")
    services.plan_submit(actor=team["officer"], plan=plan)
    services.plan_approve(actor=team["manager"], plan=plan)
    revisions = list(PlanApproval.objects.filter(plan=plan).order_by("revision"))
    assert [(r.revision, r.total) for r in revisions] == [
        (1, Decimal("1000.00")),
        (2, Decimal("1500.00")),
    ]
    assert revisions[0].lines[0]["amount"] == "1000.00"
    deliver(BudgetLine.objects.get(pk=budget_line.pk), "500")
    with pytest.raises(ValidationError):
        deliver(BudgetLine.objects.get(pk=budget_line.pk), "0.01")


def deliver(budget_line: BudgetLine, amount: str, **kwargs: object) -> Delivery:
    return services.delivery_record(
        actor=None,
        line=budget_line,
        delivered_on=timezone.localdate(),
        amount=Decimal(amount),
        method=PaymentMethod.CASH,
        delivered_by="Field officer",
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_disbursement_beyond_its_approved_line_is_refused_and_nothing_is_saved(
    household: Case,
) -> None:
    plan = approved(household, ("300", "EUR"))
    budget_line = plan.lines.get()
    deliver(budget_line, "200")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        deliver(budget_line, "100.01")
    assert "100.00" in str(refused.value)  # what remains
    assert Delivery.objects.filter(line=budget_line).count() == 1
    assert AuditEvent.objects.count() == events
    deliver(budget_line, "100")  # exactly what remains
    with pytest.raises(ValidationError):
        deliver(budget_line, "0.01")


def test_nothing_is_delivered_on_a_line_not_approved_or_before_arrival(
    personas: Personas, household: Case
) -> None:
    plan = drafted(household)
    with pytest.raises(ValidationError) as refused:
        deliver(plan.lines.get(), "10")
    assert refused.value.code == "not_approved"
    before = approved(arrived(personas.office_a), ("100", "EUR"))
    Case.objects.filter(pk=before.case_id).update(status="departed")
    with pytest.raises(ValidationError) as refused:
        deliver(before.lines.get(), "10")
    assert refused.value.code == "wrong_status"


def test_a_proof_must_be_a_real_pdf_or_image(household: Case) -> None:
    budget_line = approved(household, ("300", "EUR")).lines.get()
    with pytest.raises(ValidationError):
        deliver(budget_line, "10", proof=b"MZ\x90\x00not a pdf", proof_type="application/pdf")
    assert not Delivery.objects.exists()
    delivery = deliver(budget_line, "10", proof=b"%PDF-1.7\n%%EOF\n", proof_type="application/pdf")
    assert Delivery.objects.get(pk=delivery.pk).proof_type == "application/pdf"


def test_a_line_with_deliveries_is_withdrawn_not_deleted_and_can_take_no_more(
    household: Case, team: dict[str, User]
) -> None:
    plan = approved(household, ("300", "EUR"), ("100", "EUR"))
    first, second = plan.lines.order_by("created_at", "id")
    deliver(first, "120")
    services.line_remove(actor=team["officer"], line=first)
    services.line_remove(actor=team["officer"], line=second)
    assert not BudgetLine.objects.filter(pk=second.pk).exists()
    kept = BudgetLine.objects.get(pk=first.pk)
    assert kept.withdrawn
    line(Plan.objects.get(pk=plan.pk), "50")
    services.plan_submit(actor=None, plan=plan)
    services.plan_approve(actor=team["manager"], plan=plan)
    assert BudgetLine.objects.get(pk=first.pk).approved_amount == Decimal("120")
    with pytest.raises(ValidationError):
        deliver(BudgetLine.objects.get(pk=first.pk), "1")


def test_a_line_cannot_drop_below_what_was_delivered(household: Case) -> None:
    budget_line = approved(household, ("300", "EUR")).lines.get()
    deliver(budget_line, "250")
    with pytest.raises(ValidationError) as refused:
        services.line_change(actor=None, line=budget_line, amount=Decimal("200"))
    assert "amount" in refused.value.error_dict
    assert BudgetLine.objects.get(pk=budget_line.pk).amount == Decimal("300")


def test_the_plan_is_due_a_configurable_time_after_arrival(settings: object) -> None:
    arrived_on = datetime.date(2026, 11, 2)
    assert services.plan_due(arrived_on) == datetime.date(2026, 12, 2)
    settings.PLAN_DUE_DAYS = 10  # type: ignore[attr-defined]
    assert services.plan_due(arrived_on) == datetime.date(2026, 11, 12)
    assert services.plan_due(None) is None
