"""Sustainable reintegration (build order 5): counselling, the reintegration plan with its budget,
assistance delivered against it, partners and referrals to them, and the closure of a case.

Amounts are ``Decimal`` with two places in an ISO 4217 currency. Every free text that could name
or describe someone is encrypted; ``str()`` never names anyone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember, Programme
from wayhome.cases.workflow import Status
from wayhome.consent.models import validate_not_future
from wayhome.core.fields import EncryptedBinaryField, EncryptedJSONField, EncryptedTextField
from wayhome.core.models import BaseModel
from wayhome.core.money import DECIMAL_PLACES, MAX_DIGITS, validate_currency
from wayhome.core.text import validate_multiline, validate_single_line

POSITIVE = [MinValueValidator(Decimal("0.01"))]


def money(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        **kwargs,  # type: ignore[arg-type]
    )


# --- vocabularies (IOM Reintegration Handbook) ---------------------------------------------------


class Dimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")


class Category(models.TextChoices):
    """The Handbook's types of reintegration assistance."""

    BUSINESS = "business", _("Business set-up or development")
    VOCATIONAL = "vocational_training", _("Vocational training or apprenticeship")
    EMPLOYMENT = "job_placement", _("Job placement or wage subsidy")
    FINANCIAL = "financial_literacy", _("Financial counselling and literacy")
    HOUSING = "housing", _("Housing and accommodation")
    EDUCATION = "education", _("Education and schooling")
    HEALTH = "medical_care", _("Medical care")
    LEGAL = "legal_documentation", _("Legal assistance and civil documentation")
    BASIC_NEEDS = "basic_needs", _("Food and essential items")
    PSYCHOSOCIAL = "psychosocial_support", _("Psychosocial support and counselling")
    FAMILY = "family_community", _("Family and community reconnection")
    COMMUNITY_PROJECT = "community_project", _("Community project")


#: The dimension a category usually serves (the form's default; the officer may choose another).
CATEGORY_DIMENSION: dict[str, str] = {
    Category.BUSINESS: Dimension.ECONOMIC,
    Category.VOCATIONAL: Dimension.ECONOMIC,
    Category.EMPLOYMENT: Dimension.ECONOMIC,
    Category.FINANCIAL: Dimension.ECONOMIC,
    Category.HOUSING: Dimension.SOCIAL,
    Category.EDUCATION: Dimension.SOCIAL,
    Category.HEALTH: Dimension.SOCIAL,
    Category.LEGAL: Dimension.SOCIAL,
    Category.BASIC_NEEDS: Dimension.SOCIAL,
    Category.PSYCHOSOCIAL: Dimension.PSYCHOSOCIAL,
    Category.FAMILY: Dimension.PSYCHOSOCIAL,
    Category.COMMUNITY_PROJECT: Dimension.ECONOMIC,
}


class DeliveryMode(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")
    SERVICE = "service", _("Service")
    REFERRAL = "referral", _("Referral to a partner")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash in hand")
    BANK = "bank_transfer", _("Bank transfer")
    MOBILE = "mobile_money", _("Mobile money")
    VOUCHER = "voucher", _("Voucher")
    IN_KIND = "in_kind", _("Goods delivered")
    SERVICE = "service", _("Service provided")


# --- counselling ------------------------------------------------------------------------------


class CounsellingStage(models.TextChoices):
    BEFORE_DEPARTURE = "before_departure", _("Before departure")
    AFTER_ARRIVAL = "after_arrival", _("After arrival")


class CounsellingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video call")


class Counselling(BaseModel):
    """A reintegration counselling session, before departure (host office) or after arrival."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="counselling_sessions")
    stage = models.CharField(_("stage"), max_length=20, choices=CounsellingStage.choices)
    held_on = models.DateField(_("held on"), validators=[validate_not_future])
    mode = models.CharField(_("how"), max_length=16, choices=CounsellingMode.choices)
    members = models.ManyToManyField(CaseMember, related_name="+", blank=True)
    notes = EncryptedTextField(_("notes"), max_length=5000, validators=[validate_multiline])
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reintegration counselling")
        verbose_name_plural = _("reintegration counselling")
        ordering: ClassVar = ["-held_on", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Counselling {self.pk}"


# --- caps -------------------------------------------------------------------------------------


class ProgrammeCap(BaseModel):
    """The most a programme of an office spends on one returnee and on one household."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="programme_caps")
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    per_person = money(_("cap per person"), validators=POSITIVE)
    per_household = money(_("cap per household"), validators=POSITIVE)

    class Meta:
        verbose_name = _("programme cap")
        verbose_name_plural = _("programme caps")
        ordering: ClassVar = ["programme"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["office", "programme"], name="one_cap_per_programme")
        ]

    def __str__(self) -> str:
        return f"Cap {self.programme} {self.pk}"


