"""Forms of the reintegration pages. They bind input only; the services validate and save.

People are offered by their label on the case ("Principal applicant (1)"), never by name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import CaseMember, Programme
from wayhome.consent.forms import FILE_ACCEPT
from wayhome.core.forms import ScopedIdForm
from wayhome.core.money import DECIMAL_PLACES, MAX_DIGITS
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.reintegration.models import (
    CATEGORY_DIMENSION,
    BudgetLine,
    Category,
    ClosureReason,
    CounsellingMode,
    CounsellingStage,
    DeliveryMode,
    Dimension,
    Level,
    Partner,
    PartnerKind,
    PaymentMethod,
)
from wayhome.reintegration.selectors import RECONCILE_BY
from wayhome.reintegration.services import REFERRAL_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Labelled = list[tuple[CaseMember, str]]

#: What each field a referral may share is called on the page.
REFERRAL_FIELD_LABELS: dict[str, Any] = {
    "given_name": _("Given name(s)"),
    "family_name": _("Family name(s)"),
    "sex": _("Sex"),
    "date_of_birth": _("Date of birth"),
    "languages": _("Languages"),
    "contacts": _("Contact details"),
    "destination_region": _("Region of return"),
    "destination_place": _("Place of return"),
}

RECONCILE_LABELS: dict[str, Any] = {
    "case": _("Case"),
    "programme": _("Programme"),
    "funding_source": _("Funding source"),
}


def _line(label: Any, max_length: int, *, required: bool = False, **kwargs: Any) -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_single_line],
        **kwargs,
    )


def _area(label: Any, max_length: int, *, required: bool = False, rows: int = 3) -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _amount(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


def _currency(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Currency (ISO 4217)"),
        max_length=3,
        min_length=3,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": "4"}),
    )


def posted_version(post: Any) -> int | None:
    """The ``version`` a form was shown with (optimistic concurrency), or None."""
    try:
        return int(post.get("version", ""))
    except (TypeError, ValueError):
        return None


class MembersMixin:
    """A field offering the case's people by label; ``members_of``/``member_of`` give them back."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def set_members(self, name: str, members: Labelled, *, blank: Any = None) -> None:
        self.by_id = {str(m.pk): m for m, _label in members}
        field = cast(forms.ChoiceField, self.fields[name])
        first = [("", blank)] if blank is not None else []
        field.choices = [*first, *((str(m.pk), label) for m, label in members)]

    def members_of(self, name: str) -> list[CaseMember]:
        return [self.by_id[pk] for pk in self.cleaned_data.get(name) or [] if pk in self.by_id]

    def member_of(self, name: str) -> CaseMember | None:
        return self.by_id.get(self.cleaned_data.get(name) or "")


# --- the case page ------------------------------------------------------------------------------


