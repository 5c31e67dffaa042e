"""The reintegration API's schemas: the staff side (``api.py``, names ``Reint...``) and the
partner users' side (``partner_api.py``, names ``PartnerReferral...``). Amounts are decimal
strings with two places, in an ISO 4217 currency; vocabularies are the models' codes (a test keeps
each ``...Code`` equal to its model's ``TextChoices``)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone
from ninja import Field, Schema

from wayhome.api.fields import MultiLine, SingleLine
from wayhome.core.money import DECIMAL_PLACES, MAX_DIGITS
from wayhome.reintegration.models import ReferralStatus
from wayhome.reintegration.services import agreement_in_force, shared_package

DimensionCode = Literal["economic", "social", "psychosocial"]
LevelCode = Literal["individual", "community", "structural"]
CategoryCode = Literal[
    "business",
    "vocational_training",
    "job_placement",
    "financial_literacy",
    "housing",
    "education",
    "medical_care",
    "legal_documentation",
    "basic_needs",
    "psychosocial_support",
    "family_community",
    "community_project",
]
DeliveryModeCode = Literal["cash", "in_kind", "service", "referral"]
PaymentMethodCode = Literal[
    "cash", "bank_transfer", "mobile_money", "voucher", "in_kind", "service"
]
CounsellingStageCode = Literal["before_departure", "after_arrival"]
CounsellingModeCode = Literal["in_person", "phone", "video"]
PartnerKindCode = Literal["ngo", "government", "private", "un_agency"]
ClosureReasonCode = Literal[
    "assistance_completed",
    "no_longer_meets_criteria",
    "chose_to_stop",
    "left_the_area",
    "died",
    "abrupt_exit",
    "involuntary_funding",
    "involuntary_security",
]
#: What a referral may carry (``services.REFERRAL_FIELDS``).
ReferralFieldCode = Literal[
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "languages",
    "contacts",
    "destination_region",
    "destination_place",
]
#: The reintegration steps of the workflow (``services.REINTEGRATION_MOVES``).
ReintegrationStepCode = Literal["reintegration_planning", "reintegration_assistance", "monitoring"]
ReconcileByCode = Literal["case", "programme", "funding_source"]


def _amount() -> Any:
    return Field(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, gt=0, examples=["250.00"])


CURRENCY_HELP = "ISO 4217 (EUR)."


# --- counselling ---------------------------------------------------------------------------------


class ReintCounsellingOut(Schema):
    id: uuid.UUID
    stage: str
    held_on: datetime.date
    mode: str
    notes: str
    member_ids: list[uuid.UUID]
    office_id: uuid.UUID
    counsellor_id: uuid.UUID | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_member_ids(obj: Any) -> list[uuid.UUID]:
        return [m.pk for m in obj.members.all()]


class ReintCounsellingIn(Schema):
    stage: CounsellingStageCode
    held_on: datetime.date
    mode: CounsellingModeCode
    notes: MultiLine = Field(min_length=1, max_length=5000)
    member_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=30, description="Who took part (members of the case)."
    )


# --- plans and budget lines ----------------------------------------------------------------------


class ReintTotalOut(Schema):
    """A plan's amounts in one currency (currencies are never added together)."""

    currency: str
    planned: Decimal = Field(description="The lines in the plan now (not withdrawn).")
    approved: Decimal = Field(description="What the last approval allows to be delivered.")
    delivered: Decimal


class ReintLineOut(Schema):
    id: uuid.UUID
    plan_id: uuid.UUID
    dimension: str
    level: str
    category: str
    description: str
    amount: Decimal
    currency: str
    delivery_mode: str
    provider: str
    beneficiary_id: uuid.UUID | None
    approved_amount: Decimal | None = Field(description="None until the line is approved.")
    delivered: Decimal
    remaining: Decimal | None = Field(description="Approved minus delivered.")
    withdrawn: bool
    version: int


class ReintApprovalOut(Schema):
    revision: int
    approved_by_id: uuid.UUID | None
    drafted_by_id: uuid.UUID | None
    approved_at: datetime.datetime
    cap_currency: str
    cap_per_person: Decimal
    cap_per_household: Decimal
    persons: int
    rates: dict[str, str] = Field(description="Units of the cap currency for one unit of each.")
    total: Decimal = Field(description="The plan in the cap currency, rounded up to the cent.")


class ReintPlanSummaryOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID | None = Field(description="None: the household's plan.")
    household: bool
    status: str
    revision: int
    totals: list[ReintTotalOut]
    version: int


class ReintPlanOut(ReintPlanSummaryOut):
    needs: str
    skills: str
    assessment_results: str
    return_reason: str
    drafted_by_id: uuid.UUID | None
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    approved_by_id: uuid.UUID | None
    office_id: uuid.UUID = Field(description="The office that drafted it.")
    lines: list[ReintLineOut]
    approvals: list[ReintApprovalOut] = Field(description="Every approval, the latest first.")


class ReintPlanIn(Schema):
    member_id: uuid.UUID | None = Field(
        None, description="The returnee the plan is for; none for the household's plan."
    )
    needs: MultiLine = Field("", max_length=5000)
    skills: MultiLine = Field("", max_length=5000)
    assessment_results: MultiLine = Field("", max_length=5000)


class ReintPlanPatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    needs: MultiLine | None = Field(None, max_length=5000)
    skills: MultiLine | None = Field(None, max_length=5000)
    assessment_results: MultiLine | None = Field(None, max_length=5000)


class ReintLineIn(Schema):
    dimension: DimensionCode
    level: LevelCode = "individual"
    category: CategoryCode
    description: SingleLine = Field(min_length=1, max_length=500)
    amount: Decimal = _amount()
    currency: str = Field(max_length=3, examples=["EUR"], description=CURRENCY_HELP)
    delivery_mode: DeliveryModeCode
    provider: SingleLine = Field("", max_length=200)
    beneficiary_id: uuid.UUID | None = Field(
        None, description="The member it is for; none for the whole household."
    )


class ReintLinePatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    dimension: DimensionCode | None = None
    level: LevelCode | None = None
    category: CategoryCode | None = None
    description: SingleLine | None = Field(None, max_length=500)
    amount: Decimal | None = Field(None, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, gt=0)
    currency: str | None = Field(None, max_length=3)
    delivery_mode: DeliveryModeCode | None = None
    provider: SingleLine | None = Field(None, max_length=200)
    beneficiary_id: uuid.UUID | None = None


class ReintVersionIn(Schema):
    version: int | None = Field(None, description="The version read, if given (stale: 409).")


class ReintReturnIn(ReintVersionIn):
    reason: MultiLine = Field(min_length=1, max_length=2000)


class ReintApproveIn(ReintVersionIn):
    rates: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        examples=[{"XOF": "0.00152"}],
        description=(
            "Currency -> units of the cap currency for one unit of it, as a decimal string, for "
            "every currency of the plan other than the cap's."
        ),
    )


# --- deliveries ----------------------------------------------------------------------------------


class ReintDeliveryOut(Schema):
    id: uuid.UUID
    budget_line_id: uuid.UUID
    plan_id: uuid.UUID
    delivered_on: datetime.date
    amount: Decimal
    currency: str
    method: str
    delivered_by: str
    notes: str
    has_proof: bool = Field(description="A proof was uploaded (on the case's pages).")
    office_id: uuid.UUID
    recorded_by_id: uuid.UUID | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_budget_line_id(obj: Any) -> uuid.UUID:
        return obj.line_id

    @staticmethod
    def resolve_plan_id(obj: Any) -> uuid.UUID:
        return obj.line.plan_id

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return obj.line.currency


class ReintDeliveryIn(Schema):
    budget_line_id: uuid.UUID = Field(description="An approved line of one of the case's plans.")
    delivered_on: datetime.date
    amount: Decimal = _amount()
    method: PaymentMethodCode
    delivered_by: SingleLine = Field(min_length=1, max_length=200)
    notes: MultiLine = Field("", max_length=2000)


# --- partners ------------------------------------------------------------------------------------


class ReintPartnerOut(Schema):
    id: uuid.UUID
    office_id: uuid.UUID
    name: str
    kind: str
    countries: list[str]
    regions: list[str]
    services: list[str]
    contacts: str
    agreement_reference: str
    agreement_signed_on: datetime.date | None
    agreement_expires_on: datetime.date | None
    agreement_in_force: bool
    active: bool
    version: int

    @staticmethod
    def resolve_agreement_in_force(obj: Any) -> bool:
        return agreement_in_force(obj)