# --- the plan ---------------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")


class Plan(BaseModel):
    """The reintegration plan of one returnee (``member``) or of the household (``member`` empty).

    ``revision`` counts approvals: an approved plan that is changed becomes a draft of the next
    revision; what was approved stays in its ``PlanApproval`` and in each line's
    ``approved_amount``, which bounds what may be delivered until the next approval."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    member = models.ForeignKey(
        CaseMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returnee"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    revision = models.PositiveIntegerField(default=1)
    needs = EncryptedTextField(
        _("needs and aspirations"), max_length=5000, blank=True, validators=[validate_multiline]
    )
    skills = EncryptedTextField(
        _("skills and experience"), max_length=5000, blank=True, validators=[validate_multiline]
    )
    assessment_results = EncryptedTextField(
        _("results of assessments"), max_length=5000, blank=True, validators=[validate_multiline]
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted in")
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_reason = EncryptedTextField(
        _("reason for returning the plan"),
        max_length=2000,
        blank=True,
        validators=[validate_multiline],
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Ids of the users who changed the plan since its last approval (none of them approves it).
    contributors = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(member__isnull=True), name="one_household_plan"
            ),
            models.UniqueConstraint(fields=["case", "member"], name="one_plan_per_returnee"),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk}"

    @property
    def is_household(self) -> bool:
        return self.member_id is None


class BudgetLine(BaseModel):
    """Planned assistance: what, for which dimension and level, how much, delivered how."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    level = models.CharField(
        _("level"), max_length=16, choices=Level.choices, default=Level.INDIVIDUAL
    )
    category = models.CharField(_("type of assistance"), max_length=32, choices=Category.choices)
    description = EncryptedTextField(
        _("description"), max_length=500, validators=[validate_single_line]
    )
    amount = money(_("amount"), validators=POSITIVE)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=16, choices=DeliveryMode.choices
    )
    provider = models.CharField(
        _("provider"), max_length=200, blank=True, validators=[validate_single_line]
    )
    beneficiary = models.ForeignKey(
        CaseMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for"),
    )
    approved_amount = money(_("approved amount"), null=True, blank=True)
    withdrawn = models.BooleanField(_("taken out of the plan"), default=False)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Budget line {self.pk}"