class CounsellingForm(MembersMixin, ScopedIdForm):
    id_scope = "counselling"

    stage = forms.ChoiceField(label=_("Stage"), choices=CounsellingStage.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DATE, initial=timezone.localdate)
    mode = forms.ChoiceField(label=_("How"), choices=CounsellingMode.choices)
    members = forms.MultipleChoiceField(
        label=_("Who took part"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = _area(_("Notes"), 5000, required=True, rows=5)

    def __init__(self, *args: Any, members: Labelled, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_members("members", members)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "stage": data["stage"],
            "held_on": data["held_on"],
            "mode": data["mode"],
            "notes": data["notes"],
            "members": self.members_of("members"),
        }


class PlanCreateForm(MembersMixin, ScopedIdForm):
    id_scope = "plan_new"

    member = forms.ChoiceField(
        label=_("A plan for"),
        choices=(),
        required=False,
        help_text=_("A case has one household plan, or one plan for each returnee, not both."),
    )

    def __init__(self, *args: Any, members: Labelled, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_members("member", members, blank=_("The whole household"))


class MoveForm(ScopedIdForm):
    id_scope = "move"

    to = forms.CharField(max_length=32, widget=forms.HiddenInput)


class CloseForm(ScopedIdForm):
    id_scope = "close"

    reason = forms.ChoiceField(label=_("Reason for closing"), choices=ClosureReason.choices)
    note = _area(_("Note"), 2000)


class ReopenForm(ScopedIdForm):
    id_scope = "reopen"

    reason = _area(_("Reason for reopening"), 2000, required=True)


# --- the plan and its lines -----------------------------------------------------------------------


class PlanForm(ScopedIdForm):
    id_scope = "plan"

    needs = _area(_("Needs and aspirations"), 5000, rows=4)
    skills = _area(_("Skills and experience"), 5000, rows=4)
    assessment_results = _area(_("Results of assessments"), 5000, rows=4)


def _dimension_help() -> str:
    return str(
        _("Left empty, the usual dimension of the type of assistance: %(pairs)s.")
        % {
            "pairs": "; ".join(
                f"{Category(category).label}: {Dimension(dimension).label}"
                for category, dimension in CATEGORY_DIMENSION.items()
            )
        }
    )


class LineForm(MembersMixin, ScopedIdForm):
    id_scope = "line"

    category = forms.ChoiceField(label=_("Type of assistance"), choices=Category.choices)
    dimension = forms.ChoiceField(
        label=_("Dimension"),
        choices=[("", _("Usual for the type")), *Dimension.choices],
        required=False,
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.INDIVIDUAL)
    description = _line(_("Description"), 500, required=True)
    amount = _amount(_("Amount"))
    currency = _currency()
    delivery_mode = forms.ChoiceField(label=_("Delivery mode"), choices=DeliveryMode.choices)
    provider = _line(_("Provider"), 200)
    beneficiary = forms.ChoiceField(label=_("For"), choices=(), required=False)

    def __init__(self, *args: Any, members: Labelled, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_members("beneficiary", members, blank=_("The whole household"))
        self.fields["dimension"].help_text = _dimension_help()

    @classmethod
    def initial_of(cls, line: BudgetLine) -> dict[str, Any]:
        return {
            "category": line.category,
            "dimension": line.dimension,
            "level": line.level,
            "description": line.description,
            "amount": line.amount,
            "currency": line.currency,
            "delivery_mode": line.delivery_mode,
            "provider": line.provider,
            "beneficiary": str(line.beneficiary_id or ""),
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "dimension": data.get("dimension") or CATEGORY_DIMENSION.get(data["category"], ""),
            "level": data["level"],
            "description": data["description"],
            "amount": data["amount"],
            "currency": data["currency"].strip().upper(),
            "delivery_mode": data["delivery_mode"],
            "provider": data.get("provider") or "",
            "beneficiary": self.member_of("beneficiary"),
        }


class ReturnForm(ScopedIdForm):
    id_scope = "return"

    reason = _area(_("Why the plan goes back to draft"), 2000, required=True)


class ApproveForm(ScopedIdForm):
    """One exchange rate per currency of the plan other than the cap's."""

    id_scope = "approve"

    def __init__(self, *args: Any, currencies: Iterable[str], cap_currency: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.currencies = list(currencies)
        for currency in self.currencies:
            self.fields[f"rate_{currency}"] = forms.CharField(
                label=_("Exchange rate: %(cap)s for 1 %(currency)s")
                % {"cap": cap_currency, "currency": currency},
                max_length=40,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    def rates(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", None) or {}
        return {
            currency: str(data.get(f"rate_{currency}") or "").strip()
            for currency in self.currencies
        }


class DeliveryForm(ScopedIdForm):
    id_scope = "delivery"

    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE, initial=timezone.localdate)
    amount = _amount(_("Amount"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    delivered_by = _line(_("Delivered by"), 200, required=True)
    notes = _area(_("Notes"), 2000)
    proof = forms.FileField(
        label=_("Proof of delivery (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=FILE_ACCEPT),
    )


# --- referrals ------------------------------------------------------------------------------------


class ReferralForm(MembersMixin, ScopedIdForm):
    id_scope = "referral"

    partner = forms.ChoiceField(label=_("Partner"), choices=())
    members = forms.MultipleChoiceField(
        label=_("Who is referred"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    line = forms.ChoiceField(
        label=_("Item of the plan (optional)"),
        choices=(),
        required=False,
        help_text=_("Referring an item of the plan takes its type of assistance."),
    )
    category = forms.ChoiceField(
        label=_("Type of assistance"),
        choices=[("", _("Choose…")), *Category.choices],
        required=False,
    )
    share = forms.MultipleChoiceField(
        label=_("What to share with the partner"),
        choices=[(name, REFERRAL_FIELD_LABELS.get(name, name)) for name in REFERRAL_FIELDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only what the partner needs. Left empty, the partner sees the case reference, the "
            "country of return, each person's label, the service and your note."
        ),
    )
    note = _area(_("Note for the partner"), 2000)

    def __init__(
        self,
        *args: Any,
        members: Labelled,
        partners: Iterable[tuple[Partner, str]],
        lines: Iterable[tuple[BudgetLine, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_members("members", members)
        partners, lines = list(partners), list(lines)
        self.partners = {str(p.pk): p for p, _label in partners}
        self.lines = {str(line.pk): line for line, _label in lines}
        cast(forms.ChoiceField, self.fields["partner"]).choices = [
            ("", _("Choose…")),
            *((str(p.pk), label) for p, label in partners),
        ]
        cast(forms.ChoiceField, self.fields["line"]).choices = [
            ("", _("None: the type of assistance below")),
            *((str(line.pk), label) for line, label in lines),
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "partner": self.partners[data["partner"]],
            "members": self.members_of("members"),
            "line": self.lines.get(data.get("line") or ""),
            "category": data.get("category") or "",
            "fields": list(data.get("share") or []),
            "note": data.get("note") or "",
        }


class PartnerConsentForm(MembersMixin, ScopedIdForm):
    """A person's consent to share their data with a partner, recorded where the case is worked."""

    id_scope = "partner_consent"

    member = forms.ChoiceField(label=_("Who consents"), choices=())
    partner = forms.ChoiceField(label=_("To share with"), choices=())
    given_on = forms.DateField(label=_("Given on"), widget=DATE, initial=timezone.localdate)

    def __init__(
        self, *args: Any, members: Labelled, partners: Iterable[Partner], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_members("member", members, blank=_("Choose…"))
        self.partners = {str(p.pk): p for p in partners}
        cast(forms.ChoiceField, self.fields["partner"]).choices = [
            ("", _("Choose…")),
            *((pk, p.name) for pk, p in self.partners.items()),
        ]

    def values(self) -> dict[str, Any]:
        return {
            "member": self.member_of("member"),
            "partner": self.partners[self.cleaned_data["partner"]],
            "given_on": self.cleaned_data["given_on"],
        }


class ReferralNoteForm(ScopedIdForm):
    id_scope = "referral_note"

    note = _area(_("Note (the partner sees it)"), 2000, required=True)


class RevokeForm(ScopedIdForm):
    id_scope = "revoke"

    reason = _area(_("Why the referral is revoked"), 2000, required=True)


# --- partners -----------------------------------------------------------------------------------

_CODES = re.compile(r"[\s,;]+")


def _codes(raw: str) -> list[str]:
    return list(dict.fromkeys(code.upper() for code in _CODES.split(raw or "") if code))


class PartnerForm(ScopedIdForm):
    id_scope = "partner"

    office = forms.ChoiceField(label=_("Registered by"), choices=())
    name = _line(_("Name"), 200, required=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    countries = forms.CharField(
        label=_("Countries served (ISO codes)"),
        max_length=1000,
        help_text=_("Two-letter codes separated by spaces or commas, for example NG GH."),
    )
    regions = forms.CharField(
        label=_("Regions served (ISO 3166-2 codes)"),
        max_length=2000,
        required=False,
        help_text=_("Optional, for example NG-LA NG-OY. Left empty: the whole country."),
    )
    services = forms.MultipleChoiceField(
        label=_("Services offered"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    contacts = _area(_("Contacts"), 2000)
    agreement_reference = _line(_("Data-sharing agreement reference"), 100)
    agreement_signed_on = forms.DateField(
        label=_("Agreement signed on"), widget=DATE, required=False
    )
    agreement_expires_on = forms.DateField(
        label=_("Agreement expires on"), widget=DATE, required=False
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, offices: Iterable[Office] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if offices is None:
            del self.fields["office"]
        else:
            self.offices = {str(o.pk): o for o in offices}
            cast(forms.ChoiceField, self.fields["office"]).choices = [
                (pk, o.name) for pk, o in self.offices.items()
            ]

    @classmethod
    def initial_of(cls, partner: Partner) -> dict[str, Any]:
        return {
            "name": partner.name,
            "kind": partner.kind,
            "countries": " ".join(partner.countries or []),
            "regions": " ".join(partner.regions or []),
            "services": list(partner.services or []),
            "contacts": partner.contacts,
            "agreement_reference": partner.agreement_reference,
            "agreement_signed_on": partner.agreement_signed_on,
            "agreement_expires_on": partner.agreement_expires_on,
            "active": partner.active,
        }

    def chosen_office(self) -> Office:
        return self.offices[self.cleaned_data["office"]]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "countries": _codes(data["countries"]),
            "regions": _codes(data.get("regions") or ""),
            "services": list(data["services"]),
            "contacts": data.get("contacts") or "",
            "agreement_reference": data.get("agreement_reference") or "",
            "agreement_signed_on": data.get("agreement_signed_on"),
            "agreement_expires_on": data.get("agreement_expires_on"),
            "active": bool(data.get("active")),
        }


class PartnerUserForm(ScopedIdForm):
    id_scope = "partner_user"

    email = forms.EmailField(
        label=_("E-mail address of the user"),
        help_text=_("Someone who already has a Wayhome account."),
    )


# --- caps and reconciliation ----------------------------------------------------------------------


class CapForm(ScopedIdForm):
    id_scope = "cap"

    office = forms.ChoiceField(label=_("Office"), choices=())
    programme = forms.ChoiceField(
        label=_("Programme"), choices=Programme.choices, initial=Programme.AVRR
    )
    currency = _currency()
    per_person = _amount(_("Cap per person"))
    per_household = _amount(_("Cap per household"))

    def __init__(self, *args: Any, offices: Iterable[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offices = {str(o.pk): o for o in offices}
        cast(forms.ChoiceField, self.fields["office"]).choices = [
            (pk, o.name) for pk, o in self.offices.items()
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "office": self.offices[data["office"]],
            "programme": data["programme"],
            "currency": data["currency"].strip().upper(),
            "per_person": data["per_person"],
            "per_household": data["per_household"],
        }


class ReconciliationForm(forms.Form):
    """The reconciliation's choices (GET)."""

    by = forms.ChoiceField(
        label=_("Totals by"),
        choices=[(key, RECONCILE_LABELS.get(key, key)) for key in RECONCILE_BY],
        required=False,
    )
    office = forms.ChoiceField(label=_("Office"), choices=(), required=False)

    def __init__(self, *args: Any, offices: Iterable[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["office"]).choices = [
            ("", _("All my offices")),
            *((str(o.pk), o.name) for o in offices),
        ]

    def choice(self) -> tuple[str, str]:
        if not self.is_valid():
            return "case", ""
        return self.cleaned_data.get("by") or "case", self.cleaned_data.get("office") or ""