class ReintPartnerIn(Schema):
    office_id: uuid.UUID = Field(description="One of your offices, where you manage reintegration.")
    name: SingleLine = Field(min_length=1, max_length=200)
    kind: PartnerKindCode
    countries: list[str] = Field(
        default_factory=list, max_length=60, description="ISO 3166-1 alpha-2 codes."
    )
    regions: list[str] = Field(
        default_factory=list, max_length=200, description="ISO 3166-2 codes."
    )
    services: list[CategoryCode] = Field(default_factory=list, max_length=20)
    contacts: MultiLine = Field("", max_length=2000)
    agreement_reference: SingleLine = Field("", max_length=100)
    agreement_signed_on: datetime.date | None = None
    agreement_expires_on: datetime.date | None = None
    active: bool = True


class ReintPartnerPatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    name: SingleLine | None = Field(None, max_length=200)
    kind: PartnerKindCode | None = None
    countries: list[str] | None = Field(None, max_length=60)
    regions: list[str] | None = Field(None, max_length=200)
    services: list[CategoryCode] | None = Field(None, max_length=20)
    contacts: MultiLine | None = Field(None, max_length=2000)
    agreement_reference: SingleLine | None = Field(None, max_length=100)
    agreement_signed_on: datetime.date | None = None
    agreement_expires_on: datetime.date | None = None
    active: bool | None = None


# --- referrals -----------------------------------------------------------------------------------


class ReintReferralUpdateOut(Schema):
    status: str
    note: str
    by_partner: bool = Field(description="Written by the partner (else by the office).")
    by_id: uuid.UUID | None
    created_at: datetime.datetime


class ReintReferralSummaryOut(Schema):
    id: uuid.UUID
    partner_id: uuid.UUID
    partner_name: str
    budget_line_id: uuid.UUID | None
    category: str
    status: str
    fields: list[str] = Field(description="What was shared about each person and the case.")
    member_ids: list[uuid.UUID]
    office_id: uuid.UUID
    sent_at: datetime.datetime
    answered_at: datetime.datetime | None
    reminded_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    version: int

    @staticmethod
    def resolve_partner_name(obj: Any) -> str:
        return str(obj.partner.name)

    @staticmethod
    def resolve_budget_line_id(obj: Any) -> uuid.UUID | None:
        return obj.line_id

    @staticmethod
    def resolve_member_ids(obj: Any) -> list[uuid.UUID]:
        return [m.pk for m in obj.members.all()]


class ReintReferralOut(ReintReferralSummaryOut):
    package: dict[str, Any] = Field(
        description="What the partner sees: the shared fields only (empty once revoked)."
    )
    updates: list[ReintReferralUpdateOut]

    @staticmethod
    def resolve_package(obj: Any) -> dict[str, Any]:
        return shared_package(obj)  # never the stored package as is

    @staticmethod
    def resolve_updates(obj: Any) -> list[Any]:
        return list(obj.updates.order_by("created_at", "id"))


class ReintReferralIn(Schema):
    partner_id: uuid.UUID = Field(description="An active partner of an office working the case.")
    member_ids: list[uuid.UUID] = Field(max_length=30, description="Who is referred.")
    fields: list[ReferralFieldCode] = Field(
        default_factory=list, max_length=8, description="Only what the partner needs."
    )
    category: CategoryCode | None = Field(
        None, description="The type of assistance (taken from the line when one is given)."
    )
    budget_line_id: uuid.UUID | None = Field(None, description="The plan's item referred.")
    note: MultiLine = Field("", max_length=2000, description="Shown to the partner.")


class ReintReasonIn(Schema):
    reason: MultiLine = Field(min_length=1, max_length=2000)


class ReintNoteIn(Schema):
    note: MultiLine = Field(min_length=1, max_length=2000)


# --- the case: overview, closure, moves, reconciliation ------------------------------------------