class PlanApproval(BaseModel):
    """One approval of a plan: what was approved, against which cap, at which exchange rates.
    Kept for ever (the plan's revisions)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="approvals")
    revision = models.PositiveIntegerField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cap_currency = models.CharField(max_length=3)
    cap_per_person = money(_("cap per person"))
    cap_per_household = money(_("cap per household"))
    persons = models.PositiveIntegerField()
    #: Units of the cap currency for one unit of each other currency, e.g. {"XOF": "0.00152"}.
    rates = models.JSONField(default=dict)
    total = money(_("total in the cap currency"))
    #: The lines as approved (description included, hence encrypted).
    lines = EncryptedJSONField(default=list)

    class Meta:
        verbose_name = _("plan approval")
        verbose_name_plural = _("plan approvals")
        ordering: ClassVar = ["-revision"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["plan", "revision"], name="one_approval_per_revision")
        ]

    def __str__(self) -> str:
        return f"Plan approval {self.pk}"


class Delivery(BaseModel):
    """Assistance delivered against an approved budget line (cash, goods or a service)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="deliveries")
    delivered_on = models.DateField(_("delivered on"), validators=[validate_not_future])
    amount = money(_("amount"), validators=POSITIVE)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    delivered_by = models.CharField(
        _("delivered by"), max_length=200, validators=[validate_single_line]
    )
    notes = EncryptedTextField(
        _("notes"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    proof = EncryptedBinaryField(_("proof"), null=True, blank=True)
    proof_type = models.CharField(max_length=40, blank=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering: ClassVar = ["-delivered_on", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Delivery {self.pk}"

    @property
    def has_proof(self) -> bool:
        return bool(self.proof_type)


# --- partners and referrals -------------------------------------------------------------------


class PartnerKind(models.TextChoices):
    NGO = "ngo", _("Non-governmental organisation")
    GOVERNMENT = "government", _("Government")
    PRIVATE = "private", _("Private sector")
    UN = "un_agency", _("UN agency")


class Partner(BaseModel):
    """An organisation assistance is referred to, registered by an office, with the
    data-sharing agreement that allows referrals to it."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    countries = models.JSONField(_("countries served"), default=list)
    regions = models.JSONField(_("regions served"), default=list, blank=True)
    services = models.JSONField(_("services offered"), default=list)
    contacts = EncryptedTextField(
        _("contacts"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    agreement_reference = models.CharField(
        _("data-sharing agreement reference"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
    )
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    agreement_expires_on = models.DateField(_("agreement expires on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="partner_organisations", blank=True
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["office", "name"], name="partner_name_per_office")
        ]

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REVOKED = "revoked", _("Revoked")


#: Statuses a partner can still act on (and see).
OPEN_REFERRAL = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


class Referral(BaseModel):
    """A case, or one budget line of its plan, referred to a partner. ``package`` is what the
    partner sees: the shared fields only, frozen when sent, encrypted; emptied when revoked."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service"),
    )
    category = models.CharField(_("type of assistance"), max_length=32, choices=Category.choices)
    members = models.ManyToManyField(CaseMember, related_name="referrals")
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    fields = models.JSONField(default=list)
    package = EncryptedJSONField(default=dict)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering: ClassVar = ["-sent_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["status", "sent_at"])]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL


class ReferralUpdate(BaseModel):
    """A step of a referral: sent, answered, progress reported, completed, revoked."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=16, choices=ReferralStatus.choices)
    note = EncryptedTextField(
        _("note"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_partner = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("referral update")
        verbose_name_plural = _("referral updates")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Referral update {self.pk}"


# --- closure ----------------------------------------------------------------------------------


class ClosureReason(models.TextChoices):
    """The Handbook's reasons for closing a reintegration case."""

    COMPLETED = "assistance_completed", _("Assistance completed")
    NOT_ELIGIBLE = "no_longer_meets_criteria", _("No longer meets the criteria")
    CHOSE_TO_STOP = "chose_to_stop", _("Chose to stop the assistance")
    LEFT_AREA = "left_the_area", _("Left the area")
    DIED = "died", _("Died")
    ABRUPT_EXIT = "abrupt_exit", _("Abrupt exit (no longer reachable)")
    FUNDING = "involuntary_funding", _("Involuntary: funding ended")
    SECURITY = "involuntary_security", _("Involuntary: security")


class Closure(BaseModel):
    """The closing of a case after arrival, and its reopening by a manager."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    reason = models.CharField(_("reason"), max_length=32, choices=ClosureReason.choices)
    note = EncryptedTextField(
        _("note"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    closed_from = models.CharField(max_length=32, choices=Status.choices)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopen_reason = EncryptedTextField(
        _("reason for reopening"), max_length=2000, blank=True, validators=[validate_multiline]
    )

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(reopened_at__isnull=True), name="one_open_closure"
            )
        ]

    def __str__(self) -> str:
        return f"Closure {self.pk}"