class ReintClosureOut(Schema):
    id: uuid.UUID
    reason: str
    note: str
    closed_from: str
    closed_at: datetime.datetime
    closed_by_id: uuid.UUID | None
    office_id: uuid.UUID
    reopened_at: datetime.datetime | None
    reopened_by_id: uuid.UUID | None
    reopen_reason: str

    @staticmethod
    def resolve_closed_at(obj: Any) -> datetime.datetime:
        return obj.created_at


class ReintCaseOut(Schema):
    case_id: uuid.UUID
    reference: str
    status: str
    version: int
    arrival_date: datetime.date | None
    plan_due_on: datetime.date | None = Field(
        description="The arrival date plus the days allowed to approve a plan."
    )
    plan_overdue: bool = Field(description="Due and no plan approved yet.")
    plans: list[ReintPlanSummaryOut]
    referrals: list[ReintReferralSummaryOut]
    closure: ReintClosureOut | None = Field(description="The latest closure, if any.")


class ReintCaseStatusOut(Schema):
    case_id: uuid.UUID
    status: str
    version: int


class ReintCloseIn(Schema):
    reason: ClosureReasonCode
    note: MultiLine = Field("", max_length=2000)


class ReintMoveIn(Schema):
    to: ReintegrationStepCode
    reason: MultiLine = Field("", max_length=2000)


class ReintReconciliationQuery(Schema):
    by: ReconcileByCode = "case"
    office_id: uuid.UUID | None = None


class ReintReconciliationRowOut(Schema):
    key: str = Field(description="The case reference, programme or funding source.")
    currency: str
    approved: Decimal
    delivered: Decimal
    remaining: Decimal


# --- partner users -------------------------------------------------------------------------------


def shared_of(referral: Any) -> dict[str, Any]:
    """``services.shared_package``, worked out once per referral read."""
    cached = getattr(referral, "_shared_package", None)
    if cached is None:
        cached = shared_package(referral)
        referral._shared_package = cached
    return cached


def answer_due_on(referral: Any) -> datetime.date | None:
    """The day an answer is expected, while the referral waits for one."""
    if referral.status != ReferralStatus.SENT:
        return None
    days = int(getattr(settings, "REFERRAL_ANSWER_DAYS", 7))
    return timezone.localdate(referral.sent_at) + datetime.timedelta(days=days)


class PartnerReferralUpdateOut(Schema):
    status: str
    note: str
    by_partner: bool = Field(description="Written by your organisation (else by the office).")
    created_at: datetime.datetime


class PartnerReferralSummaryOut(Schema):
    id: uuid.UUID
    reference: str = Field(description="The case's reference.")
    partner: str = Field(description="Your organisation it was referred to.")
    category: str
    service: str
    status: str
    sent_at: datetime.datetime
    answer_due_on: datetime.date | None = Field(description="While it waits for your answer.")
    version: int

    @staticmethod
    def resolve_reference(obj: Any) -> str:
        return str(shared_of(obj).get("reference") or "")

    @staticmethod
    def resolve_partner(obj: Any) -> str:
        return str(obj.partner.name)

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return str(shared_of(obj).get("service") or "")

    @staticmethod
    def resolve_answer_due_on(obj: Any) -> datetime.date | None:
        return answer_due_on(obj)


class PartnerReferralOut(PartnerReferralSummaryOut):
    package: dict[str, Any] = Field(
        description=(
            "What the office shared: reference, category, service, destination_country, "
            "destination_region and destination_place (if shared), note, and people: each "
            "person's label with only the fields shared (given_name, family_name, sex, "
            "date_of_birth, languages, contacts)."
        )
    )
    updates: list[PartnerReferralUpdateOut]

    @staticmethod
    def resolve_package(obj: Any) -> dict[str, Any]:
        return shared_of(obj)  # never the stored package as is

    @staticmethod
    def resolve_updates(obj: Any) -> list[Any]:
        return list(obj.updates.order_by("created_at", "id"))


class PartnerReferralNoteIn(Schema):
    note: MultiLine = Field("", max_length=2000)


class PartnerReferralReasonIn(Schema):
    reason: MultiLine = Field(min_length=1, max_length=2000)


class PartnerReferralProgressIn(Schema):
    note: MultiLine = Field(min_length=1, max_length=2000)
